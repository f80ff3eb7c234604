package dev.bulwark.policy.authn;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * An issuer's JWKS, fetched over verified TLS on the Vert.x client (never blocking an event loop):
 * size-bounded, time-bounded, cached, refetched when older than {@code max-age} (in the background)
 * or when a token names an unknown {@code kid} (at most once per {@code refresh}). A failed fetch
 * keeps the keys already known.
 */
final class JwksKeys {
  private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());
  private static final int MAX_WAITERS = 10_000;

  private final IssuerConfig.Jwks config;
  private volatile List<JWK> keys = List.of();
  private volatile long fetchedAt;
  private volatile long lastAttempt = Long.MIN_VALUE / 2;
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean inFlight;
  private long generation;

  /** The client of the fetch in flight: one per fetch, closed when it completes. */
  private @Nullable HttpClient fetchClient;

  private record Waiter(Context context, Handler<Boolean> done) {}

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
  void refreshIfStale(Context context) {
    long now = System.nanoTime();
    if (loaded() && now - fetchedAt > config.maxAge().toNanos()) {
      fetch(context, ok -> {});
    }
  }

  /**
   * Fetches the keys unless a fetch ran within the refresh interval; {@code done} runs on {@code
   * context} with whether new keys arrived.
   */
  void refresh(Context context, Handler<Boolean> done) {
    synchronized (this) {
      if (!inFlight && System.nanoTime() - lastAttempt < config.refresh().toNanos()) {
        context.runOnContext(v -> done.handle(false));
        return;
      }
    }
    fetch(context, done);
  }

  private void fetch(Context context, Handler<Boolean> done) {
    long gen;
    synchronized (this) {
      if (waiters.size() >= MAX_WAITERS) {
        context.runOnContext(v -> done.handle(false));
        return;
      }
      waiters.add(new Waiter(context, done));
      if (inFlight) {
        return;
      }
      inFlight = true;
      lastAttempt = System.nanoTime();
      generation++;
      gen = generation;
    }
    context.runOnContext(v -> start(context.owner(), gen));
  }

  private void start(Vertx vertx, long gen) {
    // A client per fetch, closed when the fetch completes: fetches are rare (max-age, refresh) and
    // never kept alive, and a long-lived client would outlive this issuer's configuration, since a
    // reload compiles a new JwksKeys and nothing closes the old one.
    HttpClient c = vertx.createHttpClient(clientOptions());
    synchronized (this) {
      if (gen != generation || !inFlight) {
        c.close();
        return;
      }
      fetchClient = c;
    }
    long deadline =
        vertx.setTimer(config.timeout().toMillis(), t -> complete(gen, null, "timed out"));
    c.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(config.url().toString())
                .setConnectTimeout(config.timeout().toMillis())
                .setIdleTimeout(config.timeout().toMillis())
                .addHeader("accept", "application/json"))
        .compose(
            req -> {
              req.end();
              return req.response();
            })
        .onSuccess(
            res -> {
              if (res.statusCode() != 200) {
                res.request().reset();
                complete(gen, null, "status " + res.statusCode());
                return;
              }
              Buffer body = Buffer.buffer();
              res.handler(
                  chunk -> {
                    if (body.length() + chunk.length() > config.maxBytes()) {
                      res.request().reset();
                      complete(gen, null, "larger than " + config.maxBytes() + " bytes");
                      return;
                    }
                    body.appendBuffer(chunk);
                  });
              res.exceptionHandler(e -> complete(gen, null, e.getClass().getSimpleName()));
              res.endHandler(
                  v -> {
                    vertx.cancelTimer(deadline);
                    complete(gen, body, null);
                  });
            })
        .onFailure(
            e -> {
              vertx.cancelTimer(deadline);
              complete(gen, null, e.getClass().getSimpleName());
            });
  }

  private void complete(long gen, @Nullable Buffer body, @Nullable String failure) {
    String problem = failure;
    List<JWK> parsed = null;
    if (body != null && problem == null) {
      try {
        parsed = KeyFiles.usable(JWKSet.parse(body.toString(StandardCharsets.UTF_8)));
        if (parsed.isEmpty()) {
          problem = "no usable signature key";
        }
      } catch (java.text.ParseException | RuntimeException e) {
        problem = "not a JWKS document";
      }
    }
    List<Waiter> done;
    HttpClient finished;
    synchronized (this) {
      if (!inFlight || gen != generation) {
        return; // already completed (a late timer or a reset after the size limit)
      }
      inFlight = false;
      finished = fetchClient;
      fetchClient = null;
      if (parsed != null && problem == null) {
        keys = List.copyOf(parsed);
        fetchedAt = System.nanoTime();
      }
      done = new ArrayList<>(waiters);
      waiters.clear();
    }
    if (finished != null) {
      finished.close(); // also breaks off a fetch that timed out
    }
    if (problem != null) {
      LOG.warning(
          "JWKS fetch from " + config.url() + " failed (" + problem + "); keeping known keys");
    }
    boolean ok = problem == null;
    for (Waiter w : done) {
      w.context().runOnContext(v -> w.done().handle(ok));
    }
  }

  private HttpClientOptions clientOptions() {
    HttpClientOptions o =
        new HttpClientOptions()
            .setSsl(true)
            .setVerifyHost(true)
            .setTrustAll(false)
            .setConnectTimeout((int) config.timeout().toMillis())
            .setMaxRedirects(0)
            .setKeepAlive(false);
    String ca = config.ca();
    if (ca != null) {
      o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca)));
    }
    return o;
  }
}
