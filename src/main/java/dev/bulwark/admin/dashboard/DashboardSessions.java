package dev.bulwark.admin.dashboard;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's server-side sessions: a random 256-bit id (the cookie's value) per signed-in
 * operator, each with its own CSRF token, ending after {@code idle} without a request or {@code
 * absolute} after sign-in, whichever comes first. At most {@code max} are held: a new sign-in
 * beyond that ends the one least recently used. Ids are held as their SHA-256, so neither the map's
 * lookups nor a heap dump give a usable id. Thread-safe.
 */
final class DashboardSessions {
  /** A session ends after this long without a request. */
  static final Duration IDLE = Duration.ofMinutes(15);

  /** A session ends this long after sign-in, used or not. */
  static final Duration ABSOLUTE = Duration.ofHours(8);

  /** The most sessions held at once. */
  static final int MAX = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final long idleNanos;
  private final long absoluteNanos;
  private final int max;
  private final LongSupplier nanoClock;
  private final Map<String, Session> sessions = new HashMap<>();

  /** One signed-in operator. */
  static final class Session {
    private final String key;
    private final String csrf;
    private final String operator;
    private final long createdNanos;
    private long lastSeenNanos;
    private @Nullable String flash;

    private Session(String key, String csrf, String operator, long now) {
      this.key = key;
      this.csrf = csrf;
      this.operator = operator;
      this.createdNanos = now;
      this.lastSeenNanos = now;
    }

    /** Returns who signed in: an account's login name, or {@code admin token}. */
    String operator() {
      return operator;
    }

    /** Returns the synchronizer token that every form of this session carries. */
    String csrf() {
      return csrf;
    }

    /** Returns whether {@code presented} is this session's CSRF token (constant time). */
    boolean csrfMatches(@Nullable String presented) {
      return presented != null
          && MessageDigest.isEqual(
              presented.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps a one-line message for the next page of this session. */
    synchronized void flash(String message) {
      this.flash = message;
    }

    /** Returns and forgets the message kept for the next page, or null. */
    synchronized @Nullable String takeFlash() {
      String f = flash;
      flash = null;
      return f;
    }
  }

  /** A session and the id to put in the cookie. */
  record Created(String id, Session session) {}

  DashboardSessions(Duration idle, Duration absolute, int max, LongSupplier nanoClock) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
    }
    this.idleNanos = idle.toNanos();
    this.absoluteNanos = absolute.toNanos();
    this.max = max;
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
  }

  /** Sessions with the standard limits on the system clock. */
  static DashboardSessions standard() {
    return new DashboardSessions(IDLE, ABSOLUTE, MAX, System::nanoTime);
  }

  /** Starts a session, ending the least recently used one when {@code max} are held. */
  synchronized Created create(String operator) {
    requireNonNull(operator, "operator");
    long now = nanoClock.getAsLong();
    purge(now);
    if (sessions.size() >= max) {
      Session oldest = null;
      for (Session s : sessions.values()) {
        if (oldest == null || s.lastSeenNanos < oldest.lastSeenNanos) {
          oldest = s;
        }
      }
      sessions.remove(requireNonNull(oldest).key);
    }
    String id = random();
    Session s = new Session(key(id), random(), operator, now);
    sessions.put(s.key, s);
    return new Created(id, s);
  }

  /** Returns the live session of a cookie value and marks it used, or null. */
  synchronized @Nullable Session find(@Nullable String id) {
    if (id == null || id.length() != 43) {
      return null;
    }
    long now = nanoClock.getAsLong();
    String key = key(id);
    Session s = sessions.get(key);
    if (s == null) {
      return null;
    }
    if (expired(s, now)) {
      sessions.remove(key);
      return null;
    }
    s.lastSeenNanos = now;
    return s;
  }

  /** Ends a session (sign-out). */
  synchronized void end(Session session) {
    sessions.remove(session.key);
  }

  /** Returns how many sessions are held (expired ones included until the next sign-in). */
  synchronized int size() {
    return sessions.size();
  }

  private boolean expired(Session s, long now) {
    return now - s.lastSeenNanos >= idleNanos || now - s.createdNanos >= absoluteNanos;
  }

  private void purge(long now) {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      if (expired(it.next(), now)) {
        it.remove();
      }
    }
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String key(String id) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
