package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A logged-in connection to Vault: reads KV v2 fields, renews its token before the lease ends (or
 * logs in again when the method can), and remembers the last good value of each field, which keeps
 * serving while Vault is away or refuses the gateway; each such fallback is told to the {@link
 * Listener}. Thread-safe; every call blocks, so none is made on an event loop.
 */
public final class VaultSession implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VaultSession.class.getName());

  /** How many distinct fields a session remembers (bounds the cache). */
  static final int MAX_REMEMBERED = 10_000;

  /** Renewal is attempted at this fraction of the lease, leaving a third for retries. */
  private static final double RENEW_AT = 2.0 / 3;

  /** Hears when Vault fails and when it answers again. */
  public interface Listener {
    /** Vault failed; the last good values keep serving (or, at start, nothing can). */
    void unavailable(String address, String reason);

    /** Vault answered again after a failure. */
    void recovered(String address);
  }

  private final VaultClient client;
  private final Listener listener;
  private final ScheduledExecutorService renewer;
  private final Map<VaultReference, String> lastGood = new LinkedHashMap<>();
  private final Map<String, VaultClient.Secret> round = new HashMap<>();
  private VaultClient.@Nullable Lease lease;
  private @Nullable ScheduledFuture<?> renewal;
  private boolean failing;

  /** Vault's failure in this round: the round's other reads use their last good value at once. */
  private @Nullable VaultException roundOutage;

  private boolean closed;

  private VaultSession(VaultClient client, Listener listener) {
    this.client = client;
    this.listener = listener;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-vault-renewal");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Logs in to Vault and returns the session.
   *
   * @throws VaultException when Vault cannot be reached or refuses the login
   */
  public static VaultSession open(VaultSettings settings, Listener listener) throws VaultException {
    requireNonNull(settings, "settings");
    requireNonNull(listener, "listener");
    VaultClient client = new VaultClient(settings);
    VaultSession s = new VaultSession(client, listener);
    try {
      s.logIn();
    } catch (VaultException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Returns the settings the session was opened with. */
  public VaultSettings settings() {
    return client.settings();
  }

  /**
   * Starts a round of reads (one configuration load, or one refresh): within a round each secret is
   * fetched once, however many of its fields are referenced.
   */
  public synchronized void beginRound() {
    round.clear();
    roundOutage = null;
  }

  /**
   * Returns the field's current value from Vault; when Vault is away or refuses the gateway and the
   * field was read before, returns that last good value after telling the listener.
   *
   * @throws VaultException when the secret is wrong (missing, deleted, not a string, too large), or
   *     Vault fails and no value was ever read
   */
  public synchronized String read(VaultReference ref) throws VaultException {
    if (closed) {
      throw new VaultException(VaultException.Reason.UNAVAILABLE, "the Vault session is closed");
    }
    VaultException outage = roundOutage;
    if (outage != null) {
      String cached = lastGood.get(ref);
      if (cached == null) {
        throw outage;
      }
      return cached;
    }
    try {
      String value = fetch(ref).field(ref);
      if (lastGood.size() < MAX_REMEMBERED || lastGood.containsKey(ref)) {
        lastGood.put(ref, value);
      }
      if (failing) {
        failing = false;
        listener.recovered(client.settings().where());
      }
      return value;
    } catch (VaultException e) {
      if (!e.outage()) {
        throw e;
      }
      if (e.reason() != VaultException.Reason.DENIED) {
        // Vault as a whole is away: the round's other secrets would only wait for it again. A
        // refusal may concern this secret alone, so the others are still asked.
        roundOutage = e;
      }
      String cached = lastGood.get(ref);
      if (cached == null) {
        throw e;
      }
      failing = true;
      listener.unavailable(client.settings().where(), e.getMessage());
      return cached;
    }
  }

  private VaultClient.Secret fetch(VaultReference ref) throws VaultException {
    VaultClient.Secret s = round.get(ref.secret());
    if (s != null) {
      return s;
    }
    VaultClient.Lease l = lease;
    if (l == null) {
      l = logIn();
    }
    try {
      s = client.read(l.token(), ref);
    } catch (VaultException e) {
      if (e.reason() != VaultException.Reason.DENIED || !client.settings().auth().canLogIn()) {
        throw e;
      }
      // The token may have ended between renewals (Vault restarted, revoked): log in once more.
      s = client.read(logIn().token(), ref);
    }
    round.put(ref.secret(), s);
    return s;
  }

  /** A call to Vault made with the session's token. */
  @FunctionalInterface
  private interface Call<T> {
    T with(String token) throws VaultException;
  }

  /**
   * Encrypts {@code plain} under the latest version of a transit key and returns Vault's ciphertext
   * ({@code vault:v<version>:<base64>}).
   *
   * @throws VaultException when Vault cannot answer, refuses, or has no such key
   */
  public String encrypt(TransitKey key, byte[] plain) throws VaultException {
    return call(t -> client.transitEncrypt(t, key, plain));
  }

  /**
   * Decrypts a transit ciphertext of {@code key}; nothing is cached, so Vault is asked every time.
   *
   * @throws VaultException when Vault cannot answer, refuses, or the ciphertext does not open
   */
  public byte[] decrypt(TransitKey key, String ciphertext) throws VaultException {
    return call(t -> client.transitDecrypt(t, key, ciphertext));
  }

  /**
   * Re-encrypts a transit ciphertext under the key's latest version (after a rotation in Vault).
   *
   * @throws VaultException when Vault cannot answer, refuses, or the ciphertext does not open
   */
  public String rewrap(TransitKey key, String ciphertext) throws VaultException {
    return call(t -> client.transitRewrap(t, key, ciphertext));
  }

  private synchronized <T> T call(Call<T> call) throws VaultException {
    if (closed) {
      throw new VaultException(VaultException.Reason.UNAVAILABLE, "the Vault session is closed");
    }
    VaultClient.Lease l = lease;
    if (l == null) {
      l = logIn();
    }
    try {
      return call.with(l.token());
    } catch (VaultException e) {
      if (e.reason() != VaultException.Reason.DENIED || !client.settings().auth().canLogIn()) {
        throw e;
      }
      return call.with(logIn().token());
    }
  }

  private synchronized VaultClient.Lease logIn() throws VaultException {
    VaultClient.Lease l = client.logIn();
    lease = l;
    schedule(l);
    return l;
  }

  private synchronized void schedule(VaultClient.Lease l) {
    ScheduledFuture<?> previous = renewal;
    if (previous != null) {
      previous.cancel(false);
    }
    renewal = null;
    if (closed || l.ttl().isZero()) {
      return; // a token without a TTL never expires
    }
    long delayMs = Math.max(500, (long) (l.ttl().toMillis() * RENEW_AT));
    renewal = renewer.schedule(this::renewNow, delayMs, TimeUnit.MILLISECONDS);
  }

  /** Renews the token, or logs in again when it cannot be renewed and the method can. */
  private synchronized void renewNow() {
    VaultClient.Lease l = lease;
    if (closed || l == null) {
      return;
    }
    boolean canLogIn = client.settings().auth().canLogIn();
    try {
      if (l.renewable()) {
        VaultClient.Lease renewed = client.renew(l.token());
        if (canLogIn && renewed.ttl().compareTo(l.ttl().dividedBy(2)) < 0) {
          // The token nears its max TTL: a new login gives a full lease.
          logIn();
        } else {
          lease = renewed;
          schedule(renewed);
        }
      } else if (canLogIn) {
        logIn();
      } else {
        LOG.warning(
            "Vault at "
                + client.settings().where()
                + ": the token is not renewable and ends within "
                + l.ttl().toSeconds()
                + "s; give the gateway a renewable token or use approle or kubernetes login");
      }
    } catch (VaultException e) {
      listener.unavailable(client.settings().where(), e.getMessage());
      if (canLogIn && e.reason() == VaultException.Reason.DENIED) {
        try {
          logIn();
          return;
        } catch (VaultException again) {
          listener.unavailable(client.settings().where(), again.getMessage());
        }
      }
      // Try again soon: a third of the lease was left for this.
      Duration retry = Duration.ofMillis(Math.max(1000, l.ttl().toMillis() / 10));
      renewal = renewer.schedule(this::renewNow, retry.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    ScheduledFuture<?> r = renewal;
    if (r != null) {
      r.cancel(false);
    }
    renewer.shutdownNow();
    client.close();
    lastGood.clear();
  }
}
