package dev.bulwark.probe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Checks parser limits (header size, URI length) and rate limiting with a bounded burst. */
final class LimitChecks {
  static final Check HEADER_SIZE =
      new Check(
          "limits.header-size",
          CheckFamily.LIMITS,
          Severity.MEDIUM,
          "Oversized header section is refused with 431",
          "Cap the request header section (e.g. 8-16 KiB) and answer 431.");
  static final Check URI_LENGTH =
      new Check(
          "limits.uri-length",
          CheckFamily.LIMITS,
          Severity.MEDIUM,
          "Overlong URI is refused with 414",
          "Cap the request line (e.g. 4-8 KiB) and answer 414.");
  static final Check RATE_LIMIT =
      new Check(
          "limits.rate-limit",
          CheckFamily.LIMITS,
          Severity.HIGH,
          "A burst is rate limited with 429 and Retry-After or RateLimit headers",
          "Rate limit by client address (and by subject after authentication); answer 429 with"
              + " Retry-After and RateLimit headers.");

  /** Header bytes sent by the oversized-header probe: above every common default limit. */
  static final int OVERSIZED_HEADER_BYTES = 64 * 1024;

  /** Query bytes sent by the overlong-URI probe. */
  static final int OVERLONG_URI_BYTES = 32 * 1024;

  private static final List<String> RATE_LIMIT_HEADERS =
      List.of(
          "RateLimit",
          "RateLimit-Policy",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
          "X-RateLimit-Limit",
          "X-RateLimit-Remaining",
          "X-RateLimit-Reset");

  private final ProbeContext context;

  LimitChecks(ProbeContext context) {
    this.context = context;
  }

  Finding headerSize() {
    ProbeRequest request =
        ProbeRequest.get(context.target().path())
            .withHeader("X-Bulwark-Probe-Padding", "a".repeat(OVERSIZED_HEADER_BYTES));
    return judgeOversized(HEADER_SIZE, request, 431, OVERSIZED_HEADER_BYTES / 1024 + " KiB header");
  }

  Finding uriLength() {
    String path = context.target().path();
    ProbeRequest request =
        ProbeRequest.get(
            path
                + (path.contains("?") ? "&" : "?")
                + "bulwark-probe="
                + "a".repeat(OVERLONG_URI_BYTES));
    return judgeOversized(URI_LENGTH, request, 414, OVERLONG_URI_BYTES / 1024 + " KiB URI");
  }

  private Finding judgeOversized(Check check, ProbeRequest request, int expected, String what) {
    ProbeResponse response;
    try {
      response = context.client().send(request);
    } catch (IOException e) {
      return check.warn(
          what
              + ": connection ended without a status ("
              + ProbeContext.describe(e)
              + "); refused, but say "
              + expected);
    }
    int status = response.status();
    if (status == expected) {
      return check.pass(what + " answered " + response.statusLine());
    }
    if (status == 429) {
      return check.warn(what + " answered 429 (rate limited); inconclusive");
    }
    if (status == 400 || status == 413 || status == 431 || status == 414) {
      return check.warn(what + " refused with " + status + " (expected " + expected + ")");
    }
    if (status >= 500) {
      return check.fail(what + " caused " + response.statusLine());
    }
    return check.fail(what + " accepted: " + response.statusLine());
  }

  /** Sends up to the burst bound of requests, stopping at the first 429. */
  Finding rateLimit() {
    ProbeResponse earlier = context.client().firstRateLimited();
    if (earlier != null) {
      return judge429(earlier, "seen during earlier checks");
    }
    int bound = context.options().burst();
    int sent = 0;
    int errors = 0;
    ProbeResponse lastAdvertised = null;
    ProbeRequest request = ProbeRequest.get(context.target().path());
    ProbeHttpClient.Session session = null;
    try {
      while (sent < bound) {
        if (session == null || !session.usable()) {
          if (session != null) {
            session.close();
          }
          session = context.client().openSession();
        }
        ProbeResponse response;
        try {
          sent++;
          response = session.send(request, true);
        } catch (IOException e) {
          errors++;
          session.close();
          session = null;
          if (errors > 3) {
            return RATE_LIMIT.warn(
                "burst stopped after " + sent + " requests: " + ProbeContext.describe(e));
          }
          continue;
        }
        if (response.status() == 429) {
          return judge429(response, "after " + sent + " requests");
        }
        if (advertises(response)) {
          lastAdvertised = response;
        }
      }
    } catch (IOException e) {
      return RATE_LIMIT.warn("burst could not connect: " + ProbeContext.describe(e));
    } finally {
      if (session != null) {
        try {
          session.close();
        } catch (IOException ignored) {
          // closing a probe connection; nothing to report
        }
      }
    }
    if (lastAdvertised != null) {
      return RATE_LIMIT.pass(
          "no 429 within "
              + bound
              + " requests, but limits are advertised: "
              + advertised(lastAdvertised));
    }
    return RATE_LIMIT.fail(
        bound + " requests in a burst were all answered without 429 or RateLimit headers");
  }

  private static Finding judge429(ProbeResponse response, String when) {
    String retryAfter = response.header("Retry-After");
    if (retryAfter != null || advertises(response)) {
      return RATE_LIMIT.pass(
          "429 "
              + when
              + "; "
              + (retryAfter != null ? "Retry-After: " + retryAfter + " " : "")
              + advertised(response));
    }
    return RATE_LIMIT.warn("429 " + when + " but without Retry-After or RateLimit headers");
  }

  private static boolean advertises(ProbeResponse response) {
    return RATE_LIMIT_HEADERS.stream().anyMatch(response::has);
  }

  private static String advertised(ProbeResponse response) {
    List<String> seen = new ArrayList<>();
    for (String name : RATE_LIMIT_HEADERS) {
      String value = response.header(name);
      if (value != null) {
        seen.add(name.toLowerCase(Locale.ROOT) + ": " + value);
      }
    }
    return String.join(", ", seen);
  }
}
