package dev.bulwark.store.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** An archive opens whole under its master key, and every cut or edit of it is refused by name. */
class SealedArchiveTest {
  private static final int CHUNK = 1024;
  private final MasterKey master = MasterKey.parse(MasterKey.generateText(), "${file:/k}");

  private static byte[] content(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private byte[] archive(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(SealedArchive.write(new ByteArrayInputStream(plain), out, master, CHUNK))
        .isEqualTo(plain.length);
    return out.toByteArray();
  }

  private byte[] read(byte[] archive, MasterKey key) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SealedArchive.read(new ByteArrayInputStream(archive), out, key, "backup.bwk");
    return out.toByteArray();
  }

  @Test
  void contentOfEveryShapeComesBackWhole() throws IOException {
    for (int n : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7}) {
      byte[] plain = content(n);
      byte[] a = archive(plain);
      assertThat(read(a, master)).as("%d bytes", n).isEqualTo(plain);
    }
  }

  @Test
  void theHeaderCarriesMagicVersionAndMasterKeyId() throws IOException {
    byte[] a = archive(content(10));
    assertThat(new String(a, 0, 8, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("BWBACKUP");
    assertThat(a[8]).isEqualTo((byte) 1);
    assertThat(new String(a, 9, 16, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo(master.id());
  }

  @Test
  void anyOneByteEditIsRefused() throws IOException {
    byte[] a = archive(content(3 * CHUNK + 7));
    // Every byte of the header (but the magic and version, checked first) and a byte in each chunk.
    for (int i = 9; i < a.length; i += (i < SealedArchive.HEADER_BYTES ? 1 : 301)) {
      byte[] edited = a.clone();
      edited[i] ^= 0x10;
      assertThatThrownBy(() -> read(edited, master))
          .as("byte %d edited", i)
          .isInstanceOf(SealRefused.class)
          .hasMessageStartingWith("backup.bwk: ");
    }
  }

  @Test
  void anEditedChunkIsNamed() throws IOException {
    byte[] a = archive(content(3 * CHUNK + 7));
    a[SealedArchive.HEADER_BYTES + (CHUNK + 16) + 5] ^= 1;
    assertThatThrownBy(() -> read(a, master))
        .hasMessage("backup.bwk: chunk 1 failed authentication (the archive was modified)");
  }

  @Test
  void truncationAtAChunkBoundaryIsNamed() throws IOException {
    byte[] a = archive(content(3 * CHUNK + 7));
    byte[] cut = Arrays.copyOf(a, SealedArchive.HEADER_BYTES + 2 * (CHUNK + 16));
    assertThatThrownBy(() -> read(cut, master))
        .hasMessage("backup.bwk: truncated after chunk 1 (the final chunk is missing)");
  }

  @Test
  void truncationInsideAChunkOrTheHeaderIsRefused() throws IOException {
    byte[] a = archive(content(3 * CHUNK + 7));
    assertThatThrownBy(() -> read(Arrays.copyOf(a, a.length - 1), master))
        .hasMessage(
            "backup.bwk: chunk 3 failed authentication (the archive was modified or truncated)");
    assertThatThrownBy(() -> read(Arrays.copyOf(a, SealedArchive.HEADER_BYTES), master))
        .hasMessage("backup.bwk: truncated (no data after the header)");
    assertThatThrownBy(() -> read(Arrays.copyOf(a, 40), master))
        .hasMessage("backup.bwk: truncated (the header is incomplete)");
  }

  @Test
  void bytesAppendedAfterTheFinalChunkAreRefused() throws IOException {
    byte[] a = archive(content(2 * CHUNK + 7));
    byte[] longer = Arrays.copyOf(a, a.length + 20);
    assertThatThrownBy(() -> read(longer, master)).isInstanceOf(SealRefused.class);
  }

  @Test
  void reorderedChunksAreRefused() throws IOException {
    byte[] a = archive(content(3 * CHUNK));
    int h = SealedArchive.HEADER_BYTES;
    int s = CHUNK + 16;
    byte[] swapped = a.clone();
    System.arraycopy(a, h, swapped, h + s, s);
    System.arraycopy(a, h + s, swapped, h, s);
    assertThatThrownBy(() -> read(swapped, master))
        .hasMessage("backup.bwk: chunk 0 failed authentication (the archive was modified)");
  }

  @Test
  void theWrongMasterKeyIsRefusedNamingItsReference() throws IOException {
    byte[] a = archive(content(100));
    MasterKey other = MasterKey.parse(MasterKey.generateText(), "${env:OTHER_KEY}");
    assertThatThrownBy(() -> read(a, other))
        .hasMessage(
            "backup.bwk: encrypted under master key "
                + master.id()
                + ", but ${env:OTHER_KEY} is master key "
                + other.id()
                + " (use the master key that was current when the backup was made)");
  }

  @Test
  void somethingElseIsNotAnArchive() {
    assertThatThrownBy(() -> read("SQLite format 3\0".getBytes(), master))
        .hasMessage("backup.bwk: not a Bulwark backup archive");
    assertThatThrownBy(() -> read(new byte[0], master))
        .hasMessage("backup.bwk: not a Bulwark backup archive");
  }
}
