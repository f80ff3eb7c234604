package dev.bulwark.proxy;

import dev.bulwark.config.UpstreamConfig;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A compiled upstream: where to connect, the Host header to send, the key of the pooled client (one
 * per distinct TLS setting and pool size) that carries its requests, and its socket address.
 */
public record UpstreamTarget(
    String host,
    int port,
    boolean tls,
    String authority,
    boolean preserveHost,
    ClientKey clientKey,
    SocketAddress address) {

  /** What distinguishes one pooled client from another. */
  public record ClientKey(
      boolean tls, @Nullable Path caBundle, boolean insecureSkipVerify, int poolSize) {}

  /** Compiles an upstream setting. */
  public static UpstreamTarget of(UpstreamConfig c) {
    return new UpstreamTarget(
        c.host(),
        c.port(),
        c.tls(),
        c.authority(),
        c.preserveHost(),
        new ClientKey(c.tls(), c.caBundle(), c.insecureSkipVerify(), c.poolSize()),
        // Built once: the client would otherwise parse the host into an address per request.
        SocketAddress.inetSocketAddress(c.port(), c.host()));
  }
}
