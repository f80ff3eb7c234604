package dev.bulwark.policy.ratelimit;

import dev.bulwark.config.Units;
import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyPart;
import dev.bulwark.policy.ratelimit.RateLimitConfig.Limit;
import dev.bulwark.store.BucketShape;
import dev.bulwark.store.Consumption;
import dev.bulwark.store.RateLimitStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Takes a token from each of the route's buckets that this stage can key, answering 429 with {@code
 * Retry-After} when one is empty; every response of the route carries {@code RateLimit-Policy} and
 * {@code RateLimit} (IETF httpapi draft). Limits keyed by subject run at {@link
 * Stage#SUBJECT_LIMIT}, after authentication; the rest at {@link Stage#RATE_LIMIT}, before any
 * costly work.
 */
public final class RateLimitPolicy implements Policy {
  /** The most constrained limit the request met, for the response headers. */
  static final AttributeKey<RateLimitOutcome> OUTCOME = AttributeKey.of("rate-limit");

  private static final CharSequence RATELIMIT_POLICY = HeaderMap.constant("ratelimit-policy");
  private static final CharSequence RATELIMIT = HeaderMap.constant("ratelimit");
  private static final CharSequence RETRY_AFTER = HeaderMap.constant("retry-after");
  private static final Denial STORE_UNAVAILABLE =
      Denial.of(
          503, "service unavailable", "rate limit store unavailable (on-store-failure: deny)");
  private static final int MAX_KEY_VALUE = 128;

  private final Stage stage;
  private final RateLimitStore store;
  private final Compiled[] limits;
  private final String policyHeader;

  private record Compiled(Limit limit, BucketShape shape, String keyPrefix, Denial denial) {}

  private RateLimitPolicy(
      Stage stage, RateLimitStore store, Compiled[] limits, String policyHeader) {
    this.stage = stage;
    this.store = store;
    this.limits = limits;
    this.policyHeader = policyHeader;
  }

  /**
   * Compiles a route's limits into at most two policies: one at {@link Stage#RATE_LIMIT} and, for
   * limits keyed by subject, one at {@link Stage#SUBJECT_LIMIT}.
   */
  public static List<Policy> compile(String route, RateLimitConfig config, RateLimitStore store) {
    List<Compiled> early = new ArrayList<>();
    List<Compiled> late = new ArrayList<>();
    StringBuilder header = new StringBuilder();
    for (Limit l : config.limits()) {
      BucketShape shape = new BucketShape(l.burst(), l.limit(), l.window());
      Compiled c =
          new Compiled(
              l,
              shape,
              "rl|" + route + "|" + l.name() + "|",
              Denial.of(429, "too many requests", "rate limit " + l.name() + " exceeded"));
      (l.needsSubject() ? late : early).add(c);
      header.append(header.length() == 0 ? "" : ", ");
      header
          .append('"')
          .append(l.name())
          .append("\";q=")
          .append(l.limit())
          .append(";w=")
          .append(Math.max(1, l.window().toSeconds()));
    }
    List<Policy> out = new ArrayList<>(2);
    if (!early.isEmpty()) {
      out.add(
          new RateLimitPolicy(
              Stage.RATE_LIMIT, store, early.toArray(new Compiled[0]), header.toString()));
    }
    if (!late.isEmpty()) {
      out.add(
          new RateLimitPolicy(
              Stage.SUBJECT_LIMIT, store, late.toArray(new Compiled[0]), header.toString()));
    }
    return out;
  }

  @Override
  public Stage stage() {
    return stage;
  }

  @Override
  public String name() {
    return stage == Stage.RATE_LIMIT ? "rate-limit" : "subject-limit";
  }

  /** Returns each limit as {@code name([key] limit/window burst n)}, in the order configured. */
  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Compiled c : limits) {
      Limit l = c.limit();
      sb.append(sb.length() == 0 ? "" : ", ")
          .append(l.name())
          .append('(')
          .append(l.key())
          .append(' ')
          .append(l.limit())
          .append('/')
          .append(Units.formatDuration(l.window()))
          .append(" burst ")
          .append(l.burst())
          .append(l.denyOnStoreFailure() ? "" : " allow-on-store-failure")
          .append(')');
    }
    return sb.toString();
  }

  @Override
  public void onRequest(Exchange exchange) {
    check(exchange, 0);
  }

  private void check(Exchange ex, int i) {
    if (i == limits.length) {
      ex.proceed();
      return;
    }
    Compiled c = limits[i];
    store.consume(key(ex, c), c.shape()).whenComplete(new Step(ex, i));
  }

  /**
   * One bucket asked about one request: the store's answer, which may arrive on a store thread,
   * resumes on the exchange's loop (one object serves as both callbacks); a store failure becomes
   * {@link Consumption#STORE_FAILED}.
   */
  private final class Step implements BiConsumer<Consumption, Throwable>, Runnable {
    private final Exchange ex;
    private final int i;
    private Consumption consumption = Consumption.STORE_FAILED;

    Step(Exchange ex, int i) {
      this.ex = ex;
      this.i = i;
    }

    @Override
    public void accept(@Nullable Consumption answer, @Nullable Throwable failure) {
      consumption = failure == null && answer != null ? answer : Consumption.STORE_FAILED;
      ex.resume(this);
    }

    @Override
    public void run() {
      consumed(ex, i, limits[i], consumption);
    }
  }

  private void consumed(Exchange ex, int i, Compiled c, Consumption consumption) {
    if (ex.finishedOrResponded()) {
      return; // the client left (or a deadline answered) while the store was asked
    }
    DecisionTrace trace = ex.trace();
    if (consumption.failed()) {
      if (trace != null) {
        note(
            trace,
            ex,
            c,
            c.limit().denyOnStoreFailure()
                ? "store unavailable, refused (on-store-failure: deny)"
                : "store unavailable, not counted (on-store-failure: allow)");
      }
      if (c.limit().denyOnStoreFailure()) {
        ex.deny(STORE_UNAVAILABLE);
      } else {
        check(ex, i + 1);
      }
      return;
    }
    RateLimitOutcome outcome =
        new RateLimitOutcome(
            c.limit().name(),
            consumption.remaining(),
            RateLimitOutcome.seconds(consumption.nanosToFull()),
            consumption.allowed()
                ? 0
                : Math.max(1, RateLimitOutcome.seconds(consumption.nanosToRefill())));
    RateLimitOutcome previous = ex.attr(OUTCOME);
    ex.attr(OUTCOME, previous == null ? outcome : RateLimitOutcome.tighter(previous, outcome));
    if (trace != null) {
      note(
          trace,
          ex,
          c,
          consumption.allowed()
              ? consumption.remaining() + " of " + c.limit().burst() + " left"
              : "none left, retry after " + outcome.retryAfterSeconds() + "s");
    }
    if (!consumption.allowed()) {
      ex.deny(c.denial());
      return;
    }
    check(ex, i + 1);
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    HeaderMap h = head.headers();
    h.set(RATELIMIT_POLICY, policyHeader);
    RateLimitOutcome o = exchange.attr(OUTCOME);
    if (o != null) {
      h.set(RATELIMIT, "\"" + o.name() + "\";r=" + o.remaining() + ";t=" + o.resetSeconds());
      if (o.denied() && head.status() == 429) {
        h.set(RETRY_AFTER, String.valueOf(o.retryAfterSeconds()));
      }
    }
  }

  /** Builds the bucket key: route, limit name, then each key part's value. */
  static String key(Exchange ex, Compiled c) {
    StringBuilder sb = new StringBuilder(64).append(c.keyPrefix());
    List<KeyPart> parts = c.limit().key();
    for (int p = 0; p < parts.size(); p++) {
      if (p > 0) {
        sb.append('|');
      }
      KeyPart part = parts.get(p);
      switch (part.kind()) {
        case IP -> sb.append("ip=").append(ex.clientAddress());
        case ROUTE -> sb.append("route");
        case SUBJECT -> {
          String subject = ex.subject();
          if (subject == null) {
            sb.append("ip=").append(ex.clientAddress());
          } else {
            sb.append("sub=").append(bounded(subject));
          }
        }
        case HEADER -> {
          String v = ex.request().header(part.header());
          if (v == null || v.isEmpty()) {
            sb.append("ip=").append(ex.clientAddress());
          } else {
            sb.append("h=").append(bounded(v));
          }
        }
      }
    }
    return sb.toString();
  }

  /** Notes what a limit did with the request, and under which key it counted. */
  private void note(DecisionTrace trace, Exchange ex, Compiled c, String what) {
    trace.note(name(), c.limit().name() + " [" + traceKey(ex, c) + "]: " + what);
  }

  /**
   * Returns the key a limit counted, for a decision trace: like the bucket key, but a header's
   * value shows only as the start of its SHA-256 (it may be a credential).
   */
  static String traceKey(Exchange ex, Compiled c) {
    StringBuilder sb = new StringBuilder();
    for (KeyPart part : c.limit().key()) {
      sb.append(sb.length() == 0 ? "" : ", ");
      switch (part.kind()) {
        case IP -> sb.append("ip=").append(ex.clientAddress());
        case ROUTE -> sb.append("route");
        case SUBJECT -> {
          String subject = ex.subject();
          sb.append(
              subject == null ? "ip=" + ex.clientAddress() + " (anonymous)" : "subject=" + subject);
        }
        case HEADER -> {
          String v = ex.request().header(part.header());
          sb.append(
              v == null || v.isEmpty()
                  ? "ip=" + ex.clientAddress() + " (no " + part.header() + ")"
                  : part.header() + "=sha256:" + sha256(v).substring(0, 12));
        }
      }
    }
    return sb.toString();
  }

  /** Returns a value short enough for a key: long values are replaced by their SHA-256. */
  private static String bounded(String value) {
    if (value.length() <= MAX_KEY_VALUE) {
      return value;
    }
    return "#" + sha256(value);
  }

  private static String sha256(String value) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
