package dev.bulwark.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks the security headers and banners of the baseline response. */
final class HeaderChecks {
  static final Check CSP =
      new Check(
          "headers.csp",
          CheckFamily.HEADERS,
          Severity.MEDIUM,
          "Content-Security-Policy restricts scripts without unsafe sources",
          "Send a Content-Security-Policy (for an API: default-src 'none'; frame-ancestors 'none')"
              + " without 'unsafe-inline', 'unsafe-eval' or wildcard sources.");
  static final Check CONTENT_TYPE_OPTIONS =
      new Check(
          "headers.content-type-options",
          CheckFamily.HEADERS,
          Severity.MEDIUM,
          "X-Content-Type-Options: nosniff",
          "Send X-Content-Type-Options: nosniff on every response.");
  static final Check FRAME_PROTECTION =
      new Check(
          "headers.frame-protection",
          CheckFamily.HEADERS,
          Severity.MEDIUM,
          "Framing is restricted (X-Frame-Options or CSP frame-ancestors)",
          "Send X-Frame-Options: DENY or a CSP with frame-ancestors 'none'.");
  static final Check REFERRER_POLICY =
      new Check(
          "headers.referrer-policy",
          CheckFamily.HEADERS,
          Severity.LOW,
          "Referrer-Policy does not leak full URLs cross-origin",
          "Send Referrer-Policy: no-referrer (or strict-origin-when-cross-origin).");
  static final Check PERMISSIONS_POLICY =
      new Check(
          "headers.permissions-policy",
          CheckFamily.HEADERS,
          Severity.LOW,
          "Permissions-Policy disables unused browser features",
          "Send Permissions-Policy, e.g. camera=(), microphone=(), geolocation=().");
  static final Check COOP =
      new Check(
          "headers.cross-origin-opener-policy",
          CheckFamily.HEADERS,
          Severity.LOW,
          "Cross-Origin-Opener-Policy isolates the browsing context",
          "Send Cross-Origin-Opener-Policy: same-origin.");
  static final Check CORP =
      new Check(
          "headers.cross-origin-resource-policy",
          CheckFamily.HEADERS,
          Severity.LOW,
          "Cross-Origin-Resource-Policy limits who may embed responses",
          "Send Cross-Origin-Resource-Policy: same-origin (or same-site).");
  static final Check BANNERS =
      new Check(
          "headers.banners",
          CheckFamily.HEADERS,
          Severity.MEDIUM,
          "No product or version banners",
          "Remove X-Powered-By and similar headers, and strip versions from Server (nginx:"
              + " server_tokens off; Bulwark strips them by default).");

  /** Headers that only ever advertise the software stack. */
  static final List<String> BANNER_HEADERS =
      List.of(
          "X-Powered-By",
          "X-AspNet-Version",
          "X-AspNetMvc-Version",
          "X-Generator",
          "X-Backend-Server",
          "X-Server",
          "X-Runtime",
          "X-Version",
          "X-Debug-Token",
          "X-Debug-Token-Link");

