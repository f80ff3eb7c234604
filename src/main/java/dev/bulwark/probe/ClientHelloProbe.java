package dev.bulwark.probe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;

/**
 * Offers one TLS protocol version and a chosen list of cipher suites with a hand-built ClientHello,
 * and reads only the server's first answer.
 *
 * <p>The JDK refuses to offer TLS 1.0/1.1 or broken suites (and its policy is JVM-wide), so the
 * probe writes the ClientHello itself; it never completes such a handshake, it only learns whether
 * the server would.
 */
final class ClientHelloProbe {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TlsConnector connector;
  private final ProbeTarget target;

  ClientHelloProbe(TlsConnector connector, ProbeTarget target) {
    this.connector = connector;
    this.target = target;
  }

  /** What the server answered to a ClientHello. */
  sealed interface Answer permits Accepted, Refused, NotTls {}

  /** The server chose a version and suite: it would complete this handshake. */
  record Accepted(TlsVersion version, CipherSuite suite) implements Answer {}

  /** The server refused with an alert or by closing the connection. */
  record Refused(String reason) implements Answer {}

  /** The server answered with something that is not TLS, e.g. a plain HTTP response. */
  record NotTls(String firstBytes) implements Answer {}

  /** Sends a ClientHello offering exactly this version and these suites. */
  Answer offer(TlsVersion version, List<CipherSuite> suites) throws IOException {
    try (Socket socket = connector.connectTcp(target.port());
        Deadline deadline = Deadline.start(socket, connector.timeoutMillis())) {
      try {
        socket.getOutputStream().write(clientHello(version, suites));
        socket.getOutputStream().flush();
        return readAnswer(socket);
      } catch (SocketException e) {
        if (deadline.expired()) {
          throw TlsConnector.timeout("no answer to the ClientHello before the deadline", e);
        }
        // A reset right after the hello is how some stacks refuse a version.
        return new Refused("connection reset (" + e.getMessage() + ")");
      }
    }
  }

