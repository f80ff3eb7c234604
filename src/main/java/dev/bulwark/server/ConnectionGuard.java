package dev.bulwark.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes connections that hold the gateway without sending requests: a new connection must deliver
 * its first request head within the header timeout, and a connection with no request in flight is
 * closed after the idle timeout (slowloris defence; Vert.x only has idle timeouts, which a client
 * trickling bytes defeats). A sweep every half second per event loop; confined to that event loop.
 */
final class ConnectionGuard {
  private static final long SWEEP_MS = 500;

  private final Map<HttpConnection, State> connections = new IdentityHashMap<>();
  private final Supplier<CompiledGateway> config;
  private long timerId = -1;

  private static final class State {
    final long openedNanos;
    long idleSinceNanos;
    int inFlight;
    boolean seenRequest;

    State(long now) {
      this.openedNanos = now;
    }
  }

  ConnectionGuard(Supplier<CompiledGateway> config) {
    this.config = config;
  }

  void start(Vertx vertx) {
    timerId = vertx.setPeriodic(SWEEP_MS, id -> sweep(System.nanoTime()));
  }

  void stop(Vertx vertx) {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  void opened(HttpConnection conn) {
    connections.put(conn, new State(System.nanoTime()));
    conn.closeHandler(v -> connections.remove(conn));
  }

  void requestStarted(HttpConnection conn) {
    State s = connections.get(conn);
    if (s != null) {
      s.seenRequest = true;
      s.inFlight++;
    }
  }

  void requestFinished(HttpConnection conn) {
    State s = connections.get(conn);
    if (s != null && s.inFlight > 0 && --s.inFlight == 0) {
      s.idleSinceNanos = System.nanoTime();
    }
  }

  int size() {
    return connections.size();
  }

  void sweep(long now) {
    if (connections.isEmpty()) {
      return;
    }
    CompiledGateway gw = config.get();
    long header = gw.config().server().headerTimeout().toNanos();
    long idle = gw.config().server().idleTimeout().toNanos();
    List<HttpConnection> expired = null;
    for (Map.Entry<HttpConnection, State> e : connections.entrySet()) {
      State s = e.getValue();
      if (s.inFlight > 0) {
        continue;
      }
      boolean late = s.seenRequest ? now - s.idleSinceNanos > idle : now - s.openedNanos > header;
      if (late) {
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(e.getKey());
      }
    }
    if (expired != null) {
      for (HttpConnection c : expired) {
        connections.remove(c);
        c.close();
      }
    }
  }
}
