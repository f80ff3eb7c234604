package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * One webhook alerts are sent to: its URL ({@code https}, or {@code http} on a loopback address),
 * the shared secret its deliveries are signed with, how long one attempt may take, and extra
 * headers sent with each delivery.
 *
 * @param url where alerts are posted
 * @param secret the HMAC-SHA256 key, as UTF-8 bytes of the configured value
 * @param timeout how long one attempt may take, connecting and answering
 * @param headers extra request headers (names in lower case)
 */
public record WebhookSettings(
    URI url, byte[] secret, Duration timeout, Map<String, String> headers) {
  /** The shortest secret accepted, in bytes. */
  public static final int MIN_SECRET_BYTES = 16;

  public WebhookSettings {
    requireNonNull(url, "url");
    requireNonNull(timeout, "timeout");
    secret = secret.clone();
    headers = Map.copyOf(headers);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "secret: " + secret.length + " bytes (expected: at least " + MIN_SECRET_BYTES + ")");
    }
  }

  /** A webhook with the given secret text (its UTF-8 bytes are the key). */
  public static WebhookSettings of(
      URI url, String secret, Duration timeout, Map<String, String> headers) {
    return new WebhookSettings(url, secret.getBytes(StandardCharsets.UTF_8), timeout, headers);
  }

  /** Returns a copy of the secret. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** Returns the URL without its query or credentials, for log lines. */
  public String safeUrl() {
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookSettings w
        && url.equals(w.url)
        && Arrays.equals(secret, w.secret)
        && timeout.equals(w.timeout)
        && headers.equals(w.headers);
  }

  @Override
  public int hashCode() {
    return url.hashCode() * 31 + timeout.hashCode();
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "WebhookSettings[" + safeUrl() + ", timeout " + timeout + "]";
  }
}
