package dev.bulwark.probe;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Checks the flags of every cookie the target sets. */
final class CookieChecks {
  static final Check COOKIES =
      new Check(
          "headers.cookies",
          CheckFamily.HEADERS,
          Severity.MEDIUM,
          "Cookies are Secure, HttpOnly and SameSite",
          "Set cookies with Secure; HttpOnly; SameSite=Lax or Strict, and prefer the __Host-"
              + " prefix (Secure, Path=/, no Domain).");

  private CookieChecks() {}

  /** Judges the Set-Cookie headers of the given responses together. */
  static Finding run(List<ProbeResponse> responses) {
    Set<String> failures = new LinkedHashSet<>();
    Set<String> warnings = new LinkedHashSet<>();
    int count = 0;
    for (ProbeResponse response : responses) {
      for (String cookie : response.headerValues("Set-Cookie")) {
        count++;
        judge(cookie, failures, warnings);
      }
    }
    if (count == 0) {
      return COOKIES.pass("no cookies set");
    }
    if (!failures.isEmpty()) {
      return COOKIES.fail(String.join("; ", failures));
    }
    if (!warnings.isEmpty()) {
      return COOKIES.warn(String.join("; ", warnings));
    }
    return COOKIES.pass(count + " cookie(s), all Secure, HttpOnly and SameSite");
  }

  private static void judge(String cookie, Set<String> failures, Set<String> warnings) {
    String[] parts = cookie.split(";");
    int eq = parts[0].indexOf('=');
    String name = (eq < 0 ? parts[0] : parts[0].substring(0, eq)).trim();
    boolean secure = false;
    boolean httpOnly = false;
    String sameSite = null;
    String path = null;
    boolean domain = false;
    for (int i = 1; i < parts.length; i++) {
      String attribute = parts[i].trim();
      String lower = attribute.toLowerCase(Locale.ROOT);
      if (lower.equals("secure")) {
        secure = true;
      } else if (lower.equals("httponly")) {
        httpOnly = true;
      } else if (lower.startsWith("samesite=")) {
        sameSite = lower.substring("samesite=".length()).trim();
      } else if (lower.startsWith("path=")) {
        path = attribute.substring("path=".length()).trim();
      } else if (lower.startsWith("domain=")) {
        domain = true;
      }
    }
    if (!secure) {
      failures.add(name + " lacks Secure");
    }
    if (!httpOnly) {
      warnings.add(name + " lacks HttpOnly");
    }
    if (sameSite == null) {
      warnings.add(name + " lacks SameSite");
    } else if (sameSite.equals("none")) {
      warnings.add(name + " has SameSite=None");
    }
    if (name.startsWith("__Host-") && (!secure || domain || !"/".equals(path))) {
      failures.add(name + " breaks the __Host- prefix rules (Secure, Path=/, no Domain)");
    }
    if (name.startsWith("__Secure-") && !secure) {
      failures.add(name + " breaks the __Secure- prefix rule (Secure)");
    }
  }
}
