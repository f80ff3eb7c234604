package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * The live server's side of one exchange: the {@link RequestView} over a Vert.x request, with the
 * facts the server established before routing, and (as its {@link HeaderMap}) the headers of the
 * response being built. One object per exchange, so the adapter costs a single allocation.
 */
public final class VertxRequest extends VertxHeaders implements RequestView {
  /** {@link #framing}: the request has no body. */
  public static final long NO_BODY = -1;

  /** {@link #framing}: the request body comes in chunks (or HTTP/2 data) of unknown total. */
  public static final long CHUNKED = -2;

  private final HttpServerRequest request;
  private final String host;
  private final int port;
  private final String path;
  private final String clientAddress;
  private final boolean trustedPeer;
  private final @Nullable Context context;
  private long bodyRead;
  private @Nullable Buffer reading;

  /**
   * A view of {@code request} with its canonical host and port, normalised path ({@code -} when
   * refused), resolved client address and whether the TCP peer is a trusted proxy; built on the
   * request's own Vert.x context, which {@link #resume} comes back to.
   */
  public VertxRequest(
      HttpServerRequest request,
      String host,
      int port,
      String path,
      String clientAddress,
      boolean trustedPeer) {
    super(request.response().headers()); // as a HeaderMap: the response's headers
    this.request = request;
    this.host = requireNonNull(host, "host");
    this.port = port;
    this.path = requireNonNull(path, "path");
    this.clientAddress = requireNonNull(clientAddress, "clientAddress");
    this.trustedPeer = trustedPeer;
    this.context = Vertx.currentContext();
  }

  /**
   * Runs {@code continuation} on the request's Vert.x context: inline when already there (a store
   * in memory, a cached token), else queued to it (the server writes responses only from there).
   */
  public void resume(Runnable continuation) {
    Context c = context;
    if (c == null || Vertx.currentContext() == c) {
      continuation.run();
    } else {
      c.runOnContext(v -> continuation.run());
    }
  }

  /** Returns the Vert.x request (see {@link Exchange#httpRequest()}). */
  HttpServerRequest raw() {
    return request;
  }

  /**
   * Returns how a request's body is framed: {@link #NO_BODY}, {@link #CHUNKED}, or its declared
   * length (0 included). A malformed Content-Length counts as chunked: the framing checks before
   * routing refuse it anyway.
   */
  public static long framing(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl != null) {
      try {
        return Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        return CHUNKED;
      }
    }
    if (req.version() == HttpVersion.HTTP_2) {
      return switch (req.method().name()) {
        case "POST", "PUT", "PATCH" -> CHUNKED;
        default -> NO_BODY;
      };
    }
    return req.headers().contains(HttpHeaders.TRANSFER_ENCODING) ? CHUNKED : NO_BODY;
  }

  @Override
  public String method() {
    return request.method().name();
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
    return request.query();
  }

  @Override
  public @Nullable String queryParam(String name) {
    List<String> all = request.params().getAll(name);
    return all.size() == 1 ? all.get(0) : null;
  }

  @Override
  public @Nullable String header(CharSequence name) {
    return request.headers().get(name);
  }

  @Override
  public List<String> headers(CharSequence name) {
    return request.headers().getAll(name);
  }

  @Override
  public boolean hasHeader(CharSequence name) {
    return request.headers().contains(name);
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public boolean trustedPeer() {
    return trustedPeer;
  }

  @Override
  public HttpProtocol protocol() {
    return switch (request.version()) {
      case HTTP_1_0 -> HttpProtocol.HTTP_1_0;
      case HTTP_1_1 -> HttpProtocol.HTTP_1_1;
      case HTTP_2 -> HttpProtocol.HTTP_2;
    };
  }

  @Override
  public @Nullable String tlsProtocol() {
    SSLSession s = request.connection().sslSession();
    return s == null ? null : s.getProtocol();
  }

  @Override
  public @Nullable String cipherSuite() {
    SSLSession s = request.connection().sslSession();
    return s == null ? null : s.getCipherSuite();
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    SSLSession s = request.connection().sslSession();
    if (s == null) {
      return List.of();
    }
    Certificate[] chain;
    try {
      chain = s.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // the client presented no certificate
    }
    List<X509Certificate> out = new ArrayList<>(chain.length);
    for (Certificate c : chain) {
      if (c instanceof X509Certificate x) {
        out.add(x);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public boolean hasBody() {
    long framing = framing(request);
    return framing != NO_BODY && framing != 0;
  }

  @Override
  public void readBody(long limit, BodyReader reader) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    int initial = 256;
    if (declared != null) {
      try {
        initial = (int) Math.max(0, Math.min(limit, Long.parseLong(declared.trim())));
      } catch (NumberFormatException e) {
        // the framing checks refused malformed lengths before any policy ran
      }
    }
    // Held in a field, not in the handlers (which the request keeps until it is done): dropped
    // once its bytes are handed over, so a body read by a stage is held once, by the exchange.
    reading = Buffer.buffer(initial);
    request.handler(
        chunk -> {
          Buffer body = reading;
          if (body == null || !reader.wanted()) {
            reading = null;
            return;
          }
          reader.received(chunk.length());
          bodyRead += chunk.length();
          if (bodyRead > limit) {
            reading = null;
            reader.refused(Denial.BODY_TOO_LARGE);
            return;
          }
          body.appendBuffer(chunk);
        });
    request.exceptionHandler(
        t -> {
          reading = null;
          if (reader.wanted()) {
            reader.refused(Denial.BAD_FRAMING);
          }
        });
    request.endHandler(
        v -> {
          Buffer body = reading;
          reading = null;
          if (body != null && reader.wanted()) {
            reader.body(body.getBytes());
          }
        });
    if (request.headers().contains(HttpHeaders.EXPECT)) {
      request.response().writeContinue();
    }
    request.resume();
  }

  @Override
  public void removeHeaderForUpstream(CharSequence name) {
    request.headers().remove(name);
  }
}
