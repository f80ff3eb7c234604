package dev.bulwark.store.sealed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * An encrypted, integrity-checked stream (a backup archive): a header, then the content in chunks
 * sealed with AES-256-GCM under a fresh archive key that the master key wraps.
 *
 * <p>Header, format version 1 (97 bytes): the magic {@code BWBACKUP}; the version byte {@code
 * 0x01}; the master key id (16 ASCII hex digits); the wrapped archive key (61 bytes, see {@link
 * KeyWrap}); a random 7-byte nonce prefix; the chunk size (4 bytes big-endian). Each chunk is the
 * ciphertext of up to chunk-size bytes followed by its tag; every chunk but the last is full. A
 * chunk's nonce is the prefix, the chunk index (4 bytes) and a final flag (1 on the last chunk,
 * else 0), and its associated data is the whole header: a reordered, dropped, truncated or appended
 * chunk, and any edited byte, fails authentication.
 */
public final class SealedArchive {
  static final byte[] MAGIC = "BWBACKUP".getBytes(StandardCharsets.US_ASCII);
  static final byte VERSION = 1;
  static final int PREFIX_BYTES = 7;
  static final int HEADER_BYTES = MAGIC.length + 1 + 16 + KeyWrap.WRAPPED_BYTES + PREFIX_BYTES + 4;
  static final String PURPOSE = "bulwark archive key v1";

  /** The plaintext bytes in each full chunk. */
  public static final int CHUNK_BYTES = 64 * 1024;

  private SealedArchive() {}

  /**
   * Encrypts all of {@code in} into {@code out} under a new archive key; returns the bytes read.
   */
  public static long write(InputStream in, OutputStream out, MasterKey master) throws IOException {
    return write(in, out, master, CHUNK_BYTES);
  }

  static long write(InputStream in, OutputStream out, MasterKey master, int chunkBytes)
      throws IOException {
    refuseRemote(master);
    SecretKey key = AesGcm.newKey();
    byte[] prefix = AesGcm.random(PREFIX_BYTES);
    byte[] header =
        ByteBuffer.allocate(HEADER_BYTES)
            .put(MAGIC)
            .put(VERSION)
            .put(master.id().getBytes(StandardCharsets.US_ASCII))
            .put(KeyWrap.wrap(master, PURPOSE, 0, key))
            .put(prefix)
            .putInt(chunkBytes)
            .array();
    out.write(header);
    byte[] current = new byte[chunkBytes];
    byte[] next = new byte[chunkBytes];
    int n = in.readNBytes(current, 0, chunkBytes);
    long total = 0;
    for (int index = 0; ; index++) {
      int m = n == chunkBytes ? in.readNBytes(next, 0, chunkBytes) : 0;
      boolean last = m == 0;
      out.write(AesGcm.seal(key, nonce(prefix, index, last), header, current, 0, n));
      total += n;
      if (last) {
        return total;
      }
      if (index == Integer.MAX_VALUE) {
        throw new IOException("archive larger than the format allows");
      }
      byte[] swap = current;
      current = next;
      next = swap;
      n = m;
    }
  }

  /**
   * Checks and decrypts an archive from {@code in} into {@code out}; returns the bytes written.
   * What was written before a refusal must be discarded by the caller (write to a temporary file).
   *
   * @throws SealRefused with one line naming {@code name} when the archive is not one, is of
   *     another version, was encrypted under another master key, was modified or was truncated
   */
  public static long read(InputStream in, OutputStream out, MasterKey master, String name)
      throws IOException {
    refuseRemote(master);
    byte[] header = in.readNBytes(HEADER_BYTES);
    ByteBuffer h = ByteBuffer.wrap(header);
    if (header.length < MAGIC.length + 1
        || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
      throw new SealRefused(name + ": not a Bulwark backup archive");
    }
    h.position(MAGIC.length);
    byte version = h.get();
    if (version != VERSION) {
      throw new SealRefused(
          name + ": backup format version " + version + " (this Bulwark reads version 1)");
    }
    if (header.length < HEADER_BYTES) {
      throw new SealRefused(name + ": truncated (the header is incomplete)");
    }
    byte[] id = new byte[16];
    h.get(id);
    String masterId = new String(id, StandardCharsets.US_ASCII);
    if (!masterId.equals(master.id())) {
      throw new SealRefused(
          name
              + ": encrypted under master key "
              + masterId
              + ", but "
              + master.reference()
              + " is master key "
              + master.id()
              + " (use the master key that was current when the backup was made)");
    }
    byte[] wrapped = new byte[KeyWrap.WRAPPED_BYTES];
    h.get(wrapped);
    byte[] prefix = new byte[PREFIX_BYTES];
    h.get(prefix);
    int chunkBytes = h.getInt();
    SecretKey key = KeyWrap.unwrap(master, PURPOSE, 0, wrapped);
    if (key == null || chunkBytes < 1 || chunkBytes > 16 * 1024 * 1024) {
      throw new SealRefused(name + ": the archive header was modified (its key does not unwrap)");
    }
    return readChunks(new PushbackInputStream(in, 1), out, key, header, prefix, chunkBytes, name);
  }

  private static long readChunks(
      PushbackInputStream in,
      OutputStream out,
      SecretKey key,
      byte[] header,
      byte[] prefix,
      int chunkBytes,
      String name)
      throws IOException {
    int sealedBytes = chunkBytes + AesGcm.TAG_BYTES;
    long total = 0;
    for (int index = 0; ; index++) {
      byte[] chunk = in.readNBytes(sealedBytes);
      int peek = in.read();
      boolean last = peek < 0;
      if (!last) {
        in.unread(peek);
      }
      if (chunk.length == 0) {
        throw new SealRefused(name + ": truncated (no data after the header)");
      }
      byte[] plain = open(key, prefix, index, last, header, chunk);
      if (plain == null) {
        throw new SealRefused(name + ": " + whyNot(key, prefix, index, last, header, chunk));
      }
      out.write(plain);
      total += plain.length;
      if (last) {
        return total;
      }
      if (index == Integer.MAX_VALUE) {
        throw new SealRefused(name + ": more chunks than the format allows");
      }
    }
  }

  private static String whyNot(
      SecretKey key, byte[] prefix, int index, boolean last, byte[] header, byte[] chunk) {
    if (open(key, prefix, index, !last, header, chunk) != null) {
      return last
          ? "truncated after chunk " + index + " (the final chunk is missing)"
          : "data after the final chunk " + index + " (the archive was modified)";
    }
    return "chunk "
        + index
        + " failed authentication (the archive was modified"
        + (last ? " or truncated)" : ")");
  }

  private static byte @Nullable [] open(
      SecretKey key, byte[] prefix, int index, boolean last, byte[] header, byte[] chunk) {
    return AesGcm.open(key, nonce(prefix, index, last), header, chunk, 0, chunk.length);
  }

  private static byte[] nonce(byte[] prefix, int index, boolean last) {
    return ByteBuffer.allocate(AesGcm.NONCE_BYTES)
        .put(prefix)
        .putInt(index)
        .put((byte) (last ? 1 : 0))
        .array();
  }

  /** The archive header has room for a locally wrapped key only (61 bytes). */
  private static void refuseRemote(MasterKey master) {
    if (master.remote()) {
      throw new SealRefused(
          master.reference()
              + ": backups are sealed under a local master key only (set store.master-key to a"
              + " ${file:..} or ${env:..} reference to make or read a backup; see"
              + " docs/encryption-at-rest.md)");
    }
  }
}
