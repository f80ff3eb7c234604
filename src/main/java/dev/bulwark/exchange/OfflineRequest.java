package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request made of plain values, for running a route's stages with no listener and no client (an
 * offline run: {@code bulwark test}, {@code bulwark explain}). It holds what the request gate would
 * have established: the canonical host, the normalised path, the resolved client address. One
 * instance serves one run: a policy may remove headers from it ({@link #removeHeaderForUpstream}).
 *
 * <pre>{@code
 * RequestView req = OfflineRequest.builder("POST", "/api/orders?dry=1")
 *     .host("api.example.com", -1)
 *     .header("authorization", "Bearer " + token)
 *     .body("{\"sku\":\"SKU-000001\"}")
 *     .build();
 * }</pre>
 */
public final class OfflineRequest implements RequestView {
  private final String method;
  private final String host;
  private final int port;
  private final String path;
  private final @Nullable String query;
  private final PlainHeaders headers;
  private final String client;
  private final boolean trustedPeer;
  private final HttpProtocol protocol;
  private final @Nullable String tlsProtocol;
  private final @Nullable String cipherSuite;
  private final List<X509Certificate> peerCertificates;
  private final byte @Nullable [] body;
  private final boolean bodyBrokenOff;

  private OfflineRequest(Builder b, PlainHeaders headers) {
    this.method = b.method;
    this.host = b.host;
    this.port = b.port;
    this.path = b.path;
    this.query = b.query;
    this.headers = headers;
    this.client = b.client;
    this.trustedPeer = b.trustedPeer;
    this.protocol = b.protocol;
    this.tlsProtocol = b.tlsProtocol;
    this.cipherSuite = b.cipherSuite;
    this.peerCertificates = b.peerCertificates;
    this.body = b.body;
    this.bodyBrokenOff = b.bodyBrokenOff;
  }

  /**
   * Starts a request; {@code target} is the normalised path, with the raw query after a {@code ?}
   * when there is one.
   */
  public static Builder builder(String method, String target) {
    return new Builder(method, target);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public @Nullable String query() {
    return query;
  }

  @Override
  public @Nullable String queryParam(String name) {
    String q = query;
    if (q == null) {
      return null;
    }
    List<String> all = new QueryStringDecoder(q, false).parameters().get(name);
    return all != null && all.size() == 1 ? all.get(0) : null;
  }

  @Override
  public @Nullable String header(CharSequence name) {
    return headers.get(name);
  }

  @Override
  public List<String> headers(CharSequence name) {
    return headers.getAll(name);
  }

  @Override
  public boolean hasHeader(CharSequence name) {
    return headers.contains(name);
  }

  @Override
  public String clientAddress() {
    return client;
  }

  @Override
  public boolean trustedPeer() {
    return trustedPeer;
  }

  @Override
  public HttpProtocol protocol() {
    return protocol;
  }

  @Override
  public @Nullable String tlsProtocol() {
    return tlsProtocol;
  }

  @Override
  public @Nullable String cipherSuite() {
    return cipherSuite;
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    return peerCertificates;
  }

  @Override
  public boolean hasBody() {
    byte[] b = body;
    return b != null && (b.length > 0 || bodyBrokenOff);
  }

  /**
   * Hands the body to {@code reader} at once: the body, 413 when it is over {@code limit}, or 400
   * when the client broke it off ({@link Builder#bodyBrokenOff()}).
   */
  @Override
  public void readBody(long limit, BodyReader reader) {
    byte[] b = body == null ? new byte[0] : body;
    if (!reader.wanted()) {
      return;
    }
    reader.received(b.length);
    if (b.length > limit) {
      reader.refused(Denial.BODY_TOO_LARGE);
    } else if (bodyBrokenOff) {
      reader.refused(Denial.BAD_FRAMING);
    } else {
      reader.body(b.clone());
    }
  }

  @Override
  public void removeHeaderForUpstream(CharSequence name) {
    headers.remove(name);
  }

  /**
   * Returns a copy of the request's headers as they would reach the upstream now (policies may have
   * removed some).
   */
  public PlainHeaders upstreamHeaders() {
    return headers.copy();
  }

  /** Collects a request's values; every one but the method and target has a default. */
  public static final class Builder {
    private final String method;
    private final String path;
    private final @Nullable String query;
    private String host = "";
    private int port = -1;
    private final PlainHeaders headers = new PlainHeaders();
    private String client = "192.0.2.1";
    private boolean trustedPeer;
    private HttpProtocol protocol = HttpProtocol.HTTP_1_1;
    private @Nullable String tlsProtocol = "TLSv1.3";
    private @Nullable String cipherSuite = "TLS_AES_128_GCM_SHA256";
    private List<X509Certificate> peerCertificates = List.of();
    private byte @Nullable [] body;
    private boolean bodyBrokenOff;
    private boolean declaresLength = true;

    private Builder(String method, String target) {
      this.method = requireNonNull(method, "method");
      requireNonNull(target, "target");
      int q = target.indexOf('?');
      this.path = q < 0 ? target : target.substring(0, q);
      this.query = q < 0 ? null : target.substring(q + 1);
    }

    /**
     * Sets the canonical host (lower case, no port; default: none) and the port it named, or -1.
     */
    public Builder host(String host, int port) {
      this.host = requireNonNull(host, "host");
      this.port = port;
      return this;
    }

    /** Adds a request header (call again for a repeated one). */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Sets the client address as the gate resolved it (default {@code 192.0.2.1}). */
    public Builder client(String address) {
      this.client = requireNonNull(address, "address");
      return this;
    }

    /** Marks the TCP peer as a trusted proxy. */
    public Builder trustedPeer(boolean trusted) {
      this.trustedPeer = trusted;
      return this;
    }

    /** Sets the HTTP version (default HTTP/1.1). */
    public Builder protocol(HttpProtocol protocol) {
      this.protocol = requireNonNull(protocol, "protocol");
      return this;
    }

    /** Sets the negotiated TLS protocol and cipher suite (default TLS 1.3, AES-128-GCM). */
    public Builder tls(String protocol, String cipherSuite) {
      this.tlsProtocol = requireNonNull(protocol, "protocol");
      this.cipherSuite = requireNonNull(cipherSuite, "cipherSuite");
      return this;
    }

    /** Sets the client's certificate chain, leaf first (default: none presented). */
    public Builder peerCertificates(List<X509Certificate> chain) {
      this.peerCertificates = List.copyOf(chain);
      return this;
    }

    /**
     * Gives the request a body; unless a {@code Content-Length} or {@code Transfer-Encoding} header
     * is set, the request declares its length, as a client would.
     */
    public Builder body(byte[] bytes) {
      this.body = bytes.clone();
      return this;
    }

    /** Gives the request a UTF-8 body (see {@link #body(byte[])}). */
    public Builder body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Makes the client break the body off before its end (a reset, a bad chunk): reading it is
     * refused as bad framing.
     */
    public Builder bodyBrokenOff() {
      this.bodyBrokenOff = true;
      if (body == null) {
        body = new byte[0];
      }
      return this;
    }

    /**
     * Leaves the length of a body undeclared: no {@code Content-Length} is added for it, so the
     * headers are exactly those given (default: declared, as a client would).
     */
    public Builder undeclaredLength() {
      this.declaresLength = false;
      return this;
    }

    /** Returns the request; the builder may go on to build others. */
    public OfflineRequest build() {
      PlainHeaders h = headers.copy();
      byte[] b = body;
      if (b != null
          && declaresLength
          && !h.contains("content-length")
          && !h.contains("transfer-encoding")) {
        h.add("content-length", String.valueOf(b.length));
      }
      return new OfflineRequest(this, h);
    }
  }
}
