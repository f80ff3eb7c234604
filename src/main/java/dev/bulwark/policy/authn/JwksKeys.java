package dev.bulwark.policy.authn;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.bulwark.identity.JwksFetch;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An issuer's JWKS, fetched over verified TLS ({@link JwksFetch}, never blocking an event loop):
 * size-bounded, time-bounded, cached, refetched when older than {@code max-age} (in the background)
 * or when a token names an unknown {@code kid} (at most once per {@code refresh}). A failed fetch
 * keeps the keys already known. Waiters hear the outcome on the thread that completed the fetch and
 * bring their continuation back to their own exchange's event loop.
 */
final class JwksKeys {
  private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
  private static final int MAX_WAITERS = 10_000;

  private final IssuerConfig.Jwks config;
  private volatile List<JWK> keys = List.of();
  private volatile long fetchedAt;
  private volatile long lastAttempt = Long.MIN_VALUE / 2;
  private final List<Consumer<Boolean>> waiters = new ArrayList<>();
  private boolean inFlight;
  private long generation;

  JwksKeys(IssuerConfig.Jwks config) {
    this.config = config;
  }

  /** Returns the keys known now (empty before the first successful fetch). */
  List<JWK> current() {
    return keys;
  }

  /** Returns whether keys were ever fetched. */
  boolean loaded() {
    return fetchedAt != 0;
  }

  /** Starts a background refetch when the keys are older than max-age. */
  void refreshIfStale() {
    long now = System.nanoTime();
    if (loaded() && now - fetchedAt > config.maxAge().toNanos()) {
      fetch(ok -> {});
    }
  }

  /**
   * Fetches the keys unless a fetch ran within the refresh interval; {@code done} hears whether new
   * keys arrived: at once when no fetch is made, else on the thread that completed the fetch.
   */
  void refresh(Consumer<Boolean> done) {
    boolean recent;
    synchronized (this) {
      recent = !inFlight && System.nanoTime() - lastAttempt < config.refresh().toNanos();
    }
    if (recent) {
      done.accept(false);
      return;
    }
    fetch(done);
  }

  private void fetch(Consumer<Boolean> done) {
    long gen;
    synchronized (this) {
      if (waiters.size() >= MAX_WAITERS) {
        gen = -1;
      } else {
        waiters.add(done);
        if (inFlight) {
          return;
        }
        inFlight = true;
        lastAttempt = System.nanoTime();
        generation++;
        gen = generation;
      }
    }
    if (gen < 0) {
      done.accept(false);
      return;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      complete(gen, null, "no event loop to fetch on"); // an offline run has no client
      return;
    }
    context.runOnContext(
        v ->
            JwksFetch.start(
                context.owner(),
                config.url(),
                config.ca(),
                config.timeout(),
                config.maxBytes(),
                r -> complete(gen, r.document(), r.failure())));
  }

  private void complete(long gen, @Nullable String document, @Nullable String failure) {
    String problem = failure;
    List<JWK> parsed = null;
    if (document != null && problem == null) {
      try {
        parsed = KeyFiles.usable(JWKSet.parse(document));
        if (parsed.isEmpty()) {
          problem = "no usable signature key";
        }
      } catch (java.text.ParseException | RuntimeException e) {
        problem = "not a JWKS document";
      }
    }
    List<Consumer<Boolean>> done;
    synchronized (this) {
      if (!inFlight || gen != generation) {
        return; // already completed
      }
      inFlight = false;
      if (parsed != null && problem == null) {
        keys = List.copyOf(parsed);
        fetchedAt = System.nanoTime();
      }
      done = new ArrayList<>(waiters);
      waiters.clear();
    }
    if (problem != null) {
      LOG.warning(
          "JWKS fetch from " + config.url() + " failed (" + problem + "); keeping known keys");
    }
    boolean ok = problem == null;
    for (Consumer<Boolean> w : done) {
      w.accept(ok);
    }
  }
}
