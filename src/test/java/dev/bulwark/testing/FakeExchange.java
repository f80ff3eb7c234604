package dev.bulwark.testing;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ExchangeDriver;
import dev.bulwark.exchange.HttpProtocol;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.exchange.PlainHeaders;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyChain;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * One request run through policies in stage order with no listener and no upstream (tier-a tests):
 * build the request (an {@link OfflineRequest} with test defaults: host {@code api.example.com},
 * client {@code 203.0.113.7}, no {@code Content-Length} unless given), run it, then read what
 * happened — proceeded, denied (with the {@link Denial}) or answered — the response status, headers
 * and body after every entered policy's {@code onResponse}, and the exchange's attributes. An
 * upstream answer can be given, so that response-side policies see one. Continuations that policies
 * {@link Exchange#resume} run at once, or wait in a queue for the test to step ({@link
 * Builder#holdResumes()}).
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
  private final OfflineRequest view;
  private final PlainHeaders responseHeaders = new PlainHeaders();
  private final Queue<Runnable> resumes = new ConcurrentLinkedQueue<>();
  private final Exchange exchange;
  private Policy[] policies = new Policy[0];
  private Outcome outcome = Outcome.PENDING;
  private @Nullable Denial denial;
  private @Nullable ResponseHead head;
  private @Nullable String responseBody;

  private FakeExchange(Builder request) {
    this.request = request;
    this.view = request.request.build();
    this.exchange =
        new Exchange(
            view,
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
  public PlainHeaders responseHeaders() {
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
  public PlainHeaders requestHeaders() {
    return view.upstreamHeaders();
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
    DecisionTrace trace = request.trace;
    if (trace != null) {
      exchange.trace(trace);
    }
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
    ResponseRecorder recorder = exchange.responseRecorder();
    if (recorder != null) {
      recorder.head(h.status(), responseHeaders, h.fromUpstream());
      if (sent != null) {
        byte[] b = sent.getBytes(StandardCharsets.UTF_8);
        // the body as the upstream streams it: in pieces, all of them unless it breaks off
        int pieces = request.upstreamBrokenOff && h.fromUpstream() ? 1 : 4;
        int step = Math.max(1, (b.length + 3) / 4);
        for (int i = 0, n = 0; i < b.length && n < pieces; i += step, n++) {
          recorder.body(Buffer.buffer().appendBytes(b, i, Math.min(step, b.length - i)));
        }
      }
      if (!(request.upstreamBrokenOff && h.fromUpstream())) {
        recorder.complete();
      }
      recorder.ended();
    }
  }

  /**
   * Ends an exchange that proceeded without an upstream answer (the client left before any): its
   * response recorder learns that the exchange is over.
   */
  public FakeExchange clientGone() {
    ResponseRecorder recorder = exchange.responseRecorder();
    if (recorder != null && head == null) {
      recorder.ended();
    }
    return this;
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

  /** A request to run: method, host, path and query, headers, client, body, upstream answer. */
  public static final class Builder {
    private final OfflineRequest.Builder request;
    private String[] params = new String[0];
    private String requestId = "req-fake-1";
    private int upstreamStatus;
    private final List<String[]> upstreamHeaders = new ArrayList<>();
    private @Nullable String upstreamBody;
    private boolean holdResumes;
    private boolean upstreamBrokenOff;
    private @Nullable DecisionTrace trace;

    private Builder(String method, String target) {
      this.request =
          OfflineRequest.builder(requireNonNull(method, "method"), target)
              .host("api.example.com", -1)
              .client("203.0.113.7")
              .undeclaredLength();
    }

    /** Sets the canonical host (default {@code api.example.com}) and port (-1: none named). */
    public Builder host(String host, int port) {
      request.host(host, port);
      return this;
    }

    /** Adds a request header (call again for a repeated one). */
    public Builder header(String name, String value) {
      request.header(name, value);
      return this;
    }

    /** Sets the client address (default {@code 203.0.113.7}) as resolved by the gateway. */
    public Builder client(String address) {
      request.client(address);
      return this;
    }

    /** Marks the TCP peer as a trusted proxy. */
    public Builder trustedPeer() {
      request.trustedPeer(true);
      return this;
    }

    public Builder protocol(HttpProtocol protocol) {
      request.protocol(protocol);
      return this;
    }

    /** Gives the request a body (its Content-Length header is the caller's business). */
    public Builder body(byte[] bytes) {
      request.body(bytes);
      return this;
    }

    public Builder body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes the client break the body off before its end (a reset or bad chunk). */
    public Builder bodyBrokenOff() {
      request.bodyBrokenOff();
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

    /**
     * Makes the upstream break its body off after the first piece (a reset mid-response): the
     * response recorder sees the head and that piece, never the body's end.
     */
    public Builder upstreamBrokenOff() {
      this.upstreamBrokenOff = true;
      return this;
    }

    /** Sets the upstream's body (with {@link #upstream}). */
    public Builder upstreamBody(String body) {
      this.upstreamBody = body;
      return this;
    }

    /** Attaches a decision trace to the exchange before any policy runs. */
    public Builder trace(DecisionTrace trace) {
      this.trace = trace;
      return this;
    }

    /** Sets the client's certificate chain as its TLS session presented it (its own first). */
    public Builder peerCertificates(X509Certificate... chain) {
      request.peerCertificates(List.of(chain));
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