  private static Answer readAnswer(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] header = new byte[5];
    int got = 0;
    while (got < header.length) {
      int n = in.read(header, got, header.length - got);
      if (n < 0) {
        if (got == 0) {
          return new Refused("connection closed without an answer");
        }
        return new NotTls(hexOrText(header, got));
      }
      got += n;
    }
    int type = header[0] & 0xff;
    int major = header[1] & 0xff;
    int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
    if ((type != 0x15 && type != 0x16) || major != 3 || length == 0 || length > 18432) {
      return new NotTls(firstBytes(socket, in, header));
    }
    byte[] body = new byte[length];
    try {
      in.readFully(body);
    } catch (EOFException e) {
      return new Refused("connection closed mid-record");
    }
    if (type == 0x15) {
      int description = body.length > 1 ? body[1] & 0xff : -1;
      return new Refused("alert " + alertName(description));
    }
    // Handshake record: expect ServerHello (type 2) at the start.
    if ((body[0] & 0xff) != 2 || body.length < 4 + 2 + 32 + 1) {
      return new Refused("handshake message " + (body[0] & 0xff) + " instead of ServerHello");
    }
    int serverVersion = ((body[4] & 0xff) << 8) | (body[5] & 0xff);
    int sessionIdLength = body[38] & 0xff;
    int suiteOffset = 39 + sessionIdLength;
    if (body.length < suiteOffset + 2) {
      return new Refused("truncated ServerHello");
    }
    int suite = ((body[suiteOffset] & 0xff) << 8) | (body[suiteOffset + 1] & 0xff);
    TlsVersion version = TlsVersion.fromWire(serverVersion);
    if (version == null) {
      return new Refused(
          String.format(Locale.ROOT, "ServerHello with version 0x%04X", serverVersion));
    }
    return new Accepted(version, CipherSuite.byCode(suite));
  }

  /** Reads a little more of a non-TLS answer, briefly, so the evidence can name the service. */
  private static String firstBytes(Socket socket, InputStream in, byte[] header) {
    byte[] bytes = new byte[48];
    System.arraycopy(header, 0, bytes, 0, header.length);
    int n = header.length;
    try {
      socket.setSoTimeout(300);
      while (n < bytes.length) {
        int r = in.read(bytes, n, bytes.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException e) {
      // whatever arrived before the short wait is enough to name the service
    }
    int end = n;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    return hexOrText(bytes, end);
  }

  private byte[] clientHello(TlsVersion version, List<CipherSuite> suites) {
    ByteArrayOutputStream hello = new ByteArrayOutputStream(512);
    writeShort(hello, version.wire());
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    hello.writeBytes(random);
    hello.write(0); // no session id
    writeShort(hello, suites.size() * 2 + 2);
    for (CipherSuite suite : suites) {
      writeShort(hello, suite.code());
    }
    writeShort(hello, 0x00FF); // renegotiation SCSV: some servers insist on it
    hello.write(1);
    hello.write(0); // compression: null only

    ByteArrayOutputStream extensions = new ByteArrayOutputStream(256);
    if (!target.hostIsIpLiteral()) {
      byte[] name = target.host().getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream sni = new ByteArrayOutputStream();
      writeShort(sni, name.length + 3);
      sni.write(0);
      writeShort(sni, name.length);
      sni.writeBytes(name);
      extension(extensions, 0x0000, sni.toByteArray());
    }
    // supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048
    extension(extensions, 0x000A, shorts(true, 0x001D, 0x0017, 0x0018, 0x0019, 0x0100));
    extension(extensions, 0x000B, new byte[] {1, 0}); // ec_point_formats: uncompressed
    extension(
        extensions,
        0x000D, // signature_algorithms
        shorts(
            true, 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201,
            0x0203));
    extension(extensions, 0x0017, new byte[0]); // extended_master_secret
    byte[] ext = extensions.toByteArray();
    writeShort(hello, ext.length);
    hello.writeBytes(ext);

    byte[] body = hello.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream(body.length + 9);
    record.write(0x16);
    writeShort(record, 0x0301); // record layer version 1.0, as every client does for a hello
    writeShort(record, body.length + 4);
    record.write(0x01); // ClientHello
    record.write((body.length >>> 16) & 0xff);
    writeShort(record, body.length & 0xffff);
    record.writeBytes(body);
    return record.toByteArray();
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    writeShort(out, type);
    writeShort(out, data.length);
    out.writeBytes(data);
  }

  private static byte[] shorts(boolean lengthPrefixed, int... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (lengthPrefixed) {
      writeShort(out, values.length * 2);
    }
    for (int v : values) {
      writeShort(out, v);
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int value) {
    out.write((value >>> 8) & 0xff);
    out.write(value & 0xff);
  }

  private static String hexOrText(byte[] bytes, int n) {
    long printable = 0;
    for (int i = 0; i < n; i++) {
      int c = bytes[i] & 0xff;
      if ((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t') {
        printable++;
      }
    }
    if (n > 0 && printable * 10 >= n * 9L) {
      StringBuilder text = new StringBuilder("\"");
      for (int i = 0; i < n; i++) {
        int c = bytes[i] & 0xff;
        if (c == '\r') {
          text.append("\\r");
        } else if (c == '\n') {
          text.append("\\n");
        } else if (c >= 0x20 && c < 0x7f) {
          text.append((char) c);
        } else {
          text.append(String.format(Locale.ROOT, "\\x%02x", c));
        }
      }
      return text.append('"').toString();
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < n; i++) {
      hex.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
    }
    return hex.toString();
  }

  private static String alertName(int description) {
    return switch (description) {
      case 40 -> "handshake_failure";
      case 47 -> "illegal_parameter";
      case 50 -> "decode_error";
      case 70 -> "protocol_version";
      case 71 -> "insufficient_security";
      case 80 -> "internal_error";
      case 86 -> "inappropriate_fallback";
      case 112 -> "unrecognized_name";
      default -> Integer.toString(description);
    };
  }
}
