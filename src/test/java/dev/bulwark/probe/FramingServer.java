package dev.bulwark.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A tiny HTTPS/1.1 server for the intrusive probes. Strict, it frames requests the way a hardened
 * gateway must: 400 and close for CL+TE, duplicate Content-Length or any Transfer-Encoding, and 408
 * when the header section is not complete within a deadline. Lenient, it does what desyncs: any
 * Transfer-Encoding mentioning chunked wins over Content-Length, the first Content-Length wins,
 * connections stay open and headers may trickle for ever.
 */
final class FramingServer implements AutoCloseable {
  private final SSLServerSocket server;
  private final long headerDeadlineMillis;
  private final boolean strict;

  /** Starts a strict server with the given header deadline. */
  static FramingServer strict(TestPki pki, long headerDeadlineMillis) {
    return new FramingServer(pki, headerDeadlineMillis, true);
  }

  /** Starts a lenient server without a header deadline. */
  static FramingServer lenient(TestPki pki) {
    return new FramingServer(pki, 60_000, false);
  }

  private FramingServer(TestPki pki, long headerDeadlineMillis, boolean strict) {
    this.headerDeadlineMillis = headerDeadlineMillis;
    this.strict = strict;
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server", pki.leafKey.getPrivate(), new char[0], new Certificate[] {pki.leaf, pki.ca});
      KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
      factory.init(keys, new char[0]);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      server =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      server.setEnabledProtocols(new String[] {"TLSv1.3"});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "strict-http-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "https://127.0.0.1:" + server.getLocalPort() + "/";
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread worker = new Thread(() -> serve(socket), "strict-http-worker");
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      long deadline = System.currentTimeMillis() + headerDeadlineMillis;
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      List<String> lines = new ArrayList<>();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int total = 0;
      while (true) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          respond(out, 408, "request timeout");
          return;
        }
        socket.setSoTimeout((int) left);
        int b;
        try {
          b = in.read();
        } catch (SocketTimeoutException e) {
          respond(out, 408, "request timeout");
          return;
        }
        if (b < 0) {
          return;
        }
        if (++total > 8192) {
          respond(out, 431, "header section too large");
          return;
        }
        if (b == '\n') {
          String text = line.toString(StandardCharsets.ISO_8859_1);
          if (!text.endsWith("\r")) {
            respond(out, 400, "bare LF");
            return;
          }
          text = text.substring(0, text.length() - 1);
          if (text.isEmpty()) {
            break;
          }
          lines.add(text);
          line.reset();
        } else {
          line.write(b);
        }
      }
      if (!strict) {
        serveLeniently(socket, lines, out);
        return;
      }
      int contentLength = framing(lines);
      if (contentLength < 0) {
        respond(out, 400, "ambiguous framing");
        return;
      }
      socket.setSoTimeout(2_000);
      in.readNBytes(contentLength);
      respond(out, 200, "ok");
    } catch (IOException e) {
      // the probe hung up
    }
  }

  private static void serveLeniently(Socket socket, List<String> lines, OutputStream out)
      throws IOException {
    InputStream in = socket.getInputStream();
    socket.setSoTimeout(30_000);
    String length = null;
    boolean chunked = false;
    for (String header : lines.subList(1, lines.size())) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      if (name.equals("transfer-encoding") && value.contains("chunked")) {
        chunked = true;
      } else if (name.equals("content-length") && length == null) {
        length = value;
      }
    }
    if (chunked) {
      while (true) {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        if (size == 0) {
          while (!readLine(in).isEmpty()) {
            // trailers
          }
          break;
        }
        in.readNBytes(size);
        readLine(in);
      }
    } else if (length != null && length.matches("\\d{1,6}")) {
      in.readNBytes(Integer.parseInt(length));
    }
    String body = "{\"status\":\"ok\"}";
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    while (in.read() >= 0) {
      // keep the connection open, reading whatever follows
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /** Returns the body length, or -1 when the framing headers are ambiguous or unsupported. */
  private static int framing(List<String> lines) {
    List<String> lengths = new ArrayList<>();
    int encodings = 0;
    for (String header : lines.subList(1, lines.size())) {
      int colon = header.indexOf(':');
      if (colon <= 0
          || header.charAt(0) == ' '
          || header.charAt(0) == '\t'
          || header.substring(0, colon).matches(".*\\s.*")) {
        return -1;
      }
      String name = header.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        lengths.add(value);
      } else if (name.equals("transfer-encoding")) {
        encodings++;
      }
    }
    if (encodings > 0 || lengths.size() > 1) {
      return -1; // this server takes no chunked bodies at all: refusing is always safe
    }
    if (lengths.isEmpty()) {
      return 0;
    }
    return lengths.get(0).matches("\\d{1,6}") ? Integer.parseInt(lengths.get(0)) : -1;
  }

  private static void respond(OutputStream out, int status, String message) throws IOException {
    String body = "{\"error\":\"" + message + "\",\"status\":" + status + "}";
    out.write(
        ("HTTP/1.1 "
                + status
                + " "
                + message
                + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\nConnection: close\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
