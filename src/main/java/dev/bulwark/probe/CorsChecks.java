package dev.bulwark.probe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Sends hostile origins and judges whether the target lets them read responses. */
final class CorsChecks {
  static final Check HOSTILE_ORIGINS =
      new Check(
          "cors.hostile-origins",
          CheckFamily.CORS,
          Severity.CRITICAL,
          "Hostile origins are not allowed (no reflection)",
          "Answer CORS from an exact allow-list of origins; never echo the Origin header back.");
  static final Check WILDCARD =
      new Check(
          "cors.wildcard",
          CheckFamily.CORS,
          Severity.HIGH,
          "No wildcard origin, and never with credentials",
          "Replace Access-Control-Allow-Origin: * with an allow-list; * with credentials is always"
              + " wrong.");
  static final Check PREFLIGHT =
      new Check(
          "cors.preflight",
          CheckFamily.CORS,
          Severity.HIGH,
          "Preflights from foreign origins are refused",
          "Answer preflights only for allow-listed origins, methods and headers.");

  /** A hostile origin and the trick it tries. */
  record HostileOrigin(String origin, String trick, boolean subdomain) {}

  private final ProbeContext context;

  CorsChecks(ProbeContext context) {
    this.context = context;
  }

  /** Returns the fixed set of hostile origins for the target. */
  static List<HostileOrigin> hostileOrigins(ProbeTarget target) {
    String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
    int otherPort = target.port() == 443 ? 8443 : target.port() + 1;
    return List.of(
        new HostileOrigin("https://bulwark-probe.invalid", "another domain", false),
        new HostileOrigin("https://" + host + ".bulwark-probe.invalid", "suffix trick", false),
        new HostileOrigin("https://bulwarkprobe" + host, "prefix trick", false),
        new HostileOrigin("null", "null origin", false),
        new HostileOrigin("http://" + target.authority(), "scheme downgrade", false),
        new HostileOrigin("https://" + host + ":" + otherPort, "other port", false),
        new HostileOrigin(
            "https://" + host.toUpperCase(Locale.ROOT) + ".BULWARK-PROBE.invalid",
            "case trick",
            false),
        new HostileOrigin(
            "https://" + host + "`.bulwark-probe.invalid", "special character", false),
        new HostileOrigin("https://bulwark-probe." + host, "subdomain", true));
  }

  /** Runs the hostile-origin, wildcard and preflight checks. */
  List<Finding> run() {
    List<String> reflected = new ArrayList<>();
    List<String> reflectedSubdomain = new ArrayList<>();
    List<String> wildcard = new ArrayList<>();
    boolean wildcardWithCredentials = false;
    int answered = 0;
    int rateLimited = 0;
    String path = context.target().path();
    for (HostileOrigin hostile : hostileOrigins(context.target())) {
      ProbeResponse response;
      try {
        response =
            context.client().send(ProbeRequest.get(path).withHeader("Origin", hostile.origin()));
      } catch (IOException e) {
        continue;
      }
      answered++;
      if (response.status() == 429) {
        rateLimited++;
      }
      String allowOrigin = response.header("Access-Control-Allow-Origin");
      boolean credentials =
          "true"
              .equalsIgnoreCase(
                  String.valueOf(response.header("Access-Control-Allow-Credentials")).trim());
      if (allowOrigin == null) {
        continue;
      }
      String allowed = allowOrigin.trim();
      if (allowed.equals("*")) {
        wildcard.add(hostile.trick());
        wildcardWithCredentials |= credentials;
      } else if (allowed.equalsIgnoreCase(hostile.origin())) {
        String entry =
            hostile.trick() + " " + hostile.origin() + (credentials ? " +credentials" : "");
        (hostile.subdomain() ? reflectedSubdomain : reflected).add(entry);
      }
    }
    List<Finding> findings = new ArrayList<>();
    int total = hostileOrigins(context.target()).size();
    if (answered == 0) {
      findings.add(HOSTILE_ORIGINS.warn("no answer to any of " + total + " CORS requests"));
    } else if (!reflected.isEmpty()) {
      findings.add(HOSTILE_ORIGINS.fail("reflected: " + String.join("; ", reflected)));
    } else if (!reflectedSubdomain.isEmpty()) {
      findings.add(
          HOSTILE_ORIGINS.warn(
              "any subdomain allowed (a taken-over subdomain can read responses): "
                  + String.join("; ", reflectedSubdomain)));
    } else if (rateLimited == answered) {
      findings.add(HOSTILE_ORIGINS.warn("every CORS request was rate limited (429); inconclusive"));
    } else {
      findings.add(HOSTILE_ORIGINS.pass(total + " hostile origins sent, none allowed"));
    }
    if (wildcardWithCredentials) {
      findings.add(WILDCARD.fail("Access-Control-Allow-Origin: * with Allow-Credentials: true"));
    } else if (!wildcard.isEmpty()) {
      findings.add(
          WILDCARD.warn("Access-Control-Allow-Origin: * (any site may read these responses)"));
    } else {
      findings.add(WILDCARD.pass("no wildcard origin"));
    }
    findings.add(preflight());
    return findings;
  }

  private Finding preflight() {
    String origin = "https://bulwark-probe.invalid";
    ProbeRequest request =
        new ProbeRequest("OPTIONS", context.target().path(), List.of(), "")
            .withHeader("Origin", origin)
            .withHeader("Access-Control-Request-Method", "DELETE")
            .withHeader("Access-Control-Request-Headers", "authorization, x-bulwark-probe");
    ProbeResponse response;
    try {
      response = context.client().send(request);
    } catch (IOException e) {
      return PREFLIGHT.warn("no answer to the preflight: " + ProbeContext.describe(e));
    }
    String allowOrigin = response.header("Access-Control-Allow-Origin");
    if (allowOrigin != null
        && (allowOrigin.trim().equals("*") || allowOrigin.trim().equalsIgnoreCase(origin))) {
      String methods = String.valueOf(response.header("Access-Control-Allow-Methods"));
      return PREFLIGHT.fail(
          "preflight from "
              + origin
              + " answered "
              + response.status()
              + " with Allow-Origin: "
              + allowOrigin
              + ", Allow-Methods: "
              + methods);
    }
    return PREFLIGHT.pass(
        "preflight from " + origin + " answered " + response.status() + " without allowing it");
  }
}
