package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.AdminConfig;
import dev.bulwark.exchange.IpAddresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's credential check: when the current configuration sets {@code admin.token}, a
 * call must carry {@code Authorization: Bearer TOKEN}. The token is compared as its SHA-256 in
 * constant time (so neither its content nor its length leaks through timing). A refusal is {@code
 * 401} with {@code WWW-Authenticate: Bearer}, answered only after a fixed delay, and written as an
 * {@code admin-auth-failed} security event; an address that sends too many wrong tokens within a
 * window is locked out ({@code 429}, no token compared) until the window ends. Without a token the
 * listener is on loopback, and a call that names a host other than {@code localhost} or an address
 * is refused ({@code 403}): that is a browser page reaching it through DNS rebinding.
 */
public final class AdminAuthentication {
  /** The challenge of every 401: the scheme and the realm. */
  static final String CHALLENGE = "Bearer realm=\"bulwark-admin\"";

  private final Supplier<AdminConfig> config;
  private final SecurityEvents security;
  private final Vertx vertx;
  private final Duration failureDelay;
  private final FailedAttempts attempts;
  private final Duration lockout;
  private final LongSupplier nanoClock;
  private final Counter missing;
  private final Counter malformed;
  private final Counter wrong;
  private final Counter lockedOut;

  /** The settings of the brute-force defences. */
  public record Throttle(Duration failureDelay, int maxFailures, Duration lockout) {
    /** A refusal after 250ms; 10 wrong tokens per address within a minute lock it out. */
    public static final Throttle DEFAULT =
        new Throttle(Duration.ofMillis(250), 10, Duration.ofMinutes(1));

