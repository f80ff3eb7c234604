package dev.bulwark.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A TLS front for a plain SMTP server in tests (GreenMail speaks neither STARTTLS nor TLS with a
 * certificate of the test's choosing): in {@code IMPLICIT} mode it accepts TLS from the first byte
 * and relays to the server; in {@code STARTTLS} mode it relays the greeting and EHLO (adding {@code
 * STARTTLS} to the capabilities), answers STARTTLS itself, upgrades the client's connection, then
 * relays the rest. {@code HANG} accepts connections and never says a word. Certificates are
 * generated at test time ({@link TestCertificates}).
 */
public final class SmtpFront implements AutoCloseable {
  /** How the front talks to clients. */
  public enum Mode {
    IMPLICIT,
    STARTTLS,
    HANG
  }

  private final ServerSocket server;
  private final Mode mode;
  private final int backendPort;
  private final SSLContext tls;
  private final List<Socket> open = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final TestCertificates.Issued ca;
  private volatile boolean closed;

  private SmtpFront(Mode mode, int backendPort, String name) throws Exception {
    this.mode = mode;
    this.backendPort = backendPort;
    this.ca = TestCertificates.ca("test smtp ca");
    TestCertificates.Issued leaf =
        TestCertificates.issuedBy(
            name,
            ca,
            java.time.Instant.now().minusSeconds(3600),
            java.time.Instant.now().plusSeconds(86_400),
            "dns:" + name);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "smtp",
        leaf.keys().getPrivate(),
        new char[0],
        new Certificate[] {leaf.certificate(), ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    this.tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "smtp-front");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Starts a front in {@code mode} before the plain SMTP server on {@code backendPort}, with a
   * certificate for {@code name} signed by a CA made for it.
   */
  public static SmtpFront start(Mode mode, int backendPort, String name) throws Exception {
    return new SmtpFront(mode, backendPort, name);
  }

  /** Returns the port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Returns how many connections were accepted. */
  public int connections() {
    return connections.get();
  }

  /** Writes the CA certificate (PEM) that signed the front's certificate. */
  public Path writeCa(Path file) {
    return ca.writeCertificate(file);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        connections.incrementAndGet();
        synchronized (open) {
          open.add(client);
        }
        Thread t = new Thread(() -> serve(client), "smtp-front-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    if (mode == Mode.HANG) {
      return; // keep it open, say nothing
    }
    try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
      synchronized (open) {
        open.add(backend);
      }
      SSLSocketFactory f = tls.getSocketFactory();
      Socket front;
      if (mode == Mode.IMPLICIT) {
        SSLSocket s = (SSLSocket) f.createSocket(client, null, client.getPort(), true);
        s.setUseClientMode(false);
        s.startHandshake();
        front = s;
      } else {
        front = startTls(client, backend, f);
        if (front == null) {
          return;
        }
      }
      Socket fr = front;
      Thread up = new Thread(() -> pump(fr, backend), "smtp-front-up");
      up.setDaemon(true);
      up.start();
      pump(backend, front);
    } catch (IOException e) {
      // the client or the server went away
    } finally {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  /** Relays until the client asks for STARTTLS, then upgrades it; null when it never asked. */
  private static Socket startTls(Socket client, Socket backend, SSLSocketFactory f)
      throws IOException {
    BufferedReader fromServer =
        new BufferedReader(
            new InputStreamReader(backend.getInputStream(), StandardCharsets.US_ASCII));
    BufferedReader fromClient =
        new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream toClient = client.getOutputStream();
    OutputStream toServer = backend.getOutputStream();
    relayReply(fromServer, toClient, false); // greeting
    while (true) {
      String line = fromClient.readLine();
      if (line == null) {
        return null;
      }
      String upper = line.toUpperCase(java.util.Locale.ROOT);
      if (upper.startsWith("STARTTLS")) {
        toClient.write("220 2.0.0 Ready to start TLS\r\n".getBytes(StandardCharsets.US_ASCII));
        toClient.flush();
        SSLSocket s = (SSLSocket) f.createSocket(client, null, client.getPort(), true);
        s.setUseClientMode(false);
        s.startHandshake();
        return s;
      }
      toServer.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      toServer.flush();
      relayReply(fromServer, toClient, upper.startsWith("EHLO"));
    }
  }

  private static void relayReply(BufferedReader from, OutputStream to, boolean addStartTls)
      throws IOException {
    List<String> lines = new ArrayList<>();
    String l;
    do {
      l = from.readLine();
      if (l == null) {
        throw new IOException("server closed");
      }
      lines.add(l);
    } while (l.length() > 3 && l.charAt(3) == '-');
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      boolean last = i == lines.size() - 1;
      if (addStartTls && last && line.startsWith("250")) {
        out.append("250-").append(line.substring(4)).append("\r\n");
        out.append("250 STARTTLS\r\n");
      } else {
        out.append(line).append("\r\n");
      }
    }
    to.write(out.toString().getBytes(StandardCharsets.US_ASCII));
    to.flush();
  }

  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        to.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    synchronized (open) {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
  }
}
