package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What the target answered to one request, read within the probe's bounds.
 *
 * @param status the status code
 * @param statusLine the whole status line, for evidence
 * @param headers the header fields in order
 * @param body the first bytes of the body, decoded as UTF-8
 * @param bodyTruncated whether the body was longer than the bound and the rest was dropped
 * @param reusable whether the connection may carry another request
 * @param elapsed time from the first byte sent to the end of the read
 */
public record ProbeResponse(
    int status,
    String statusLine,
    List<HeaderField> headers,
    String body,
    boolean bodyTruncated,
    boolean reusable,
    Duration elapsed) {

  /** Checks and copies the components. */
  public ProbeResponse {
    requireNonNull(statusLine, "statusLine");
    requireNonNull(body, "body");
    requireNonNull(elapsed, "elapsed");
    headers = List.copyOf(headers);
  }

  /** Returns the first value of the named header, or {@code null} when absent. */
  public @Nullable String header(String name) {
    for (HeaderField h : headers) {
      if (h.is(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** Returns every value of the named header, in order. */
  public List<String> headerValues(String name) {
    return headers.stream().filter(h -> h.is(name)).map(HeaderField::value).toList();
  }

  /** Returns whether the named header is present. */
  public boolean has(String name) {
    return header(name) != null;
  }

  /** Returns whether the status is a redirect with a {@code Location}. */
  public boolean isRedirect() {
    return status >= 300 && status < 400 && has("Location");
  }

  /** Returns whether the server said it closes the connection. */
  public boolean announcesClose() {
    String connection = header("Connection");
    return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
  }
}
