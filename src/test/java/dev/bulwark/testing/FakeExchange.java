package dev.bulwark.testing;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.BodyReader;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ExchangeDriver;
import dev.bulwark.exchange.HttpProtocol;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyChain;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * One request run through policies in stage order with no listener and no upstream (tier-a tests):
 * build the request, run it, then read what happened — proceeded, denied (with the {@link Denial})
 * or answered — the response status, headers and body after every entered policy's {@code
 * onResponse}, and the exchange's attributes. An upstream answer can be given, so that
 * response-side policies see one. Continuations that policies {@link Exchange#resume} run at once,
 * or wait in a queue for the test to step ({@link Builder#holdResumes()}).
 *
 * <pre>{@code
 * FakeExchange fx = FakeExchange.get("/api/x").header("origin", "https://evil.example").run(cors);
 * assertThat(fx.outcome()).isEqualTo(FakeExchange.Outcome.PROCEEDED);
 * }</pre>
 */
public final class FakeExchange {
  /** How the request side ended. */
  public enum Outcome {
    /** Every policy let it through (it would be forwarded). */
    PROCEEDED,
    /** A policy (or the body reader) refused it. */
    DENIED,
    /** A policy answered it itself (a preflight's 204, forward-auth's 200). */
    ANSWERED,
    /** Nothing decided yet: a continuation waits in the queue, or a policy never answered. */
    PENDING
  }

  private final Builder request;
  private final FakeHeaders responseHeaders = new FakeHeaders();
  private final Queue<Runnable> resumes = new ConcurrentLinkedQueue<>();
  private final Exchange exchange;
  private Policy[] policies = new Policy[0];
  private Outcome outcome = Outcome.PENDING;
  private @Nullable Denial denial;
  private @Nullable ResponseHead head;
  private @Nullable String responseBody;

  private FakeExchange(Builder request) {
    this.request = request;
    this.exchange =
        new Exchange(
            new Request(request),
            responseHeaders,
            new Driver(),
            request.requestId,
            request.params,
            "fake-route",
            System.nanoTime());
  }

  /** Starts a GET request for {@code path}. */
  public static Builder get(String path) {
    return request("GET", path);
  }

  /** Starts a request; {@code path} may carry a raw query after {@code ?}. */
  public static Builder request(String method, String path) {
    return new Builder(method, path);
  }

  /** Returns how the request side ended. */
  public Outcome outcome() {
    return outcome;
  }

  /** Returns the denial, or null when the request was not denied. */
  public @Nullable Denial denial() {
    return denial;
  }

  /** Returns the response status (0 when no response was made). */
  public int status() {
    ResponseHead h = head;
    return h == null ? 0 : h.status();
  }

  /** Returns the response headers (after every entered policy's {@code onResponse}). */
  public FakeHeaders responseHeaders() {
    return responseHeaders;
  }

  /** Returns the body sent: the gateway's own, a replacement, or the upstream's; null if none. */
  public @Nullable String responseBody() {
    return responseBody;
  }

  /** Returns the exchange itself (its decision, subject, bytes). */
  public Exchange exchange() {
    return exchange;
  }

  /** Returns the attribute kept under {@code key}, or null. */
  public <T> @Nullable T attr(AttributeKey<T> key) {
    return exchange.attr(key);
  }

  /** Returns the request headers as they would reach the upstream. */
  public FakeHeaders requestHeaders() {
    return request.headers;
  }

  /** Returns how many continuations wait (only with {@link Builder#holdResumes()}). */
  public int pendingResumes() {
    return resumes.size();
  }

  /** Runs the oldest waiting continuation; returns false when none waits. */
  public boolean step() {
    Runnable r = resumes.poll();
    if (r == null) {
      return false;
    }
    r.run();
    return true;
  }

  /** Runs waiting continuations until none is left. */
  public FakeExchange settle() {
    while (step()) {
      // each step may queue more
    }
    return this;
  }

  private FakeExchange run(List<Policy> chain) {
    this.policies = PolicyChain.assemble(chain);
    exchange.proceed();
    return this;
  }

  /** Finishes the response side: every entered policy in reverse, then the body. */
  private void respond(ResponseHead h, @Nullable String body) {
    for (int i = Math.min(exchange.entered(), policies.length) - 1; i >= 0; i--) {
      policies[i].onResponse(exchange, h);
    }
    String sent = body;
    Buffer replaced = h.replacementBody();
    ResponseHead.BodyFilter filter = h.bodyFilter();
    if (replaced != null) {
      sent = replaced.toString(StandardCharsets.UTF_8);
    } else if (filter != null && body != null) {
      ResponseHead.Filtered f = filter.apply(Buffer.buffer(body));
      Buffer kept = f.body();
      if (kept == null) {
        h.replaceWithJson(502, ErrorJson.body(502, "bad gateway", exchange.requestId()));
        Buffer json = h.replacementBody();
        sent = json == null ? null : json.toString(StandardCharsets.UTF_8);
      } else {
        sent = kept.toString(StandardCharsets.UTF_8);
      }
    }
    exchange.startResponse(h.status());
    this.head = h;
    this.responseBody = sent;
  }

  private final class Driver implements ExchangeDriver {
    @Override
    public void proceed(Exchange ex) {
      int i = ex.entered();
      if (i < policies.length) {
        ex.enterNext();
        policies[i].onRequest(ex);
        return;
      }
      outcome = Outcome.PROCEEDED;
      if (request.upstreamStatus > 0) {
        for (String[] h : request.upstreamHeaders) {
          responseHeaders.add(h[0], h[1]);
        }
        respond(
            ResponseHead.fromUpstream(request.upstreamStatus, responseHeaders),
            request.upstreamBody);
      }
    }

    @Override
    public void deny(Exchange ex, Denial d) {
      if (ex.responded()) {
        return;
      }
      int at = ex.entered() - 1;
      ex.decide(
          at >= 0 && at < policies.length ? policies[at].name() : "gateway", "deny", d.reason());
      outcome = Outcome.DENIED;
      denial = d;
      Buffer body = ErrorJson.body(d.status(), d.error(), ex.requestId(), d.details());
      responseHeaders.set("content-type", ErrorJson.CONTENT_TYPE);
      responseHeaders.set("content-length", String.valueOf(body.length()));
      ResponseHead h = ResponseHead.generated(d.status(), responseHeaders, body);
      h.closeConnection(d.closeConnection());
      respond(h, null);
    }

    @Override
    public void answer(Exchange ex, int status) {
      if (ex.responded()) {
        return;
      }
      outcome = Outcome.ANSWERED;
      if (status != 204) {
        responseHeaders.set("content-length", "0");
      }
      respond(ResponseHead.generated(status, responseHeaders, Buffer.buffer()), null);
    }

    @Override
    public void resume(Exchange ex, Runnable continuation) {
      if (request.holdResumes) {
        resumes.add(continuation);
      } else {
        continuation.run();
      }
    }
  }

  /** The request as plain values. */
  private static final class Request implements RequestView {
    private final Builder b;

    Request(Builder b) {
      this.b = b;
    }

    @Override
    public String method() {
      return b.method;
    }

    @Override
    public String host() {
      return b.host;
    }

    @Override
    public int port() {
      return b.port;
    }

    @Override
    public String path() {
      return b.path;
    }

    @Override
    public @Nullable String query() {
      return b.query;
    }

    @Override
    public @Nullable String queryParam(String name) {
      String q = b.query;
      if (q == null) {
        return null;
      }
      List<String> all = new QueryStringDecoder(q, false).parameters().get(name);
      return all != null && all.size() == 1 ? all.get(0) : null;
    }

    @Override
    public @Nullable String header(CharSequence name) {
      return b.headers.get(name);
    }

    @Override
    public List<String> headers(CharSequence name) {
      return b.headers.getAll(name);
    }

    @Override
    public boolean hasHeader(CharSequence name) {
      return b.headers.contains(name);
    }

    @Override
    public String clientAddress() {
      return b.client;
    }

    @Override
    public boolean trustedPeer() {
      return b.trustedPeer;
    }

    @Override
    public HttpProtocol protocol() {
      return b.protocol;
    }

    @Override
    public @Nullable String tlsProtocol() {
      return "TLSv1.3";
    }

    @Override
    public @Nullable String cipherSuite() {
      return "TLS_AES_128_GCM_SHA256";
    }

    @Override
    public List<X509Certificate> peerCertificates() {
      return b.peerCertificates;
    }

    @Override
    public boolean hasBody() {
      return b.body != null && (b.body.length > 0 || b.bodyBrokenOff);
    }

    @Override
    public void readBody(long limit, BodyReader reader) {
      byte[] body = b.body == null ? new byte[0] : b.body;
      if (!reader.wanted()) {
        return;
      }
      reader.received(body.length);
      if (body.length > limit) {
        reader.refused(Denial.BODY_TOO_LARGE);
      } else if (b.bodyBrokenOff) {
        reader.refused(Denial.BAD_FRAMING);
      } else {
        reader.body(body);
      }
    }

    @Override
    public void removeHeaderForUpstream(CharSequence name) {
      b.headers.remove(name);
    }
  }

  /** A request to run: method, host, path and query, headers, client, body, upstream answer. */
  public static final class Builder {
    private final String method;
    private final String path;
    private @Nullable String query;
    private String host = "api.example.com";
    private int port = -1;
    private final FakeHeaders headers = new FakeHeaders();
    private String client = "203.0.113.7";
    private boolean trustedPeer;
    private HttpProtocol protocol = HttpProtocol.HTTP_1_1;
    private byte @Nullable [] body;
    private boolean bodyBrokenOff;
    private String[] params = new String[0];
    private String requestId = "req-fake-1";
    private int upstreamStatus;
    private final List<String[]> upstreamHeaders = new java.util.ArrayList<>();
    private @Nullable String upstreamBody;
    private boolean holdResumes;
    private List<X509Certificate> peerCertificates = List.of();

    private Builder(String method, String target) {
      this.method = requireNonNull(method, "method");
      int q = target.indexOf('?');
      this.path = q < 0 ? target : target.substring(0, q);
      this.query = q < 0 ? null : target.substring(q + 1);
    }

    /** Sets the canonical host (default {@code api.example.com}) and port (-1: none named). */
    public Builder host(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    /** Adds a request header (call again for a repeated one). */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Sets the client address (default {@code 203.0.113.7}) as resolved by the gateway. */
    public Builder client(String address) {
      this.client = address;
      return this;
    }

    /** Marks the TCP peer as a trusted proxy. */
    public Builder trustedPeer() {
      this.trustedPeer = true;
      return this;
    }

    public Builder protocol(HttpProtocol protocol) {
      this.protocol = protocol;
      return this;
    }

    /** Gives the request a body (its Content-Length header is the caller's business). */
    public Builder body(byte[] bytes) {
      this.body = bytes.clone();
      return this;
    }

    public Builder body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes the client break the body off before its end (a reset or bad chunk). */
    public Builder bodyBrokenOff() {
      this.bodyBrokenOff = true;
      if (body == null) {
        body = new byte[0];
      }
      return this;
    }

    /** Sets the route's path template values, in the order of its pattern. */
    public Builder params(String... values) {
      this.params = values.clone();
      return this;
    }

    public Builder requestId(String id) {
      this.requestId = id;
      return this;
    }

    /** Lets a proceeded request get this upstream answer: status, then header name/value pairs. */
    public Builder upstream(int status, String... namesAndValues) {
      if (namesAndValues.length % 2 != 0) {
        throw new IllegalArgumentException("namesAndValues: odd count (expected: pairs)");
      }
      this.upstreamStatus = status;
      for (int i = 0; i < namesAndValues.length; i += 2) {
        upstreamHeaders.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
      }
      return this;
    }

    /** Sets the upstream's body (with {@link #upstream}). */
    public Builder upstreamBody(String body) {
      this.upstreamBody = body;
      return this;
    }

    /** Sets the client's certificate chain as its TLS session presented it (its own first). */
    public Builder peerCertificates(X509Certificate... chain) {
      this.peerCertificates = List.of(chain);
      return this;
    }

    /** Keeps resumed continuations in a queue until the test steps them. */
    public Builder holdResumes() {
      this.holdResumes = true;
      return this;
    }

    /** Runs the request through the policies, sorted into stage order. */
    public FakeExchange run(Policy... policies) {
      return run(Arrays.asList(policies));
    }

    public FakeExchange run(List<Policy> policies) {
      return new FakeExchange(this).run(policies);
    }
  }
}
