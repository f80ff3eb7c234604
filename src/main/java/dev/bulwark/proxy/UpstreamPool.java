package dev.bulwark.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The keep-alive connections of one event loop to one upstream (host, port and TLS setting): at
 * most {@code maxSize} open, idle ones reused most-recent-first and closed after 30 seconds (or the
 * upstream's own {@code Keep-Alive: timeout}), and at most {@link UpstreamClients#MAX_WAIT_QUEUE}
 * exchanges waiting for one, each for no longer than its connect timeout. Confined to its event
 * loop.
 */
final class UpstreamPool {
  static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final @Nullable SslContext ssl;
  private final int maxSize;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int open;
  private int connecting;
  private boolean closed;
  private @Nullable ScheduledFuture<?> sweeper;

  UpstreamPool(
      Bootstrap bootstrap,
      EventLoop loop,
      InetSocketAddress address,
      @Nullable SslContext ssl,
      int maxSize) {
    this.bootstrap = bootstrap;
    this.loop = loop;
    this.address = address;
    this.ssl = ssl;
    this.maxSize = maxSize;
  }

  long keepAliveNanos() {
    return KEEP_ALIVE_NANOS;
  }

  /** Hands {@code exchange} a connection now, or once one is free or made, or fails it. */
  void acquire(UpstreamExchange exchange, long connectTimeoutMillis) {
    if (waiters.isEmpty()) {
      UpstreamConnection c = pollIdle();
      if (c != null) {
        c.assign(exchange);
        exchange.onConnection(c);
        return;
      }
    }
    if (closed) {
      exchange.onConnectFailure(new IOException("gateway is stopping"));
      return;
    }
    if (waiters.size() >= UpstreamClients.MAX_WAIT_QUEUE) {
      exchange.onConnectFailure(new PoolSaturatedException());
      return;
    }
    Waiter w = new Waiter(exchange, connectTimeoutMillis);
    waiters.add(w);
    w.deadline =
        loop.schedule(() -> expire(w), Math.max(1, connectTimeoutMillis), TimeUnit.MILLISECONDS);
    pump();
  }

  /** Takes back a connection whose exchange finished cleanly. */
  void release(UpstreamConnection c) {
    if (closed) {
      c.close();
      return;
    }
    Waiter w = waiters.poll();
    if (w != null) {
      w.cancelDeadline();
      c.assign(w.exchange);
      w.exchange.onConnection(c);
      return;
    }
    c.idleSince(System.nanoTime());
    idle.addFirst(c);
    if (sweeper == null) {
      sweeper = loop.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** A pooled connection closed (by either side). */
  void closed(UpstreamConnection c) {
    open--;
    idle.remove(c);
    if (!waiters.isEmpty()) {
      pump();
    }
  }

  /** Closes every idle connection and fails every waiting exchange; busy ones finish first. */
  void close() {
    closed = true;
    ScheduledFuture<?> s = sweeper;
    if (s != null) {
      s.cancel(false);
    }
    for (UpstreamConnection c : idle.toArray(new UpstreamConnection[0])) {
      c.close();
    }
    idle.clear();
    Waiter w;
    while ((w = waiters.poll()) != null) {
      w.cancelDeadline();
      w.exchange.onConnectFailure(new IOException("gateway is stopping"));
    }
  }

  private @Nullable UpstreamConnection pollIdle() {
    UpstreamConnection c;
    long now = 0;
    while ((c = idle.pollFirst()) != null) {
      if (now == 0) {
        now = System.nanoTime();
      }
      if (c.isOpen() && !c.expired(now)) {
        return c;
      }
      c.close();
    }
    return null;
  }

  /** Opens connections for the waiters no connection attempt is already under way for. */
  private void pump() {
    Waiter newest;
    while (open < maxSize
        && connecting < waiters.size()
        && !closed
        && (newest = waiters.peekLast()) != null) {
      open++;
      connecting++;
      connect(newest.timeoutMillis);
    }
  }

  private void connect(long timeoutMillis) {
    SslContext tls = ssl;
    UpstreamConnection[] made = new UpstreamConnection[1];
    ChannelFuture f =
        bootstrap
            .clone()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (tls != null) {
                      SslHandler h =
                          tls.newHandler(ch.alloc(), address.getHostString(), address.getPort());
                      h.setHandshakeTimeoutMillis(timeoutMillis);
                      p.addLast("tls", h);
                    }
                    UpstreamCodec.Decoder decoder = new UpstreamCodec.Decoder(8 * 1024, 64 * 1024);
                    UpstreamConnection c = new UpstreamConnection(UpstreamPool.this, ch, decoder);
                    made[0] = c;
                    p.addLast("encoder", new UpstreamCodec.Encoder());
                    p.addLast("idle-guard", c.idleGuard);
                    p.addLast("decoder", decoder);
                    p.addLast("exchange", c);
                  }
                })
            .connect(address);
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            connectFailed(done.cause());
            return;
          }
          SslHandler h = f.channel().pipeline().get(SslHandler.class);
          if (h == null) {
            connected(made[0]);
            return;
          }
          h.handshakeFuture()
              .addListener(
                  hs -> {
                    if (hs.isSuccess()) {
                      connected(made[0]);
                    } else {
                      f.channel().close();
                      connectFailed(hs.cause());
                    }
                  });
        });
  }

  private void connected(UpstreamConnection c) {
    connecting--;
    c.pooled();
    if (c.closedSeen()) {
      // closed before it was ready: its channelInactive did not count it
      open--;
      pump();
      return;
    }
    if (!c.isOpen()) {
      return; // closing: its channelInactive, still to come, counts it
    }
    release(c);
  }

  private void connectFailed(Throwable cause) {
    open--;
    connecting--;
    Waiter w = waiters.poll();
    if (w != null) {
      w.cancelDeadline();
      w.exchange.onConnectFailure(cause);
    }
    if (!waiters.isEmpty()) {
      pump();
    }
  }

  private void expire(Waiter w) {
    if (waiters.remove(w)) {
      w.exchange.onConnectFailure(
          new ConnectTimeoutException("no upstream connection within " + w.timeoutMillis + " ms"));
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (UpstreamConnection c : idle.toArray(new UpstreamConnection[0])) {
      if (c.expired(now)) {
        idle.remove(c);
        c.close();
      }
    }
  }

  /** An exchange waiting for a connection. */
  private static final class Waiter {
    final UpstreamExchange exchange;
    final long timeoutMillis;
    @Nullable ScheduledFuture<?> deadline;

    Waiter(UpstreamExchange exchange, long timeoutMillis) {
      this.exchange = exchange;
      this.timeoutMillis = timeoutMillis;
    }

    void cancelDeadline() {
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }
  }

  /** Too many exchanges are already waiting for a connection to this upstream. */
  static final class PoolSaturatedException extends IOException {
    private static final long serialVersionUID = 1L;

    PoolSaturatedException() {
      super("too many requests waiting for an upstream connection");
    }
  }
}
