package dev.bulwark.store.sealed;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.SecretKey;

/**
 * The data keys of one store, unwrapped: seals values under the newest key and opens values sealed
 * under any key it holds, each bound to its {@link RecordId}.
 *
 * <p>A sealed value is, in this order (format version 1, never changed in place: a new layout gets
 * a new version byte): the version byte {@code 0x01}; the data key id, 4 bytes big-endian; a random
 * 96-bit nonce; the AES-256-GCM ciphertext followed by its 128-bit tag. The associated data is the
 * first 5 bytes (version and key id) followed by the record's identity, so the version, the key id
 * and the place the value belongs to are all authenticated.
 */
public final class Keyring {
  /** The format version byte of sealed values. */
  public static final byte VERSION = 1;

  static final int HEADER_BYTES = 1 + 4;
  static final int MIN_SEALED_BYTES = HEADER_BYTES + AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES;

  private final MasterKey master;
  private final Map<Integer, SecretKey> keys;
  private final int active;

  Keyring(MasterKey master, Map<Integer, SecretKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("keys: empty (expected: at least one data key)");
    }
    this.master = requireNonNull(master, "master");
    this.keys = Map.copyOf(keys);
    this.active = new TreeMap<>(keys).lastKey();
  }

  /** Returns the master key the data keys were unwrapped with. */
  public MasterKey master() {
    return master;
  }

  /** Returns the id of the data key new values are sealed under (the newest). */
  public int activeKeyId() {
    return active;
  }

  /** Returns the ids of the data keys held, ascending. */
  public NavigableSet<Integer> keyIds() {
    return new TreeSet<>(keys.keySet());
  }

  /**
   * Seals {@code plain} for the record {@code id} under the active data key, with a fresh nonce.
   */
  public byte[] seal(RecordId id, byte[] plain) {
    byte[] header = ByteBuffer.allocate(HEADER_BYTES).put(VERSION).putInt(active).array();
    byte[] nonce = AesGcm.random(AesGcm.NONCE_BYTES);
    byte[] body = AesGcm.seal(key(active), nonce, aad(header, id), plain);
    return ByteBuffer.allocate(HEADER_BYTES + nonce.length + body.length)
        .put(header)
        .put(nonce)
        .put(body)
        .array();
  }

  /** Seals a string (UTF-8) for the record {@code id}. */
  public byte[] sealString(RecordId id, String plain) {
    return seal(id, plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Opens a value sealed for the record {@code id}.
   *
   * @throws SealRefused when it is not a sealed value, was sealed under a key this keyring does not
   *     hold, or fails authentication (tampered with, or copied from another record)
   */
  public byte[] open(RecordId id, byte[] sealed) {
    if (sealed.length < MIN_SEALED_BYTES) {
      throw new SealRefused(
          id
              + ": not a sealed value ("
              + sealed.length
              + " bytes, expected at least "
              + MIN_SEALED_BYTES
              + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(sealed);
    byte version = b.get();
    if (version != VERSION) {
      throw new SealRefused(
          id + ": sealed in format version " + version + " (this Bulwark reads version 1)");
    }
    int keyId = b.getInt();
    SecretKey key = keys.get(keyId);
    if (key == null) {
      throw new SealRefused(
          id
              + ": sealed under data key "
              + Integer.toUnsignedString(keyId)
              + ", which this keyring does not hold (keys "
              + keyIds()
              + "; the value was tampered with or comes from another installation)");
    }
    byte[] nonce = new byte[AesGcm.NONCE_BYTES];
    b.get(nonce);
    byte[] header = new byte[HEADER_BYTES];
    System.arraycopy(sealed, 0, header, 0, HEADER_BYTES);
    int offset = HEADER_BYTES + AesGcm.NONCE_BYTES;
    byte[] plain = AesGcm.open(key, nonce, aad(header, id), sealed, offset, sealed.length - offset);
    if (plain == null) {
      throw new SealRefused(
          id
              + ": sealed value failed authentication (tampered with, or copied from another"
              + " record)");
    }
    return plain;
  }

  /** Opens a string sealed with {@link #sealString}. */
  public String openString(RecordId id, byte[] sealed) {
    return new String(open(id, sealed), StandardCharsets.UTF_8);
  }

  private static byte[] aad(byte[] header, RecordId id) {
    byte[] record = id.encoded();
    return ByteBuffer.allocate(header.length + record.length).put(header).put(record).array();
  }

  /**
   * Returns the keyed hash for finding records by a value for {@code purpose} (such as {@code
   * accounts.login}): its key is HMAC-SHA256 of {@code "bulwark lookup key v1|" + purpose} under
   * the first data key, which every later keyring of the store still holds (data keys are added,
   * never removed; a master key rotation re-wraps them unchanged), so hashes stay equal for the
   * life of the store.
   */
  public LookupKey lookupKey(String purpose) {
    requireNonNull(purpose, "purpose");
    byte[] first = key(keys.keySet().stream().min(Integer::compare).orElseThrow()).getEncoded();
    return new LookupKey(
        LookupKey.mac(
            first, ("bulwark lookup key v1|" + purpose).getBytes(StandardCharsets.UTF_8)));
  }

  SecretKey key(int id) {
    SecretKey k = keys.get(id);
    if (k == null) {
      throw new IllegalArgumentException("data key " + id + ": not held");
    }
    return k;
  }
}
