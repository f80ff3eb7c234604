package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One fetch of a JSON Web Key Set document over verified TLS on Vert.x's client, never blocking an
 * event loop: bounded in size and time, no redirects, no keep-alive, and a client of its own that
 * is closed when the fetch completes (fetches are rare, and a long-lived client would outlive the
 * configuration that asked for it).
 */
public final class JwksFetch {
  /** What a fetch gave: the document, or why there is none. */
  public record Result(@Nullable String document, @Nullable String failure) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final Consumer<Result> done;
  private long timer = -1;
  private boolean finished;

  private JwksFetch(Vertx vertx, HttpClient client, Consumer<Result> done) {
    this.vertx = vertx;
    this.client = client;
    this.done = done;
  }

  /**
   * Fetches {@code url} (trusting {@code caPem} when given, else the JDK's roots) and hands the
   * result to {@code done} exactly once, on the calling Vert.x context; must be called on one.
   */
  public static void start(
      Vertx vertx,
      URI url,
      @Nullable String caPem,
      Duration timeout,
      long maxBytes,
      Consumer<Result> done) {
    requireNonNull(done, "done");
    JwksFetch f = new JwksFetch(vertx, vertx.createHttpClient(options(caPem, timeout)), done);
    f.run(url, timeout, maxBytes);
  }

  private void run(URI url, Duration timeout, long maxBytes) {
    timer = vertx.setTimer(timeout.toMillis(), t -> finish(null, "timed out"));
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.toString())
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
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
                finish(null, "status " + res.statusCode());
                return;
              }
              Buffer body = Buffer.buffer();
              res.handler(
                  chunk -> {
                    if (body.length() + chunk.length() > maxBytes) {
                      res.request().reset();
                      finish(null, "larger than " + maxBytes + " bytes");
                      return;
                    }
                    body.appendBuffer(chunk);
                  });
              res.exceptionHandler(e -> finish(null, e.getClass().getSimpleName()));
              res.endHandler(v -> finish(body, null));
            })
        .onFailure(e -> finish(null, e.getClass().getSimpleName()));
  }

  private void finish(@Nullable Buffer body, @Nullable String failure) {
    if (finished) {
      return; // a late timer, or the end after a reset over the size limit
    }
    finished = true;
    vertx.cancelTimer(timer);
    client.close(); // also breaks off a fetch that timed out
    done.accept(
        new Result(
            body == null || failure != null ? null : body.toString(StandardCharsets.UTF_8),
            failure));
  }

  private static HttpClientOptions options(@Nullable String caPem, Duration timeout) {
    HttpClientOptions o =
        new HttpClientOptions()
            .setSsl(true)
            .setVerifyHost(true)
            .setTrustAll(false)
            .setConnectTimeout((int) timeout.toMillis())
            .setMaxRedirects(0)
            .setKeepAlive(false);
    if (caPem != null) {
      o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)));
    }
    return o;
  }
}
