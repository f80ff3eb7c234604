package dev.bulwark.probe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Sends requests that commonly provoke errors and fails any response that shows internals. */
final class ErrorMaskingChecks {
  static final Check MALFORMED_JSON =
      check("errors.malformed-json", "Malformed JSON body gets a masked 4xx");
  static final Check ABSURD_PARAMETERS =
      check("errors.absurd-parameters", "Absurd query parameters get a masked answer");
  static final Check UNKNOWN_METHOD =
      check("errors.unknown-method", "Unknown method gets a masked 405/501");
  static final Check LONG_PATH = check("errors.long-path", "Very long path gets a masked answer");
  static final Check BAD_ENCODING =
      check("errors.bad-encoding", "Invalid percent-encoding gets a masked answer");

  private final ProbeContext context;
  private final List<ProbeResponse> responses = new ArrayList<>();

  ErrorMaskingChecks(ProbeContext context) {
    this.context = context;
  }

  private static Check check(String id, String title) {
    return new Check(
        id,
        CheckFamily.ERRORS,
        Severity.HIGH,
        title,
        "Map every error to a generic JSON body ({\"error\":...,\"status\":...,\"requestId\":...})"
            + " and log the detail server-side; never return stack traces, paths or versions.");
  }

  /** Returns the responses the error probes received, for the banner and cookie checks. */
  List<ProbeResponse> responses() {
    return List.copyOf(responses);
  }

  /** Runs each error provocation. */
  List<Finding> run() {
    ProbeTarget target = context.target();
    String path = target.path();
    String base = target.pathWithoutQuery();
    String separator = path.contains("?") ? "&" : "?";
    List<Finding> findings = new ArrayList<>();
    findings.add(
        probe(
            MALFORMED_JSON,
            new ProbeRequest(
                "POST",
                path,
                List.of(new HeaderField("Content-Type", "application/json")),
                "{\"bulwark-probe\": [1, 2,, {\"a\": \"\\ud800")));
    findings.add(
        probe(
            ABSURD_PARAMETERS,
            ProbeRequest.get(
                path
                    + separator
                    + "id=-99999999999999999999999999&page=1e309&limit=NaN&sort[$ne]=1"
                    + "&q=%27%22%3C%3E%00%25&filter=%7B%7B7*7%7D%7D&bulwark-probe[][]=x")));
    findings.add(probe(UNKNOWN_METHOD, new ProbeRequest("BULWARKPROBE", path, List.of(), "")));
    findings.add(
        probe(
            LONG_PATH,
            ProbeRequest.get(base + (base.endsWith("/") ? "" : "/") + "x".repeat(4000))));
    findings.add(
        probe(
            BAD_ENCODING,
            ProbeRequest.get(
                base + (base.endsWith("/") ? "" : "/") + "bulwark-probe-%ff%fe%c0%af%")));
    return findings;
  }

  private Finding probe(Check check, ProbeRequest request) {
    ProbeResponse response;
    try {
      response = context.client().send(request);
    } catch (IOException e) {
      return check.warn(request + " got no answer: " + ProbeContext.describe(e));
    }
    responses.add(response);
    StringBuilder visible = new StringBuilder(response.body());
    for (HeaderField h : response.headers()) {
      if (!h.is("Server")) {
        visible.append('\n').append(h);
      }
    }
    LeakPatterns.Leak leak = LeakPatterns.find(visible.toString());
    if (leak != null) {
      return check.fail(
          request + " -> " + response.status() + " shows a " + leak.what() + ": " + leak.excerpt());
    }
    // 501 is the RFC 9110 answer to a method the server does not recognise: not a failure.
    boolean unknownMethodAnswer = check == UNKNOWN_METHOD && response.status() == 501;
    if (response.status() >= 500 && !unknownMethodAnswer) {
      return check.warn(
          request + " -> " + response.status() + " (masked, but bad input should get a 4xx)");
    }
    return check.pass(request + " -> " + response.status() + ", nothing internal shown");
  }
}
