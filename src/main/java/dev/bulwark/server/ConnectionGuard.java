package dev.bulwark.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.Http2ServerConnection;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes connections that hold the gateway without sending requests: a new connection must deliver
 * its first request head within the header timeout, so must a kept-alive connection once the next
 * request's first bytes arrive, and a connection with no request in flight is closed after the idle
 * timeout (slowloris defence; Vert.x only has idle timeouts, which a client trickling bytes
 * defeats). A sweep every half second per event loop; confined to that event loop.
 */
final class ConnectionGuard {
  private static final long SWEEP_MS = 500;
  private static final String CHUNKED_WRITER = "chunkedWriter";
  private static final String HTTP_DECODER = "httpDecoder";

  private final Map<HttpConnection, State> connections = new IdentityHashMap<>();
  private final Supplier<CompiledGateway> config;
  private final ConnectionCaps caps;
  private long timerId = -1;

  private static final class State {
    final long openedNanos;
    long idleSinceNanos;

    /** When the first bytes of the next request arrived on an idle connection, or 0. */
    long nextHeadSinceNanos;

    int inFlight;
    boolean seenRequest;

    /** A connection-ending answer was decided: nothing more is read or run on it. */
    boolean closing;

    State(long now) {
      this.openedNanos = now;
    }
  }

  ConnectionGuard(Supplier<CompiledGateway> config, ConnectionCaps caps) {
    this.config = config;
    this.caps = caps;
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
    // Admission (bans under drop) and caps first: a refused connection is closed before it costs
    // anything more.
    CompiledGateway gw = config.get();
    SocketAddress remote = conn.remoteAddress();
    String peer = remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    String client = gw.clients().resolve(peer, List.of(), List.of());
    boolean trusted = gw.clients().isTrusted(peer);
    if (!trusted && !gw.admitsConnection(client)) {
      conn.close();
      return;
    }
    if (!caps.admit(client, trusted)) {
      conn.close();
      return;
    }
    State state = new State(System.nanoTime());
    connections.put(conn, state);
    conn.closeHandler(
        v -> {
          connections.remove(conn);
          caps.release(client, trusted);
        });
    if (conn instanceof Http1xServerConnection base) {
      // Bytes arriving on an idle HTTP/1 connection start the next request's header clock, so a
      // client that sends one good request and then trickles the next is held to the header
      // timeout. Not on HTTP/2, where idle clients legitimately send PING and WINDOW_UPDATE.
      ChannelPipeline pipeline = base.channel().pipeline();
      pipeline.addFirst("bulwark-first-byte", new FirstByteWatch(state));
      if (pipeline.get(HTTP_DECODER) != null) {
        pipeline.addAfter(HTTP_DECODER, "bulwark-version", VersionGuard.INSTANCE);
        pipeline.addAfter("bulwark-version", "bulwark-body-framing", BodyFramingGuard.INSTANCE);
      }
      // Vert.x adds a ChunkedWriteHandler to TLS pipelines for sendFile, which the gateway never
      // uses; it would queue and re-dispatch every write of every response.
      if (pipeline.get(CHUNKED_WRITER) instanceof ChunkedWriteHandler) {
        pipeline.remove(CHUNKED_WRITER);
      }
    } else if (conn instanceof Http2ServerConnection h2) {
      Http2ConnectionChecks.install(h2.channel());
    }
  }

  /** Notes the first bytes after an idle period; runs on the connection's event loop. */
  private static final class FirstByteWatch extends ChannelInboundHandlerAdapter {
    private final State state;

    FirstByteWatch(State state) {
      this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state.closing) {
        // After a framing error or another connection-ending answer, the bytes that follow are
        // not trusted to be a next request: they are never decoded.
        io.netty.util.ReferenceCountUtil.release(msg);
        return;
      }
      if (state.inFlight == 0 && state.seenRequest && state.nextHeadSinceNanos == 0) {
        state.nextHeadSinceNanos = System.nanoTime();
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Marks an HTTP/1 connection as ending: later bytes are dropped, queued requests never run. */
  void closing(HttpConnection conn) {
    State s = connections.get(conn);
    if (s != null) {
      s.closing = true;
    }
  }

  /** Whether a connection-ending answer was decided on this connection. */
  boolean isClosing(HttpConnection conn) {
    State s = connections.get(conn);
    return s != null && s.closing;
  }

  void requestStarted(HttpConnection conn) {
    State s = connections.get(conn);
    if (s != null) {
      s.seenRequest = true;
      s.inFlight++;
      s.nextHeadSinceNanos = 0;
    }
  }

  void requestFinished(HttpConnection conn) {
    State s = connections.get(conn);
    if (s != null && s.inFlight > 0 && --s.inFlight == 0) {
      s.idleSinceNanos = System.nanoTime();
    }
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
      boolean late;
      if (!s.seenRequest) {
        late = now - s.openedNanos > header;
      } else if (s.nextHeadSinceNanos != 0) {
        late = now - s.nextHeadSinceNanos > header;
      } else {
        late = now - s.idleSinceNanos > idle;
      }
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
