package dev.bulwark.proxy;

import dev.bulwark.config.KeyCertificatePair;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.identity.SanPattern;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled upstream: where to connect, the Host header to send, the key of the pooled client (one
 * per distinct TLS setting and pool size) that carries its requests, its socket address, and which
 * of the client's request headers it never receives.
 */
public record UpstreamTarget(
    String host,
    int port,
    boolean tls,
    String authority,
    boolean preserveHost,
    ClientKey clientKey,
    InetSocketAddress address,
    RequestHeaderRules requestHeaders) {

  /** What distinguishes one pooled client from another. */
  public record ClientKey(
      boolean tls,
      @Nullable Path caBundle,
      boolean insecureSkipVerify,
      int poolSize,
      KeyCertificatePair clientCertificate,
      List<SanPattern> san) {

    public ClientKey {
      san = List.copyOf(san);
    }

    /** A client that presents no certificate and pins no name. */
    public ClientKey(
        boolean tls, @Nullable Path caBundle, boolean insecureSkipVerify, int poolSize) {
      this(tls, caBundle, insecureSkipVerify, poolSize, KeyCertificatePair.NONE, List.of());
    }
  }

  /**
   * Compiles an upstream setting; {@code extraStrip} are the identity headers added by {@code
   * auth.strip-headers}.
   */
  public static UpstreamTarget of(UpstreamConfig c, Collection<String> extraStrip) {
    return new UpstreamTarget(
        c.host(),
        c.port(),
        c.tls(),
        c.authority(),
        c.preserveHost(),
        new ClientKey(
            c.tls(),
            c.caBundle(),
            c.insecureSkipVerify(),
            c.poolSize(),
            c.clientCertificate(),
            c.san()),
        // Resolved when a connection is opened (by Vert.x's resolver), never per request.
        InetSocketAddress.createUnresolved(c.host(), c.port()),
        RequestHeaderRules.compile(extraStrip, c.keepHeaders(), c.forwardUnderscoreHeaders()));
  }
}
