package dev.bulwark.store.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sealed values open only where they were sealed, and only as they were sealed. */
class KeyringTest {
  private static final RecordId ADDRESS = new RecordId("bans", "row-1", "address");
  private final MasterKey master = MasterKey.parse(MasterKey.generateText(), "${env:TEST_KEY}");
  private final Keyring ring = new Keyring(master, Map.of(1, AesGcm.newKey()));

  @Test
  void aSealedValueOpensToWhatWasSealed() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    assertThat(ring.openString(ADDRESS, sealed)).isEqualTo("203.0.113.9");
    assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("203.0.113.9");
  }

  @Test
  void theFormatIsVersionKeyIdNonceCiphertextAndTag() {
    byte[] sealed = ring.sealString(ADDRESS, "abc");
    assertThat(sealed[0]).isEqualTo(Keyring.VERSION);
    assertThat(java.nio.ByteBuffer.wrap(sealed, 1, 4).getInt()).isEqualTo(1);
    assertThat(sealed).hasSize(1 + 4 + 12 + 3 + 16);
  }

  @Test
  void everySealUsesAFreshNonce() {
    byte[] a = ring.sealString(ADDRESS, "same");
    byte[] b = ring.sealString(ADDRESS, "same");
    assertThat(java.util.Arrays.copyOfRange(a, 5, 17))
        .isNotEqualTo(java.util.Arrays.copyOfRange(b, 5, 17));
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void aTamperedCiphertextIsRefused() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    sealed[18] ^= 1;
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "bans/row-1/address: sealed value failed authentication (tampered with, or copied"
                + " from another record)");
  }

  @Test
  void aTamperedTagIsRefused() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    sealed[sealed.length - 1] ^= (byte) 0x80;
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void aTamperedNonceIsRefused() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    sealed[6] ^= 1;
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void aKeyIdThatTheKeyringDoesNotHoldIsRefusedByName() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    sealed[4] = 9;
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "bans/row-1/address: sealed under data key 9, which this keyring does not hold (keys"
                + " [1]; the value was tampered with or comes from another installation)");
  }

  @Test
  void aKeyIdChangedToAnotherHeldKeyFailsAuthentication() {
    Keyring two = new Keyring(master, Map.of(1, AesGcm.newKey(), 2, AesGcm.newKey()));
    byte[] sealed = two.sealString(ADDRESS, "203.0.113.9");
    assertThat(sealed[4]).isEqualTo((byte) 2);
    sealed[4] = 1;
    assertThatThrownBy(() -> two.open(ADDRESS, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void aValueCopiedToAnotherRowIsRefused() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    RecordId otherRow = new RecordId("bans", "row-2", "address");
    assertThatThrownBy(() -> ring.open(otherRow, sealed))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "bans/row-2/address: sealed value failed authentication (tampered with, or copied"
                + " from another record)");
  }

  @Test
  void aValueCopiedToAnotherColumnOrTableIsRefused() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    assertThatThrownBy(() -> ring.open(new RecordId("bans", "row-1", "reason"), sealed))
        .isInstanceOf(SealRefused.class);
    assertThatThrownBy(() -> ring.open(new RecordId("accounts", "row-1", "address"), sealed))
        .isInstanceOf(SealRefused.class);
  }

  @Test
  void identitiesThatConcatenateAlikeStayDistinct() {
    byte[] sealed = ring.sealString(new RecordId("ab", "c", "d"), "x");
    assertThatThrownBy(() -> ring.open(new RecordId("a", "bc", "d"), sealed))
        .isInstanceOf(SealRefused.class);
  }

  @Test
  void anUnknownVersionAndAShortValueAreRefusedByName() {
    byte[] sealed = ring.sealString(ADDRESS, "203.0.113.9");
    sealed[0] = 2;
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed))
        .hasMessage(
            "bans/row-1/address: sealed in format version 2 (this Bulwark reads version 1)");
    assertThatThrownBy(() -> ring.open(ADDRESS, new byte[10]))
        .hasMessage("bans/row-1/address: not a sealed value (10 bytes, expected at least 33)");
  }

  @Test
  void aValueSealedUnderAnotherKeyringIsRefused() {
    Keyring other = new Keyring(master, Map.of(1, AesGcm.newKey()));
    byte[] sealed = other.sealString(ADDRESS, "203.0.113.9");
    assertThatThrownBy(() -> ring.open(ADDRESS, sealed)).isInstanceOf(SealRefused.class);
  }

  @Test
  void aMasterKeyMustBe32Base64BytesAndIsNeverPrinted() {
    String text = MasterKey.generateText();
    MasterKey k = MasterKey.parse(text + "\n", "${file:/run/secrets/master}");
    assertThat(k.toString()).doesNotContain(text).contains("${file:/run/secrets/master}");
    assertThat(k.id()).hasSize(16).isEqualTo(MasterKey.parse(text, "other").id());
    assertThatThrownBy(() -> MasterKey.parse("c2hvcnQ=", "${env:BULWARK_MASTER_KEY}"))
        .hasMessageStartingWith("${env:BULWARK_MASTER_KEY}: not a master key")
        .hasMessageNotContaining("c2hvcnQ=");
    assertThatThrownBy(() -> MasterKey.parse("not base64!", "${env:K}"))
        .hasMessageStartingWith("${env:K}: not a master key");
  }
}