  private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)+|/\\s*\\d");
  private static final Set<String> SAFE_REFERRER =
      Set.of("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin");
  private static final Set<String> UNSAFE_REFERRER = Set.of("unsafe-url");

  private HeaderChecks() {}

  /** Runs every header check except banners on the given response. */
  static List<Finding> run(ProbeResponse response) {
    List<Finding> findings = new ArrayList<>();
    findings.add(csp(response));
    findings.add(contentTypeOptions(response));
    findings.add(frameProtection(response));
    findings.add(referrerPolicy(response));
    findings.add(permissionsPolicy(response));
    findings.add(coop(response));
    findings.add(corp(response));
    return findings;
  }

  static Finding csp(ProbeResponse response) {
    String value = response.header("Content-Security-Policy");
    if (value == null) {
      String reportOnly = response.header("Content-Security-Policy-Report-Only");
      return reportOnly == null
          ? CSP.fail("no Content-Security-Policy header")
          : CSP.warn("only Content-Security-Policy-Report-Only, which enforces nothing");
    }
    Map<String, List<String>> directives = directives(value);
    List<String> weaknesses = new ArrayList<>();
    List<String> scriptSources =
        directives.getOrDefault("script-src", directives.get("default-src"));
    if (scriptSources == null) {
      weaknesses.add("neither script-src nor default-src");
    } else {
      for (String source : scriptSources) {
        if (source.equals("'unsafe-inline'") || source.equals("'unsafe-eval'")) {
          weaknesses.add(source);
        } else if (source.equals("*")
            || source.equals("data:")
            || source.equals("http:")
            || source.equals("https:")) {
          weaknesses.add("script source " + source);
        }
      }
    }
    List<String> defaults = directives.getOrDefault("default-src", List.of());
    if (defaults.contains("*")) {
      weaknesses.add("default-src *");
    }
    if (directives.getOrDefault("object-src", defaults).contains("*")) {
      weaknesses.add("object-src *");
    }
    if (!weaknesses.isEmpty()) {
      return CSP.warn("weak: " + String.join(", ", weaknesses) + " in " + abbreviate(value));
    }
    return CSP.pass(abbreviate(value));
  }

  static Finding contentTypeOptions(ProbeResponse response) {
    String value = response.header("X-Content-Type-Options");
    if (value == null) {
      return CONTENT_TYPE_OPTIONS.fail("no X-Content-Type-Options header");
    }
    return value.trim().equalsIgnoreCase("nosniff")
        ? CONTENT_TYPE_OPTIONS.pass(value)
        : CONTENT_TYPE_OPTIONS.fail("X-Content-Type-Options: " + value + " (expected: nosniff)");
  }

  static Finding frameProtection(ProbeResponse response) {
    String csp = response.header("Content-Security-Policy");
    if (csp != null) {
      List<String> ancestors = directives(csp).get("frame-ancestors");
      if (ancestors != null) {
        if (ancestors.contains("*")
            || ancestors.contains("https:")
            || ancestors.contains("http:")) {
          return FRAME_PROTECTION.fail("frame-ancestors allows any site: " + ancestors);
        }
        return FRAME_PROTECTION.pass("frame-ancestors " + String.join(" ", ancestors));
      }
    }
    String xfo = response.header("X-Frame-Options");
    if (xfo == null) {
      return FRAME_PROTECTION.fail("neither X-Frame-Options nor CSP frame-ancestors");
    }
    String v = xfo.trim().toUpperCase(Locale.ROOT);
    if (v.equals("DENY") || v.equals("SAMEORIGIN")) {
      return FRAME_PROTECTION.pass("X-Frame-Options: " + xfo);
    }
    return FRAME_PROTECTION.warn("X-Frame-Options: " + xfo + " is not honoured by browsers");
  }

  static Finding referrerPolicy(ProbeResponse response) {
    String value = response.header("Referrer-Policy");
    if (value == null) {
      return REFERRER_POLICY.warn("no Referrer-Policy header (browser default applies)");
    }
    String[] tokens = value.split(",");
    String effective = tokens[tokens.length - 1].trim().toLowerCase(Locale.ROOT);
    if (SAFE_REFERRER.contains(effective)) {
      return REFERRER_POLICY.pass(value);
    }
    if (UNSAFE_REFERRER.contains(effective)) {
      return REFERRER_POLICY.fail("Referrer-Policy: " + value + " sends full URLs everywhere");
    }
    return REFERRER_POLICY.warn("Referrer-Policy: " + value + " leaks more than the origin");
  }

  static Finding permissionsPolicy(ProbeResponse response) {
    String value = response.header("Permissions-Policy");
    if (value != null) {
      return PERMISSIONS_POLICY.pass(abbreviate(value));
    }
    return response.has("Feature-Policy")
        ? PERMISSIONS_POLICY.warn("only the obsolete Feature-Policy header")
        : PERMISSIONS_POLICY.warn("no Permissions-Policy header");
  }

  static Finding coop(ProbeResponse response) {
    String value = response.header("Cross-Origin-Opener-Policy");
    if (value == null) {
      return COOP.warn("no Cross-Origin-Opener-Policy header");
    }
    return value.trim().toLowerCase(Locale.ROOT).startsWith("same-origin")
        ? COOP.pass(value)
        : COOP.warn("Cross-Origin-Opener-Policy: " + value);
  }

  static Finding corp(ProbeResponse response) {
    String value = response.header("Cross-Origin-Resource-Policy");
    if (value == null) {
      return CORP.warn("no Cross-Origin-Resource-Policy header");
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("same-origin") || v.equals("same-site")
        ? CORP.pass(value)
        : CORP.warn("Cross-Origin-Resource-Policy: " + value + " lets any site embed responses");
  }

  /** Judges the banners of every given response together; the first is the baseline. */
  static Finding banners(List<ProbeResponse> responses) {
    Set<String> leaks = new LinkedHashSet<>();
    for (ProbeResponse response : responses) {
      leaks.addAll(bannerLeaks(response));
    }
    if (!leaks.isEmpty()) {
      return BANNERS.fail(String.join("; ", leaks));
    }
    String server = responses.isEmpty() ? null : responses.get(0).header("Server");
    return BANNERS.pass(
        server == null ? "no Server header" : "Server: " + server + " (no version)");
  }

  /** Returns each banner header that names software with a version, or at all. */
  static List<String> bannerLeaks(ProbeResponse response) {
    List<String> leaks = new ArrayList<>();
    String server = response.header("Server");
    if (server != null && VERSION.matcher(server).find()) {
      leaks.add("Server: " + server);
    }
    for (String name : BANNER_HEADERS) {
      String value = response.header(name);
      if (value != null) {
        leaks.add(name + ": " + value);
      }
    }
    return leaks;
  }

  /** Splits a CSP into lower-case directive names and their sources; first occurrence wins. */
  static Map<String, List<String>> directives(String policy) {
    Map<String, List<String>> directives = new LinkedHashMap<>();
    for (String part : policy.split(";")) {
      String[] tokens = part.trim().split("\\s+");
      if (tokens.length == 0 || tokens[0].isEmpty()) {
        continue;
      }
      List<String> sources = new ArrayList<>();
      for (int i = 1; i < tokens.length; i++) {
        sources.add(tokens[i].toLowerCase(Locale.ROOT));
      }
      directives.putIfAbsent(tokens[0].toLowerCase(Locale.ROOT), sources);
    }
    return directives;
  }

  static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 117) + "..." : text;
  }
}
