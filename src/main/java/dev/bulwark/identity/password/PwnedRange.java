package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Asks a Pwned-Passwords-compatible service whether a password has been breached, by k-anonymity:
 * only the first five hexadecimal digits of the password's SHA-1 leave the process ({@code GET
 * {base}/range/{PREFIX}} with {@code Add-Padding: true}), and the answer's lines {@code
 * SUFFIX:COUNT} are matched here. Asynchronous (no thread waits on the network); the whole lookup
 * is bounded by the timeout, and an answer larger than {@link #MAX_ANSWER_BYTES} or with a line
 * that is not {@code SUFFIX:COUNT} counts as a failure. Thread-safe.
 */
public final class PwnedRange {
  /** The largest answer read (a real range is about 40 KB, padded ones a little more). */
  public static final int MAX_ANSWER_BYTES = 1024 * 1024;

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private final URI base;
  private final Duration timeout;
  private final HttpClient client;

  /** What a lookup found. */
  public enum Outcome {
    /** The password is in the breach corpus. */
    BREACHED,
    /** The password is not in it. */
    NOT_FOUND,
    /** The service could not be asked or its answer read; {@link Answer#problem} says why. */
    UNAVAILABLE
  }

  /**
   * A lookup's answer.
   *
   * @param outcome what was found
   * @param count how many times the corpus has seen the password (0 unless breached)
   * @param problem why the lookup failed, for the operator's log (never the password), or null
   */
  public record Answer(Outcome outcome, long count, @Nullable String problem) {
    public Answer {
      requireNonNull(outcome, "outcome");
    }
  }

  /** A client of the service at {@code base} whose lookups fail after {@code timeout}. */
  public PwnedRange(URI base, Duration timeout) {
    this.base = requireNonNull(base, "base");
    this.timeout = requireNonNull(timeout, "timeout");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Looks {@code password} (in its NFKC form) up; never completes exceptionally. */
  public CompletionStage<Answer> lookup(String password) {
    requireNonNull(password, "password");
    String hex =
        HEX.formatHex(BreachedPasswords.sha1(Normalizer.normalize(password, Normalizer.Form.NFKC)));
    String prefix = hex.substring(0, 5);
    String suffix = hex.substring(5);
    URI uri = rangeUri(prefix);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Add-Padding", "true")
            .header("Accept", "text/plain")
            .GET()
            .build();
    return client
        .sendAsync(request, info -> new BoundedBody(MAX_ANSWER_BYTES))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) -> {
              if (failure != null) {
                return unavailable(uri, describe(failure));
              }
              if (response.statusCode() != 200) {
                return unavailable(uri, "answered " + response.statusCode());
              }
              return match(uri, new String(response.body(), StandardCharsets.UTF_8), suffix);
            });
  }

  private URI rangeUri(String prefix) {
    String b = base.toString();
    return URI.create((b.endsWith("/") ? b : b + "/") + "range/" + prefix);
  }

  private static Answer match(URI uri, String body, String suffix) {
    for (String raw : body.split("\n", -1)) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon != 35 || !hex(line, 35) || !digits(line.substring(36))) {
        return unavailable(uri, "answer has a line that is not SUFFIX:COUNT");
      }
      if (line.regionMatches(true, 0, suffix, 0, 35)) {
        long count = parseCount(line.substring(36));
        return count > 0
            ? new Answer(Outcome.BREACHED, count, null)
            : new Answer(Outcome.NOT_FOUND, 0, null); // a padding line
      }
    }
    return new Answer(Outcome.NOT_FOUND, 0, null);
  }

  private static boolean hex(String s, int n) {
    for (int i = 0; i < n; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static long parseCount(String s) {
    return Long.parseLong(s);
  }

  private static Answer unavailable(URI uri, String problem) {
    return new Answer(Outcome.UNAVAILABLE, 0, "pwned-range " + uri.getHost() + ": " + problem);
  }

  private static String describe(Throwable failure) {
    Throwable t =
        failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause()
            : failure;
    if (t instanceof java.util.concurrent.TimeoutException
        || t instanceof java.net.http.HttpTimeoutException) {
      return "no answer in time";
    }
    if (t instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** Collects a response body of at most {@code limit} bytes, failing beyond. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > limit) {
          Flow.Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          result.completeExceptionally(new IOException("answer larger than " + limit + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
