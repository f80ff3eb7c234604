package dev.bulwark.exchange;

import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request as policies read it, whatever server received it: what the request-side checks before
 * routing established (canonical host, normalised path, client address through trusted proxies),
 * the request's own headers and query, its TLS facts, and access to its body. The live server
 * implements it over its HTTP request ({@link VertxRequest}); tests and offline runs over plain
 * values.
 */
public interface RequestView {
  /** Returns the method in upper case, such as {@code GET}. */
  String method();

  /** Returns the canonical request host (lower case, no trailing dot, no port; empty if none). */
  String host();

  /** Returns the port the request named with its host, or -1 when it named none. */
  int port();

  /** Returns the normalised path, without the query ({@code -} when the path was refused). */
  String path();

  /** Returns the raw query after {@code ?}, or null when the target had no {@code ?}. */
  @Nullable String query();

  /**
   * Returns the decoded value of a query parameter given exactly once; null if absent or repeated.
   */
  @Nullable String queryParam(String name);

  /** Returns the first value of a request header, or null. */
  @Nullable String header(CharSequence name);

  /** Returns every value of a request header in order (empty when absent). */
  List<String> headers(CharSequence name);

  /** Returns whether the request carries the header. */
  boolean hasHeader(CharSequence name);

  /** Returns the client's address as resolved through trusted proxies. */
  String clientAddress();

  /** Returns whether the TCP peer is a trusted proxy (whose forwarding headers are believed). */
  boolean trustedPeer();

  /** Returns the HTTP version of the request. */
  HttpProtocol protocol();

  /** Returns the negotiated TLS protocol (such as {@code TLSv1.3}), or null without TLS. */
  @Nullable String tlsProtocol();

  /** Returns the negotiated TLS cipher suite, or null without TLS. */
  @Nullable String cipherSuite();

  /** Returns the client's certificate chain, leaf first; empty when it presented none. */
  List<X509Certificate> peerCertificates();

  /** Returns whether the request carries a body (a positive length, chunks, or HTTP/2 data). */
  boolean hasBody();

  /**
   * Reads the whole body, at most {@code limit} bytes, into memory and hands it to {@code reader}
   * on the exchange's event loop; the body is then what the upstream receives, with its length.
   * Over the limit, or when the client breaks it off, the reader gets the refusal instead.
   */
  void readBody(long limit, BodyReader reader);

  /**
   * Removes a request header so that the upstream does not receive it (later policies no longer see
   * it either); the one way a policy edits the forwarded request.
   */
  void removeHeaderForUpstream(CharSequence name);
}
