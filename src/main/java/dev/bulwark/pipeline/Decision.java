package dev.bulwark.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link OfflineRun} decided about one request: forwarded, denied, answered, or still
 * pending; the status of the response the client would get (after every entered stage saw it on its
 * way out); which stage and policy decided, and why; the response's headers and body.
 *
 * @param outcome how the request side ended
 * @param status the response status; for a forwarded request, the stand-in upstream answer's status
 *     as the response stages left it; 0 while pending
 * @param stage the deciding policy's stage ({@code RATE_LIMIT}), or null when the gateway itself
 *     decided (forwarded, no route, a body over the route's limit)
 * @param policy the deciding policy's name, or {@code gateway}
 * @param reason why it was denied (the reason logged, never sent), else empty
 * @param headers the response headers as the client would get them ({@code x-request-id} and {@code
 *     date} included), lower-case names in order of first appearance
 * @param body the response body as UTF-8 text (the gateway's JSON error, or the stand-in upstream
 *     body as the response stages left it)
 * @param subject whom the request was authenticated as, or null
 */
public record Decision(
    Outcome outcome,
    int status,
    @Nullable String stage,
    String policy,
    String reason,
    Map<String, List<String>> headers,
    String body,
    @Nullable String subject) {

  /** How the request side of an offline run ended. */
  public enum Outcome {
    /** Every stage let it through: it would be forwarded to the route's upstream. */
    FORWARDED,
    /** A policy or the gateway refused it. */
    DENIED,
    /** A policy answered it itself (a preflight's 204, forward-auth's 200). */
    ANSWERED,
    /** Nothing decided within the run's timeout (a continuation never came back). */
    PENDING
  }

  public Decision {
    requireNonNull(outcome, "outcome");
    requireNonNull(policy, "policy");
    requireNonNull(reason, "reason");
    requireNonNull(body, "body");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers")));
  }

  /** Returns the first value of a response header (any case), or null when it is absent. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
