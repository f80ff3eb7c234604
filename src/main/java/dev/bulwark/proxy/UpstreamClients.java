package dev.bulwark.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The upstream connection pools of one event loop, one per upstream host, port and TLS setting.
 * Connections are plain Netty channels on the event loop that serves the client, so forwarding
 * never crosses threads. Confined to the event loop that created it.
 */
public final class UpstreamClients {
  /** Requests waiting for a pooled connection beyond this are refused (502) rather than queued. */
  static final int MAX_WAIT_QUEUE = 4096;

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Map<PoolKey, UpstreamPool> pools = new HashMap<>();
  private final IdentityHashMap<UpstreamTarget, UpstreamPool> byTarget = new IdentityHashMap<>();
  private final Map<UpstreamTarget.ClientKey, SslContext> tls = new HashMap<>();

  /** Creates the pools of the calling Vert.x context's event loop. */
  public UpstreamClients(Vertx vertx) {
    VertxInternal vx = (VertxInternal) vertx;
    this.loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channelFactory(vx.transport().channelFactory(false))
            .resolver(vx.nameResolver().nettyAddressResolverGroup())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            // A failed write must not close the channel: an upstream that answers early and closes
            // without reading the body makes the next body write fail while its answer is still
            // to be read. UpstreamConnection closes the channel itself.
            .option(ChannelOption.AUTO_CLOSE, false);
  }

  /** Returns the pool that carries a target's requests, creating it on first use. */
  UpstreamPool pool(UpstreamTarget target) throws IOException {
    UpstreamPool p = byTarget.get(target);
    if (p != null) {
      return p;
    }
    PoolKey key = new PoolKey(target.clientKey(), target.host(), target.port());
    p = pools.get(key);
    if (p == null) {
      p =
          new UpstreamPool(
              bootstrap,
              loop,
              target.address(),
              sslContext(target),
              key.client().poolSize(),
              new UpstreamSanPins(key.client().san()));
      pools.put(key, p);
    }
    if (byTarget.size() > 4096) {
      byTarget.clear(); // targets of replaced configurations; the pools themselves are kept
    }
    byTarget.put(target, p);
    return p;
  }

  private @Nullable SslContext sslContext(UpstreamTarget target) throws IOException {
    UpstreamTarget.ClientKey key = target.clientKey();
    if (!key.tls()) {
      return null;
    }
    SslContext c = tls.get(key);
    if (c == null) {
      c = UpstreamTls.context(key);
      tls.put(key, c);
    }
    return c;
  }

  /** Closes every idle connection; connections in use close when their exchange ends. */
  public void close() {
    pools.values().forEach(UpstreamPool::close);
    pools.clear();
    byTarget.clear();
  }

  private record PoolKey(UpstreamTarget.ClientKey client, String host, int port) {}
}
