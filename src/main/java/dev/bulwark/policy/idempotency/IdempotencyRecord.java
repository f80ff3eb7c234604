package dev.bulwark.policy.idempotency;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the store holds under a key, in this policy's own format (the store sees bytes): the claim
 * of a request in flight (its fingerprint and its owner's random token), or a completed response
 * (fingerprint, status, headers, body, or no body when it was over the bound). A record that does
 * not decode is treated as a store failure.
 */
sealed interface IdempotencyRecord {
  int MAGIC = 0x424b4931; // "BKI1"
  int MAX_HEADERS = 512;

  /** Returns the fingerprint of the request that made the record. */
  String fingerprint();

  /** Returns the record's bytes. */
  byte[] encode();

  /** A request being executed, claimed by the gateway holding {@code owner}. */
  record InFlight(String fingerprint, String owner) implements IdempotencyRecord {
    public InFlight {
      requireNonNull(fingerprint, "fingerprint");
      requireNonNull(owner, "owner");
    }

    @Override
    public byte[] encode() {
      return write(
          out -> {
            out.writeByte('F');
            out.writeUTF(fingerprint);
            out.writeUTF(owner);
          });
    }
  }

  /**
   * A completed response: status, headers as sent (name, value pairs), and body, or an empty body
   * with {@code bodyOmitted} when it was larger than the route's bound.
   */
  record Completed(
      String fingerprint, int status, List<String[]> headers, byte[] body, boolean bodyOmitted)
      implements IdempotencyRecord {
    public Completed {
      requireNonNull(fingerprint, "fingerprint");
      headers = List.copyOf(headers);
      requireNonNull(body, "body");
    }

    @Override
    public byte[] encode() {
      return write(
          out -> {
            out.writeByte('D');
            out.writeUTF(fingerprint);
            out.writeShort(status);
            out.writeBoolean(bodyOmitted);
            out.writeShort(headers.size());
            for (String[] h : headers) {
              out.writeUTF(h[0]);
              out.writeUTF(h[1]);
            }
            out.writeInt(body.length);
            out.write(body);
          });
    }
  }

  /** Returns the record {@code bytes} hold, or null when they are not one of this format. */
  static @Nullable IdempotencyRecord decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        return null;
      }
      int type = in.readByte();
      String fingerprint = in.readUTF();
      if (type == 'F') {
        return new InFlight(fingerprint, in.readUTF());
      }
      if (type != 'D') {
        return null;
      }
      int status = in.readUnsignedShort();
      boolean omitted = in.readBoolean();
      int count = in.readUnsignedShort();
      if (count > MAX_HEADERS) {
        return null;
      }
      List<String[]> headers = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        headers.add(new String[] {in.readUTF(), in.readUTF()});
      }
      int length = in.readInt();
      if (length < 0 || length > in.available()) {
        return null;
      }
      byte[] body = new byte[length];
      in.readFully(body);
      return new Completed(fingerprint, status, headers, body, omitted);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Writes a record's fields after its magic number. */
  @FunctionalInterface
  interface Fields {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      fields.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory", e);
    }
    return bytes.toByteArray();
  }
}
