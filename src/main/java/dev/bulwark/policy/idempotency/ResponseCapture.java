package dev.bulwark.policy.idempotency;

import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.store.IdempotencyStore;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the response of the request that holds a key's claim, as its client receives it, and
 * settles the claim: a response the upstream made and ended is stored (its body up to the bound,
 * else its head alone) and the claim becomes the completed record; anything else (the gateway's own
 * answer, an upstream that broke off mid-body, a 5xx unless kept, a client gone before the head)
 * stores nothing and releases the claim, so the next retry executes.
 */
final class ResponseCapture implements ResponseRecorder {
  private static final Logger LOG = Logger.getLogger(ResponseCapture.class.getName());

  /**
   * Headers never stored: hop-by-hop ones, those the replay makes fresh (date, request id, length),
   * those that belong to the first request's client rather than the response (cookies, CORS,
   * rate-limit state), and this policy's own.
   */
  static final Set<String> NOT_STORED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "te",
          "trailer",
          "upgrade",
          "proxy-authenticate",
          "content-length",
          "date",
          "x-request-id",
          "set-cookie",
          "set-cookie2",
          "ratelimit",
          "ratelimit-policy",
          "idempotent-replayed",
          "idempotent-body-omitted",
          IdempotencyPolicy.RETENTION_HEADER);

  private static final int MAX_HEADER_VALUE = 8192;

  private final IdempotencyStore store;
  private final String key;
  private final byte[] claim;
  private final String fingerprint;
  private final IdempotencyConfig config;

  private boolean storable;
  private int status;
  private final List<String[]> headers = new ArrayList<>();
  private @Nullable Buffer body;
  private boolean omitted;
  private boolean settled;

  ResponseCapture(
      IdempotencyStore store,
      String key,
      byte[] claim,
      String fingerprint,
      IdempotencyConfig config) {
    this.store = store;
    this.key = key;
    this.claim = claim;
    this.fingerprint = fingerprint;
    this.config = config;
  }

  @Override
  public void head(int status, HeaderMap sent, boolean fromUpstream) {
    this.status = status;
    this.storable = fromUpstream && (status < 500 || config.store5xx());
    if (!storable) {
      return;
    }
    this.body = Buffer.buffer();
    sent.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!NOT_STORED.contains(lower)
              && !lower.startsWith(":") // HTTP/2 pseudo-headers: the replay makes its own
              && !lower.startsWith("access-control-")
              && value.length() <= MAX_HEADER_VALUE
              && headers.size() < IdempotencyRecord.MAX_HEADERS) {
            headers.add(new String[] {lower, value});
          }
        });
  }

  @Override
  public void body(Buffer chunk) {
    Buffer b = body;
    if (!storable || b == null) {
      return;
    }
    if ((long) b.length() + chunk.length() > config.maxBody()) {
      omitted = true; // stored with its head only: the bound holds, whatever the upstream sends
      body = null;
      return;
    }
    b.appendBuffer(chunk);
  }

  @Override
  public void complete() {
    if (settled) {
      return;
    }
    settled = true;
    if (!storable) {
      release();
      return;
    }
    Buffer b = body;
    byte[] kept = omitted || b == null ? new byte[0] : b.getBytes();
    byte[] done =
        new IdempotencyRecord.Completed(fingerprint, status, headers, kept, omitted).encode();
    headers.clear();
    body = null;
    store
        .complete(key, claim, done, config.retention())
        .whenComplete(
            (stored, failure) -> {
              if (failure != null) {
                LOG.log(
                    Level.WARNING,
                    "idempotency store: a completed response was not stored ("
                        + failure.getMessage()
                        + "); retries meet 409 until its claim lapses");
              }
            });
  }

  @Override
  public void ended() {
    if (!settled) {
      settled = true;
      release();
    }
  }

  private void release() {
    store.release(key, claim); // a failure leaves the claim to lapse with its lease
  }
}
