package dev.bulwark.probe;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Sends HTTP/1.1 requests to the target over TLS, one connection per request unless a keep-alive
 * session is asked for, never following redirects and counting every request sent.
 */
final class ProbeHttpClient {
  /** Requests above this size are written while the response is already being read. */
  static final int LARGE_REQUEST_BYTES = 16 * 1024;

  private final ProbeOptions options;
  private final TlsConnector connector;
  private final AtomicInteger requestsSent = new AtomicInteger();
  private volatile @Nullable ProbeResponse firstRateLimited;

  ProbeHttpClient(ProbeOptions options, TlsConnector connector) {
    this.options = options;
    this.connector = connector;
  }

  /** Returns how many bytes of a response body are read at most. */
  int maxBodyBytes() {
    return options.maxBodyBytes();
  }

  /** Returns the number of requests written to the target so far. */
  int requestsSent() {
    return requestsSent.get();
  }

  /** Returns the first 429 response any check received, or {@code null} when none did. */
  @Nullable ProbeResponse firstRateLimited() {
    return firstRateLimited;
  }

  /** Sends one request on a new connection and reads the response within the deadline. */
  ProbeResponse send(ProbeRequest request) throws IOException {
    try (Session session = openSession()) {
      return session.send(request, false);
    }
  }

  /** What the server did with a hand-framed request: its answer and the connection after it. */
  record RawExchange(ProbeResponse response, String connectionAfter) {}

  /**
   * Sends exact bytes on a new connection, reads one response within the deadline, then watches the
   * connection briefly: a server should close it after a framing error.
   */
  RawExchange sendRaw(String raw, long timeoutMillis) throws IOException {
    try (Socket socket = connector.open();
        Deadline deadline = Deadline.start(socket, timeoutMillis + 1_000)) {
      long start = System.nanoTime();
      try {
        OutputStream out = socket.getOutputStream();
        requestsSent.incrementAndGet();
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in =
            new BufferedInputStream(new DeadlineInputStream(socket, start, timeoutMillis));
        ProbeResponse response = new ResponseReader(in, options.maxBodyBytes()).read(false, start);
        return new RawExchange(response, connectionAfter(socket, in, response));
      } catch (IOException e) {
        throw deadline.expired() ? TlsConnector.timeout("no response before the deadline", e) : e;
      }
    }
  }

  private static String connectionAfter(
      Socket socket, InputStream buffered, ProbeResponse response) {
    if (!response.reusable() && response.announcesClose()) {
      return "closed";
    }
    try {
      byte[] extra = new byte[64];
      int n;
      if (buffered.available() > 0) {
        n = buffered.read(extra);
      } else {
        socket.setSoTimeout(500);
        n = socket.getInputStream().read(extra);
      }
      if (n < 0) {
        return "closed";
      }
      return "sent more bytes: "
          + ResponseReader.printable(new String(extra, 0, n, StandardCharsets.ISO_8859_1));
    } catch (SocketTimeoutException e) {
      return "left open";
    } catch (IOException e) {
      return "closed";
    }
  }

  /** Opens a keep-alive session: several requests on one connection while the server allows. */
  Session openSession() throws IOException {
    return new Session(connector.open(), options.target().authority());
  }

  /** Wraps an already connected socket (plain or TLS) as a session for the given authority. */
  Session attach(Socket socket, String authority) {
    return new Session(socket, authority);
  }

  /** Sends one request over plain HTTP to the given port of the target host. */
  ProbeResponse sendPlain(int port, ProbeRequest request) throws IOException {
    String authority = options.target().authority(port, 80);
    try (Session session = attach(connector.connectTcp(port), authority)) {
      return session.send(request, false);
    }
  }

  /** Counts a request that a check wrote on its own socket. */
  void countRequest() {
    requestsSent.incrementAndGet();
  }

  /** One TLS connection carrying requests in sequence. */
  final class Session implements Closeable {
    private final Socket socket;
    private final String authority;
    private boolean usable = true;

    private Session(Socket socket, String authority) {
      this.socket = socket;
      this.authority = authority;
    }

    /** Returns whether another request may be sent on this connection. */
    boolean usable() {
      return usable;
    }

    /** Sends one request and reads its response. */
    ProbeResponse send(ProbeRequest request, boolean keepAlive) throws IOException {
      if (!usable) {
        throw new IOException("connection no longer usable");
      }
      usable = false;
      long start = System.nanoTime();
      long timeoutMillis = options.timeout().toMillis();
      ProbeResponse response;
      try (Deadline deadline = Deadline.start(socket, timeoutMillis)) {
        try {
          byte[] bytes = request.encode(authority, options.userAgent(), keepAlive);
          requestsSent.incrementAndGet();
          InputStream in =
              new BufferedInputStream(new DeadlineInputStream(socket, start, timeoutMillis));
          ResponseReader reader = new ResponseReader(in, options.maxBodyBytes());
          boolean head = request.method().equals("HEAD");
          if (bytes.length > LARGE_REQUEST_BYTES) {
            response = sendWhileReading(bytes, reader, head, start);
          } else {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            response = reader.read(head, start);
          }
        } catch (IOException e) {
          throw deadline.expired() ? TlsConnector.timeout("no response before the deadline", e) : e;
        }
      }
      usable = keepAlive && response.reusable();
      if (response.status() == 429 && firstRateLimited == null) {
        firstRateLimited = response;
      }
      return response;
    }

    /**
     * Writes a large request while another thread already reads: a server that refuses it early
     * (431, 414) answers and closes before the write ends, and the write then fails with a broken
     * pipe although the answer is already on its way.
     */
    private ProbeResponse sendWhileReading(
        byte[] bytes, ResponseReader reader, boolean head, long start) throws IOException {
      CompletableFuture<ProbeResponse> answer = new CompletableFuture<>();
      Thread readerThread =
          new Thread(
              () -> {
                try {
                  answer.complete(reader.read(head, start));
                } catch (IOException | RuntimeException e) {
                  answer.completeExceptionally(e);
                }
              },
              "bulwark-probe-reader");
      readerThread.setDaemon(true);
      readerThread.start();
      IOException writeFailure = null;
      try {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        writeFailure = e;
      }
      try {
        return answer.get();
      } catch (ExecutionException e) {
        if (writeFailure != null) {
          throw writeFailure;
        }
        Throwable cause = e.getCause();
        throw cause instanceof IOException io ? io : new IOException(cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading");
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Fails a read once the exchange's deadline has passed, however slowly bytes trickle in. */
  static final class DeadlineInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;

    DeadlineInputStream(Socket socket, long startNanos, long timeoutMillis) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    private void arm() throws IOException {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (remaining <= 0) {
        throw new SocketTimeoutException("no complete response before the deadline");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remaining));
    }

    @Override
    public int read() throws IOException {
      arm();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return in.read(b, off, len);
    }
  }
}
