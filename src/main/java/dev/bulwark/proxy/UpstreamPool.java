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
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The keep-alive connections of one event loop to one upstream (host, port and TLS setting): at
 * most {@code maxSize} open, idle ones reused most-recent-first and closed after 30 seconds (or the
 * upstream's own {@code Keep-Alive: timeout}), and at most {@link UpstreamClients#MAX_WAIT_QUEUE}
 * exchanges waiting for one, each for no longer than its connect timeout. One client address holds
 * at most its share of the connections at once: its further exchanges wait for one of its own to be
 * given back, behind no one else, so a client that ties connections up (slow uploads, slow reads)
 * cannot starve the others. Confined to its event loop.
 */
final class UpstreamPool {
  static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final @Nullable SslContext ssl;
  private final int maxSize;
  private final UpstreamSanPins pins;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  /**
   * Per client address with a connection in use or waiting over its share. Entries back at zero
   * stay until the next sweep (so a client's sequential requests reuse one) and are then removed.
   */
  private final HashMap<String, Share> shares = new HashMap<>();

  private int overShare;
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
    this(bootstrap, loop, address, ssl, maxSize, new UpstreamSanPins(List.of()));
  }

  UpstreamPool(
      Bootstrap bootstrap,
      EventLoop loop,
      InetSocketAddress address,
      @Nullable SslContext ssl,
      int maxSize,
      UpstreamSanPins pins) {
    this.pins = pins;
    this.bootstrap = bootstrap;
    this.loop = loop;
    this.address = address;
    this.ssl = ssl;
    this.maxSize = maxSize;
  }

  long keepAliveNanos() {
    return KEEP_ALIVE_NANOS;
  }

  /**
   * Hands {@code exchange} a connection now, or once one is free or made, or fails it. A client
   * already holding {@code clientShare} connections waits for one of its own to be given back.
   */
  void acquire(
      UpstreamExchange exchange, long connectTimeoutMillis, String client, int clientShare) {
    Share share = shares.get(client);
    if (share != null && share.busy >= clientShare) {
      waitOverShare(new Waiter(exchange, connectTimeoutMillis, client, clientShare), share);
      return;
    }
    if (waiters.isEmpty()) {
      UpstreamConnection c = pollIdle();
      if (c != null) {
        hand(c, exchange, client);
        return;
      }
    }
    if (closed) {
      exchange.onConnectFailure(new IOException("gateway is stopping"));
      return;
    }
    if (waiters.size() + overShare >= UpstreamClients.MAX_WAIT_QUEUE) {
      exchange.onConnectFailure(new PoolSaturatedException());
      return;
    }
    Waiter w = new Waiter(exchange, connectTimeoutMillis, client, clientShare);
    waiters.add(w);
    w.deadline =
        loop.schedule(() -> expire(w), Math.max(1, connectTimeoutMillis), TimeUnit.MILLISECONDS);
    pump();
  }

  private void waitOverShare(Waiter w, Share share) {
    if (closed) {
      w.exchange.onConnectFailure(new IOException("gateway is stopping"));
      return;
    }
    if (waiters.size() + overShare >= UpstreamClients.MAX_WAIT_QUEUE) {
      w.exchange.onConnectFailure(new PoolSaturatedException());
      return;
    }
    ArrayDeque<Waiter> q = share.waiting;
    if (q == null) {
      q = new ArrayDeque<>(2);
      share.waiting = q;
    }
    q.add(w);
    overShare++;
    if (w.deadline == null) {
      w.deadline =
          loop.schedule(() -> expire(w), Math.max(1, w.timeoutMillis), TimeUnit.MILLISECONDS);
    }
  }

  /** Gives a connection to an exchange, counting it against the exchange's client. */
  private void hand(UpstreamConnection c, UpstreamExchange exchange, String client) {
    Share share = shares.get(client);
    if (share == null) {
      share = new Share();
      shares.put(client, share);
    }
    share.busy++;
    if (sweeper == null) {
      sweeper = loop.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }
    c.assign(exchange, client);
    exchange.onConnection(c);
  }

  /**
   * A connection's exchange let it go (released, reset or broken): the client may take one more,
   * and the first of its exchanges waiting over its share queues as any other.
   */
  void detached(String client) {
    Share share = shares.get(client);
    if (share == null) {
      return;
    }
    share.busy--;
    Waiter w = share.nextWaiting();
    if (w != null) {
      overShare--;
      requeue(w);
    }
  }

  /** A waiter that is under its client's share again: an idle connection now, or the queue. */
  private void requeue(Waiter w) {
    if (waiters.isEmpty()) {
      UpstreamConnection c = pollIdle();
      if (c != null) {
        w.cancelDeadline();
        hand(c, w.exchange, w.client);
        return;
      }
    }
    waiters.add(w);
    pump();
  }

  /**
   * Takes back a connection whose exchange (of {@code client}) finished cleanly: the client's first
   * exchange waiting over its share goes to the front of the queue, then the connection is reused.
   */
  void giveBack(UpstreamConnection c, String client) {
    Share share = shares.get(client);
    if (share != null) {
      share.busy--;
      Waiter w = share.nextWaiting();
      if (w != null) {
        overShare--;
        waiters.addFirst(w);
      }
    }
    release(c);
  }

  /** Takes back a connection that is free: to the first waiter within its share, or idle. */
  private void release(UpstreamConnection c) {
    if (closed) {
      c.close();
      return;
    }
    Waiter w;
    while ((w = waiters.poll()) != null) {
      Share share = shares.get(w.client);
      if (share != null && share.busy >= w.clientShare) {
        // its client took its share while it queued: it waits for one of the client's own
        waitOverShare(w, share);
        continue;
      }
      w.cancelDeadline();
      hand(c, w.exchange, w.client);
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
    for (Share share : shares.values()) {
      while ((w = share.nextWaiting()) != null) {
        overShare--;
        w.cancelDeadline();
        w.exchange.onConnectFailure(new IOException("gateway is stopping"));
      }
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
                    String mismatch =
                        hs.isSuccess() ? pins.mismatch(h.engine().getSession()) : null;
                    if (mismatch != null) {
                      f.channel().close();
                      connectFailed(new UpstreamSanPins.MismatchException(mismatch));
                    } else if (hs.isSuccess()) {
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
      return;
    }
    Share share = shares.get(w.client);
    ArrayDeque<Waiter> q = share == null ? null : share.waiting;
    if (q != null && q.remove(w)) {
      overShare--;
      w.exchange.onConnectFailure(new ClientShareExceededException(w.clientShare));
    }
  }

  private void sweep() {
    shares.values().removeIf(Share::unused);
    long now = System.nanoTime();
    for (UpstreamConnection c : idle.toArray(new UpstreamConnection[0])) {
      if (c.expired(now)) {
        idle.remove(c);
        c.close();
      }
    }
  }

  /** One client address's connections in use, and its exchanges waiting over its share. */
  private static final class Share {
    int busy;
    @Nullable ArrayDeque<Waiter> waiting;

    @Nullable Waiter nextWaiting() {
      ArrayDeque<Waiter> q = waiting;
      return q == null ? null : q.poll();
    }

    boolean unused() {
      ArrayDeque<Waiter> q = waiting;
      return busy <= 0 && (q == null || q.isEmpty());
    }
  }

  /** An exchange waiting for a connection. */
  private static final class Waiter {
    final UpstreamExchange exchange;
    final long timeoutMillis;
    final String client;
    final int clientShare;
    @Nullable ScheduledFuture<?> deadline;

    Waiter(UpstreamExchange exchange, long timeoutMillis, String client, int clientShare) {
      this.exchange = exchange;
      this.timeoutMillis = timeoutMillis;
      this.client = client;
      this.clientShare = clientShare;
    }

    void cancelDeadline() {
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }
  }

  /** A client kept its whole share of connections busy for as long as the waiter could wait. */
  static final class ClientShareExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientShareExceededException(int share) {
      super("client holds its share of " + share + " upstream connections");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
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
