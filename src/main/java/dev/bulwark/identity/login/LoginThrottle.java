package dev.bulwark.identity.login;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.BanStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Slows down whoever fails to log in, not the account they aim at. Failures are counted in fixed
 * windows through the store's strike counters ({@link BanStore#strike}), so that every gateway of a
 * cluster counts the same failures: per address and login name, per address, separately for
 * passwords and second factors. Past a number of free failures, each further one doubles the delay
 * before that pair (or that address) may try again, up to a cap: there is no lockout, so a user is
 * never locked out by someone else's failures, and waits at most the cap after their own.
 *
 * <p>Two patterns of credential stuffing are told apart by counting distinct names and addresses
 * (the first failure of a pair in its window counts it once): many login names failing from one
 * address make that address wait the cap for every name; many addresses failing against one login
 * name mark the name as under attack, and every attempt at it is held for the hold limit (a
 * distributed attack pays seconds per guess while the real user logs in a little slower, not
 * never). Each produces a {@code credential-stuffing-suspected} event once per window.
 *
 * <p>{@link #check} answers from this process's memory of the delays (no I/O before an attempt);
 * the counts behind them are shared, so across N gateways an attacker gets at most N attempts per
 * delay while the delay still doubles with every failure anywhere. A store that fails counts the
 * failure as one past the free ones (the base delay applies). Login names are keyed by a truncated
 * SHA-256, so the shared store never holds them in clear. Thread-safe.
 */
public final class LoginThrottle {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_DOUBLINGS = 30;

  private final ThrottleSettings settings;
  private final BanStore counters;
  private final SecurityEvents events;
  private final LongSupplier nanoClock;

  /** Until when (on the nano clock) each pair, address or mark holds. */
  private final Cache<String, Long> until;

  /** What is being tried. */
  public enum Factor {
    /** A password. */
    PASSWORD("password", "pw"),
    /** A TOTP code. */
    TOTP("totp", "mfa"),
    /** A recovery code (counted with TOTP codes: both are second factors). */
    RECOVERY_CODE("recovery-code", "mfa");

    private final String wireName;
    private final String group;

    Factor(String wireName, String group) {
      this.wireName = wireName;
      this.group = group;
    }

    /** Returns the name written in security events. */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * One login attempt.
   *
   * @param requestId the request's id
   * @param client the client address (canonical)
   * @param route the route of the login endpoint, or null
   * @param login the login name tried
   */
  public record Attempt(String requestId, String client, @Nullable String route, LoginName login) {
    public Attempt {
      requireNonNull(requestId, "requestId");
      requireNonNull(client, "client");
      requireNonNull(login, "login");
    }
  }

  /** A throttle counting through {@code counters} and reporting to {@code events}. */
  public LoginThrottle(ThrottleSettings settings, BanStore counters, SecurityEvents events) {
    this(settings, counters, events, System::nanoTime);
  }

  /** Like the public constructor, with the clock of the delays given (tests move it by hand). */
  public LoginThrottle(
      ThrottleSettings settings, BanStore counters, SecurityEvents events, LongSupplier nanoClock) {
    this.settings = requireNonNull(settings, "settings");
    this.counters = requireNonNull(counters, "counters");
    this.events = requireNonNull(events, "events");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    Duration keep =
        settings.window().compareTo(settings.maxDelay()) > 0
            ? settings.window()
            : settings.maxDelay();
    this.until =
        Caffeine.newBuilder()
            .maximumSize(settings.maxTracked())
            .expireAfterWrite(keep)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Says whether {@code attempt} may go ahead now, from the delays its address and pair earned;
   * never does I/O. A refusal is reported as a {@code login-throttled} event.
   */
  public ThrottleDecision check(Attempt attempt, Factor factor) {
    requireNonNull(attempt, "attempt");
    requireNonNull(factor, "factor");
    long now = nanoClock.getAsLong();
    String name = nameKey(attempt.login());
    long wait =
        Math.max(
            remaining(pairKey(factor, attempt.client(), name), now),
            Math.max(
                remaining(addressKey(factor, attempt.client()), now),
                remaining(stuffingKey(attempt.client()), now)));
    if (wait <= 0 && factor == Factor.PASSWORD && remaining(attackedKey(name), now) > 0) {
      wait = settings.holdLimit().toNanos();
    }
    ThrottleDecision d = decision(wait);
    if (d.action() == ThrottleDecision.Action.REFUSE) {
      events.publish(
          SecurityEvent.loginThrottled(
              attempt.requestId(),
              attempt.client(),
              attempt.route(),
              attempt.login().value(),
              factor.wireName()));
    }
    return d;
  }

  /**
   * Counts a failed attempt (an unknown name counts like a wrong password), reports it, and
   * completes with what the next attempt of this address at this name will be told; never completes
   * exceptionally.
   */
  public CompletionStage<ThrottleDecision> failed(Attempt attempt, Factor factor) {
    requireNonNull(attempt, "attempt");
    requireNonNull(factor, "factor");
    String name = nameKey(attempt.login());
    String client = attempt.client();
    CompletionStage<Long> pair = count("login-" + factor.group + "-pair", client + '/' + name);
    CompletionStage<Long> address = count("login-" + factor.group + "-address", client);
    return pair.thenCompose(
        p ->
            address.thenCompose(
                a -> {
                  if (p != 1 || factor != Factor.PASSWORD) {
                    return settle(attempt, factor, name, p, a, 0, 0);
                  }
                  // The pair's first failure in its window: one more distinct name and address.
                  return count("login-names-per-address", client)
                      .thenCompose(
                          names ->
                              count("login-addresses-per-name", name)
                                  .thenCompose(
                                      addrs -> settle(attempt, factor, name, p, a, names, addrs)));
                }));
  }

  /**
   * Clears the delays and counts of this address at this name for the factor, and reports the
   * success; the per-address counts stay (one good account must not launder an address's failures).
   */
  public CompletionStage<Void> succeeded(Attempt attempt, Factor factor) {
    requireNonNull(attempt, "attempt");
    requireNonNull(factor, "factor");
    String name = nameKey(attempt.login());
    until.invalidate(pairKey(factor, attempt.client(), name));
    events.publish(
        SecurityEvent.loginAttempt(
            SecurityEventKind.LOGIN_SUCCEEDED,
            attempt.requestId(),
            attempt.client(),
            attempt.route(),
            attempt.login().value(),
            factor.wireName(),
            0));
    return counters
        .forgetStrikes("login-" + factor.group + "-pair", attempt.client() + '/' + name)
        .exceptionally(storeDown -> null);
  }

  private CompletionStage<ThrottleDecision> settle(
      Attempt attempt,
      Factor factor,
      String name,
      long pair,
      long address,
      long names,
      long addrs) {
    long now = nanoClock.getAsLong();
    boolean attacked = factor == Factor.PASSWORD && remaining(attackedKey(name), now) > 0;
    int free = factor == Factor.PASSWORD ? settings.freeFailures() : settings.mfaFreeFailures();
    long pairFailures = pair < 0 ? free + 1L : pair;
    hold(pairKey(factor, attempt.client(), name), now, delay(pairFailures - (attacked ? 0 : free)));
    long addressFailures = address < 0 ? 0 : address;
    hold(
        addressKey(factor, attempt.client()),
        now,
        delay(addressFailures - settings.addressFreeFailures()));
    events.publish(
        SecurityEvent.loginAttempt(
            factor == Factor.PASSWORD
                ? SecurityEventKind.LOGIN_FAILED
                : SecurityEventKind.MFA_FAILED,
            attempt.requestId(),
            attempt.client(),
            attempt.route(),
            attempt.login().value(),
            factor.wireName(),
            Math.max(0, pair)));
    if (names >= settings.namesPerAddress()) {
      hold(stuffingKey(attempt.client()), now, settings.maxDelay().toNanos());
      if (names == settings.namesPerAddress()) {
        events.publish(
            SecurityEvent.credentialStuffing(
                attempt.requestId(),
                attempt.client(),
                attempt.route(),
                "names-per-address",
                attempt.login().value(),
                names));
      }
    }
    if (addrs >= settings.addressesPerName()) {
      hold(attackedKey(name), now, settings.window().toNanos());
      if (addrs == settings.addressesPerName()) {
        events.publish(
            SecurityEvent.credentialStuffing(
                attempt.requestId(),
                attempt.client(),
                attempt.route(),
                "addresses-per-name",
                attempt.login().value(),
                addrs));
      }
    }
    long wait =
        Math.max(
            remaining(pairKey(factor, attempt.client(), name), now),
            Math.max(
                remaining(addressKey(factor, attempt.client()), now),
                remaining(stuffingKey(attempt.client()), now)));
    return CompletableFuture.completedFuture(decision(wait));
  }

  /** Counts one strike; completes with -1 when the store failed. */
  private CompletionStage<Long> count(String rule, String key) {
    try {
      return counters.strike(rule, key, settings.window()).exceptionally(storeDown -> -1L);
    } catch (RuntimeException storeDown) {
      return CompletableFuture.completedFuture(-1L);
    }
  }

  /** Returns the delay earned by {@code excess} failures past the free ones, in nanoseconds. */
  long delay(long excess) {
    if (excess <= 0) {
      return 0;
    }
    long base = settings.baseDelay().toNanos();
    long max = settings.maxDelay().toNanos();
    int doublings = (int) Math.min(excess - 1, MAX_DOUBLINGS);
    long d = base;
    for (int i = 0; i < doublings && d < max; i++) {
      d = d > max / 2 ? max : d * 2;
    }
    return Math.min(d, max);
  }

  private ThrottleDecision decision(long waitNanos) {
    if (waitNanos <= 0) {
      return ThrottleDecision.ALLOW;
    }
    Duration wait = Duration.ofNanos(waitNanos);
    return wait.compareTo(settings.holdLimit()) <= 0
        ? ThrottleDecision.delay(wait)
        : ThrottleDecision.refuse(wait);
  }

  private void hold(String key, long now, long nanos) {
    if (nanos <= 0) {
      return;
    }
    long end = now + nanos;
    until.asMap().merge(key, end, Math::max);
  }

  private long remaining(String key, long now) {
    Long end = until.getIfPresent(key);
    return end == null ? 0 : end - now;
  }

  private static String pairKey(Factor f, String client, String name) {
    return f.group + "|p|" + client + '|' + name;
  }

  private static String addressKey(Factor f, String client) {
    return f.group + "|a|" + client;
  }

  private static String stuffingKey(String client) {
    return "s|" + client;
  }

  private static String attackedKey(String name) {
    return "n|" + name;
  }

  /** Returns the first 16 bytes of the name's SHA-256, in hex: the name as counters know it. */
  static String nameKey(LoginName login) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(login.value().getBytes(StandardCharsets.UTF_8));
      return HEX.formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