    public Throttle {
      requireNonNull(failureDelay, "failureDelay");
      requireNonNull(lockout, "lockout");
      if (maxFailures < 1) {
        throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: > 0)");
      }
    }
  }

  /**
   * Checks calls against the token of {@code config}'s current value (a reload applies a new token
   * to the next call).
   */
  public AdminAuthentication(
      Supplier<AdminConfig> config,
      SecurityEvents security,
      Vertx vertx,
      MeterRegistry registry,
      Throttle throttle) {
    this(config, security, vertx, registry, throttle, System::nanoTime);
  }

  AdminAuthentication(
      Supplier<AdminConfig> config,
      SecurityEvents security,
      Vertx vertx,
      MeterRegistry registry,
      Throttle throttle,
      LongSupplier nanoClock) {
    this.config = requireNonNull(config, "config");
    this.security = requireNonNull(security, "security");
    this.vertx = requireNonNull(vertx, "vertx");
    this.failureDelay = throttle.failureDelay();
    this.lockout = throttle.lockout();
    this.attempts =
        new FailedAttempts(throttle.maxFailures(), throttle.lockout().toNanos(), 10_000);
    this.nanoClock = nanoClock;
    this.missing = failures(registry, "missing");
    this.malformed = failures(registry, "malformed");
    this.wrong = failures(registry, "wrong");
    this.lockedOut = failures(registry, "locked-out");
  }

  private static Counter failures(MeterRegistry registry, String reason) {
    return Counter.builder("bulwark_admin_auth_failures")
        .description("Admin calls refused for their credential, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  /**
   * Runs {@code next} when the call may go on (no token configured, or the right one presented);
   * otherwise answers the call itself.
   */
  void authenticate(HttpServerRequest req, String requestId, Runnable next) {
    AdminConfig current = config.get();
    byte[] expected = current.tokenDigest();
    String client = client(req);
    if (expected == null) {
      if (namesLocalHost(req.getHeader("host"))) {
        next.run();
        return;
      }
      // Without a token, the listener is on loopback and reachable by any local browser page
      // through DNS rebinding (a name resolving to 127.0.0.1): such a page names its own host.
      security.publish(
          SecurityEvent.adminAuthFailed(
              requestId,
              client,
              403,
              "Host is a name, not localhost or an address (DNS rebinding)",
              req.method().name(),
              String.valueOf(req.path())));
      AdminCall.writeError(
          req,
          requestId,
          403,
          "the admin listener answers only Host: localhost or an IP address (or set admin.token)",
          !req.isEnded());
      return;
    }
    String header = req.getHeader("authorization");
    judge(
        req,
        requestId,
        client,
        bearer(header),
        header == null ? "no token" : "malformed authorization",
        verdict -> {
          switch (verdict) {
            case ACCEPTED -> next.run();
            case LOCKED_OUT ->
                AdminCall.writeError(
                    req,
                    requestId,
                    429,
                    "too many failed admin authentications; retry later",
                    true);
            case REFUSED -> {
              req.response().putHeader("www-authenticate", CHALLENGE);
              AdminCall.writeError(req, requestId, 401, "unauthorized", true);
            }
          }
        });
  }

  /** What a presented admin token came to. */
  public enum Verdict {
    /** The token is right, or the listener asks for none. */
    ACCEPTED,
    /** No token, or a wrong one: reported after the failure delay, and written as an event. */
    REFUSED,
    /**
     * The address sent too many wrong tokens and is locked out: no token was compared, and the
     * response carries {@code Retry-After}.
     */
    LOCKED_OUT
  }

  /** Returns whether the current configuration asks for the admin token. */
  public boolean tokenRequired() {
    return config.get().tokenDigest() != null;
  }

  /**
   * Judges a token presented other than in {@code Authorization} (the dashboard's sign-in form)
   * with the same throttle as every admin call: a wrong one is delayed, counted towards the
   * address's lockout and written as an {@code admin-auth-failed} event. {@code then} runs on the
   * call's event loop.
   */
  public void verify(AdminCall call, @Nullable String presented, Consumer<Verdict> then) {
    requireNonNull(then, "then");
    HttpServerRequest req = call.request();
    if (config.get().tokenDigest() == null) {
      then.accept(Verdict.ACCEPTED);
      return;
    }
    String token = presented == null || presented.isEmpty() ? null : presented;
    if (token != null && token.length() > AdminConfig.MAX_TOKEN_LENGTH) {
      token = null;
    }
    judge(
        req,
        call.requestId(),
        client(req),
        token,
        presented == null || presented.isEmpty() ? "no token" : "malformed token",
        then);
  }

  /**
   * Compares {@code presented} with the configured token, unless the address is locked out; a
   * refusal is counted, written as an event and reported after the failure delay.
   */
  private void judge(
      HttpServerRequest req,
      String requestId,
      String client,
      @Nullable String presented,
      String absentReason,
      Consumer<Verdict> then) {
    byte[] expected = config.get().tokenDigest();
    if (expected == null) {
      then.accept(Verdict.ACCEPTED);
      return;
    }
    long now = nanoClock.getAsLong();
    long locked = attempts.lockedFor(client, now);
    if (locked > 0) {
      lockedOut.increment();
      long seconds = Math.max(1, (locked + 999_999_999L) / 1_000_000_000L);
      req.response().putHeader("retry-after", String.valueOf(seconds));
      then.accept(Verdict.LOCKED_OUT);
      return;
    }
    String reason;
    if (presented == null) {
      reason = absentReason;
      (reason.equals("no token") ? missing : malformed).increment();
    } else if (MessageDigest.isEqual(AdminConfig.sha256(presented), expected)) {
      attempts.succeeded(client);
      then.accept(Verdict.ACCEPTED);
      return;
    } else {
      reason = "wrong token";
      wrong.increment();
      if (attempts.failed(client, now)) {
        reason =
            "wrong token; address locked out for "
                + lockout.toSeconds()
                + "s after "
                + attempts.limit()
                + " wrong tokens";
      }
    }
    security.publish(
        SecurityEvent.adminAuthFailed(
            requestId, client, 401, reason, req.method().name(), String.valueOf(req.path())));
    refuse(() -> then.accept(Verdict.REFUSED));
  }

  /** Reports a refusal after the failure delay: a guess costs the guesser time, never the loop. */
  private void refuse(Runnable answer) {
    long delay = failureDelay.toMillis();
    if (delay <= 0) {
      answer.run();
    } else {
      vertx.setTimer(delay, t -> answer.run());
    }
  }

  /** Returns the token of {@code Bearer TOKEN}, or null when absent or malformed. */
  static @Nullable String bearer(@Nullable String authorization) {
    if (authorization == null
        || authorization.length() > 7 + AdminConfig.MAX_TOKEN_LENGTH
        || authorization.length() < 8
        || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    String token = authorization.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /**
   * Returns whether a Host header names this machine as a tool would (an IP literal or {@code
   * localhost}, any port), or is absent (HTTP/1.0: no browser sends that).
   */
  public static boolean namesLocalHost(@Nullable String host) {
    if (host == null) {
      return true;
    }
    String h = host.strip();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 && IpAddresses.parse(h.substring(1, end)) != null;
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.equalsIgnoreCase("localhost") || IpAddresses.parse(name) != null;
  }

  private static String client(HttpServerRequest req) {
    SocketAddress peer = req.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    if (host == null) {
      return "unknown";
    }
    byte[] parsed = IpAddresses.parse(host);
    return parsed == null ? host : IpAddresses.format(parsed);
  }
}
