package dev.bulwark.policy.ratelimit;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyPart;
import dev.bulwark.policy.ratelimit.RateLimitConfig.Limit;
import dev.bulwark.store.BucketShape;
import dev.bulwark.store.Consumption;
import dev.bulwark.store.RateLimitStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Takes a token from each of the route's buckets that this stage can key, answering 429 with {@code
 * Retry-After} when one is empty; every response of the route carries {@code RateLimit-Policy} and
 * {@code RateLimit} (IETF httpapi draft). Limits keyed by subject run at {@link
 * Stage#SUBJECT_LIMIT}, after authentication; the rest at {@link Stage#RATE_LIMIT}, before any
 * costly work.
 */
public final class RateLimitPolicy implements Policy {
  private static final CharSequence RATELIMIT_POLICY =
      HttpHeaders.createOptimized("ratelimit-policy");
  private static final CharSequence RATELIMIT = HttpHeaders.createOptimized("ratelimit");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");
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

  @Override
  public void onRequest(Exchange exchange) {
    check(exchange, 0, Vertx.currentContext());
  }

  private void check(Exchange ex, int i, @Nullable Context context) {
    if (i == limits.length) {
      ex.proceed();
      return;
    }
    Compiled c = limits[i];
    String key = key(ex, c);
    store.consume(
        key,
        c.shape(),
        consumption -> {
          if (context == null || Vertx.currentContext() == context) {
            consumed(ex, i, c, consumption, context);
          } else {
            context.runOnContext(v -> consumed(ex, i, c, consumption, context));
          }
        });
  }

  private void consumed(
      Exchange ex, int i, Compiled c, Consumption consumption, @Nullable Context context) {
    if (ex.finishedOrResponded()) {
      return; // the client left (or a deadline answered) while the store was asked
    }
    if (consumption.failed()) {
      if (c.limit().denyOnStoreFailure()) {
        ex.deny(STORE_UNAVAILABLE);
      } else {
        check(ex, i + 1, context);
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
    Object previous = ex.rateLimit();
    ex.rateLimit(
        previous instanceof RateLimitOutcome p ? RateLimitOutcome.tighter(p, outcome) : outcome);
    if (!consumption.allowed()) {
      ex.deny(c.denial());
      return;
    }
    check(ex, i + 1, context);
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    var h = head.headers();
    h.set(RATELIMIT_POLICY, policyHeader);
    if (exchange.rateLimit() instanceof RateLimitOutcome o) {
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
          String v = ex.request().getHeader(part.header());
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

  /** Returns a value short enough for a key: long values are replaced by their SHA-256. */
  private static String bounded(String value) {
    if (value.length() <= MAX_KEY_VALUE) {
      return value;
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "#" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
