package dev.bulwark.policy.idempotency;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.Units;
import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.IdempotencyStore.Claim;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Enforces {@code Idempotency-Key} (IETF httpapi draft) on a route's unsafe methods: a missing
 * (when required) or malformed key is refused with 400; the key is scoped to the route and the
 * caller (the authenticated subject, else the client address), so no caller reaches another's
 * record; the first request claims the key atomically and reaches the upstream, its response is
 * stored and replayed to retries with {@code Idempotent-Replayed: true}; a retry while the first is
 * in flight is refused with 409 (or waits, bounded); the same key with another request (method,
 * path, query, body, chosen headers) is refused with 422.
 */
public final class IdempotencyPolicy implements Policy {
  /** Owner tokens of in-flight claims (never shown to clients, but never guessable either). */
  private static final java.security.SecureRandom OWNERS = new java.security.SecureRandom();

  static final String HEADER = "idempotency-key";

  /** The response header that publishes how long a response is kept, in seconds. */
  static final String RETENTION_HEADER = "idempotency-key-retention";

  private static final CharSequence RETENTION = HeaderMap.constant(RETENTION_HEADER);
  private static final CharSequence REPLAYED = HeaderMap.constant("idempotent-replayed");
  private static final CharSequence BODY_OMITTED = HeaderMap.constant("idempotent-body-omitted");

  /** The stored response being replayed to this exchange. */
  static final AttributeKey<IdempotencyRecord.Completed> REPLAY =
      AttributeKey.of("idempotency-replay");

  static final Denial MISSING =
      Denial.of(400, "idempotency key required", "idempotency: no Idempotency-Key header");
  static final Denial MALFORMED =
      Denial.of(
          400,
          "invalid idempotency key",
          "idempotency: Idempotency-Key not a string of 1 to 255 printable characters");
  static final Denial REPEATED_HEADER =
      Denial.of(400, "invalid idempotency key", "idempotency: more than one Idempotency-Key");
  static final Denial MISMATCH =
      Denial.of(
          422,
          "idempotency key reused with another request",
          "idempotency: same key, different request fingerprint");
  static final Denial IN_FLIGHT =
      Denial.of(
          409,
          "a request with this idempotency key is in progress",
          "idempotency: the first request with this key is still in flight");
  static final Denial STORE_UNAVAILABLE =
      Denial.of(
          503, "service unavailable", "idempotency store unavailable (on-store-failure: deny)");

  private static final long FIRST_POLL_MILLIS = 20;
  private static final long MAX_POLL_MILLIS = 250;

  private final String route;
  private final IdempotencyConfig config;
  private final IdempotencyStore store;
  private final SecurityEvents security;
  private final long maxRequestBody;
  private final Duration lease;
  private final String retentionSeconds;

  IdempotencyPolicy(
      String route,
      IdempotencyConfig config,
      IdempotencyStore store,
      SecurityEvents security,
      long maxRequestBody,
      Duration lease) {
    this.route = route;
    this.config = config;
    this.store = store;
    this.security = security;
    this.maxRequestBody = maxRequestBody;
    this.lease = lease;
    this.retentionSeconds = String.valueOf(config.retention().toSeconds());
  }

  @Override
  public Stage stage() {
    return Stage.IDEMPOTENCY;
  }

  @Override
  public String name() {
    return "idempotency";
  }

  @Override
  public String describe() {
    StringBuilder sb =
        new StringBuilder()
            .append(String.join(",", config.methods().stream().sorted().toList()))
            .append(config.required() ? " key required" : " key optional")
            .append(", keep ")
            .append(Units.formatDuration(config.retention()))
            .append(" up to ")
            .append(Units.formatSize(config.maxBody()))
            .append(config.store5xx() ? ", 5xx kept" : "")
            .append(
                config.waitInFlight()
                    ? ", in flight: wait " + Units.formatDuration(config.inFlightWait())
                    : ", in flight: 409");
    if (!config.fingerprintHeaders().isEmpty()) {
      sb.append(", fingerprint ").append(config.fingerprintHeaders());
    }
    if (!config.denyOnStoreFailure()) {
      sb.append(", allow-on-store-failure");
    }
    return sb.toString();
  }

  @Override
  public void onRequest(Exchange ex) {
    if (!config.methods().contains(ex.request().method())) {
      ex.proceed();
      return;
    }
    List<String> values = ex.request().headers(HEADER);
    if (values.isEmpty()) {
      if (config.required()) {
        ex.deny(MISSING);
      } else {
        note(ex, "no key, passed unprotected (required: false)");
        ex.proceed();
      }
      return;
    }
    if (values.size() > 1) {
      ex.deny(REPEATED_HEADER);
      return;
    }
    String key = IdempotencyKeyHeader.parse(values.get(0));
    if (key == null) {
      ex.deny(MALFORMED);
      return;
    }
    if (ex.request().hasBody()) {
      ex.readBody(maxRequestBody, body -> claim(ex, key, body));
    } else {
      claim(ex, key, new byte[0]);
    }
  }

