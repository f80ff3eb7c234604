package dev.bulwark.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A TCP relay in front of the shared PostgreSQL that a test can cut (every connection closed, new
 * ones closed at once, as when the server stops) and restore, without touching the server other
 * tests and helpers use.
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong fromServer = new AtomicLong();
  private volatile boolean cut;

  CuttableProxy(String targetHost, int targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    Thread t = new Thread(this::accept, "cuttable-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (cut) {
          client.close();
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        open.add(client);
        open.add(upstream);
        pump(client, upstream, null);
        pump(upstream, client, fromServer);
      } catch (IOException e) {
        // closed, or the upstream refused: the client sees its connection close
      }
    }
  }

  /** Returns how many bytes the server has sent through the relay so far. */
  long bytesFromServer() {
    return fromServer.get();
  }

  private void pump(Socket from, Socket to, @Nullable AtomicLong counted) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  out.write(buf, 0, n);
                  out.flush();
                  if (counted != null) {
                    counted.addAndGet(n);
                  }
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                close(from);
                close(to);
              }
            },
            "cuttable-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Closes every relayed connection and refuses new ones until {@link #restore}. */
  void cut() {
    cut = true;
    for (Socket s : Set.copyOf(open)) {
      close(s);
    }
  }

  /** Relays new connections again. */
  void restore() {
    cut = false;
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