  private void claim(Exchange ex, String key, byte[] body) {
    String fingerprint = RequestFingerprint.of(ex.request(), body, config.fingerprintHeaders());
    String subject = ex.subject();
    String scope =
        route + '\n' + (subject == null ? "a:" + ex.clientAddress() : "s:" + subject) + '\n' + key;
    String storeKey = "idem:" + RequestFingerprint.sha256Hex(scope);
    byte[] owner = new byte[16];
    OWNERS.nextBytes(owner);
    byte[] claim =
        new IdempotencyRecord.InFlight(fingerprint, HexFormat.of().formatHex(owner)).encode();
    long deadline = System.nanoTime() + config.inFlightWait().toNanos();
    new Attempt(ex, storeKey, fingerprint, claim, deadline, FIRST_POLL_MILLIS).send();
  }

  /**
   * One claim of a key, sent to the store and resumed on the exchange's loop; while the first
   * request is in flight and the route waits, sent again after a growing pause until the deadline.
   */
  private final class Attempt implements BiConsumer<Claim, Throwable>, Runnable {
    private final Exchange ex;
    private final String key;
    private final String fingerprint;
    private final byte[] claim;
    private final long deadlineNanos;
    private final long pauseMillis;
    private @Nullable Claim answer;

    Attempt(
        Exchange ex,
        String key,
        String fingerprint,
        byte[] claim,
        long deadlineNanos,
        long pauseMillis) {
      this.ex = ex;
      this.key = key;
      this.fingerprint = fingerprint;
      this.claim = claim;
      this.deadlineNanos = deadlineNanos;
      this.pauseMillis = pauseMillis;
    }

    void send() {
      store.claim(key, claim, lease).whenComplete(this);
    }

    @Override
    public void accept(@Nullable Claim found, @Nullable Throwable failure) {
      answer = failure == null ? found : null;
      ex.resume(this);
    }

    @Override
    public void run() {
      if (ex.finishedOrResponded()) {
        return; // the client left (or a deadline answered) while the store was asked
      }
      Claim c = answer;
      if (c == null) {
        storeFailed(ex);
        return;
      }
      byte[] existing = c.existing();
      if (existing == null) {
        note(ex, "key claimed, forwarded");
        ex.recordResponse(new ResponseCapture(store, key, claim, fingerprint, config));
        ex.proceed();
        return;
      }
      IdempotencyRecord record = IdempotencyRecord.decode(existing);
      if (record == null) {
        storeFailed(ex);
      } else if (!record.fingerprint().equals(fingerprint)) {
        event(
            ex, SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH, 422, "key reused with another request");
        ex.deny(MISMATCH);
      } else if (record instanceof IdempotencyRecord.Completed done) {
        replay(ex, done);
      } else if (config.waitInFlight()
          && System.nanoTime() + pauseMillis * 1_000_000 < deadlineNanos) {
        Attempt next =
            new Attempt(
                ex,
                key,
                fingerprint,
                claim,
                deadlineNanos,
                Math.min(MAX_POLL_MILLIS, pauseMillis * 2));
        CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS)
            .execute(
                () ->
                    ex.resume(
                        () -> {
                          if (!ex.finishedOrResponded()) {
                            next.send();
                          }
                        }));
      } else {
        event(
            ex, SecurityEventKind.DUPLICATE_REQUEST, 409, "refused while the first was in flight");
        ex.deny(IN_FLIGHT);
      }
    }
  }

  private void storeFailed(Exchange ex) {
    if (config.denyOnStoreFailure()) {
      note(ex, "store unavailable, refused (on-store-failure: deny)");
      ex.deny(STORE_UNAVAILABLE);
    } else {
      note(ex, "store unavailable, passed unprotected (on-store-failure: allow)");
      ex.proceed();
    }
  }

  private void replay(Exchange ex, IdempotencyRecord.Completed done) {
    HeaderMap h = ex.responseHeaders();
    for (String[] header : done.headers()) {
      h.add(header[0], header[1]);
    }
    h.set(REPLAYED, "true");
    if (done.bodyOmitted()) {
      h.set(BODY_OMITTED, "true");
    }
    ex.attr(REPLAY, done);
    event(ex, SecurityEventKind.DUPLICATE_REQUEST, done.status(), "stored response replayed");
    ex.decide(name(), "replay", "idempotency: stored response replayed");
    ex.answer(done.status());
  }

  @Override
  public void onResponse(Exchange ex, ResponseHead head) {
    if (!config.methods().contains(ex.request().method())) {
      return;
    }
    head.headers().set(RETENTION, retentionSeconds);
    IdempotencyRecord.Completed done = ex.attr(REPLAY);
    if (done != null && done.body().length > 0 && head.status() == done.status()) {
      head.replaceBody(Buffer.buffer(done.body()));
    }
  }

  private void event(Exchange ex, SecurityEventKind kind, int status, String reason) {
    security.publish(
        SecurityEvent.idempotencyKeyRepeated(
            kind, ex.requestId(), ex.clientAddress(), route, status, ex.subject(), reason));
  }

  private void note(Exchange ex, String what) {
    DecisionTrace trace = ex.trace();
    if (trace != null) {
      trace.note(name(), what);
    }
  }
}
