package dev.bulwark.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Refuses secrets written literally anywhere in the file, before any value is read: a URL with a
 * password in it ({@code redis://user:pass@host}), a value under a credential's name ({@code
 * Authorization}, {@code Cookie}, an API-key header, {@code password}), and a value that is itself
 * a credential ({@code Bearer ...}). Each is an error at its path, and the message never repeats
 * the value. A reference in the secret's place ({@code redis://user:${env:REDIS_PASSWORD}@host})
 * passes.
 */
final class LiteralSecrets {
  /** Keys whose value is a credential, compared ignoring case. */
  static final Set<String> CREDENTIAL_KEYS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "cookie",
          "set-cookie",
          "x-api-key",
          "api-key",
          "apikey",
          "x-auth-token",
          "x-access-token",
          "private-token",
          "password",
          "passwd",
          "client-secret");

  private static final Pattern URL_USERINFO =
      Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@");
  private static final Pattern CREDENTIAL_VALUE =
      Pattern.compile("(?i)^\\s*(bearer|basic|token|apikey)\\s+\\S{8,}\\s*$");
  private static final int MAX_DEPTH = 64;
  private static final String HOW =
      "a reference such as ${env:NAME}, ${file:/run/secrets/name} or"
          + " ${vault:secret/data/bulwark#field}";

  private LiteralSecrets() {}

  /** Reports every literal secret in the tree under {@code root}. */
  static void check(JsonNode root, Problems problems) {
    walk(root, "", "", problems, 0);
  }

  private static void walk(JsonNode n, String path, String key, Problems problems, int depth) {
    if (depth > MAX_DEPTH) {
      return; // the YAML reader bounds nesting already; this keeps the walk bounded on its own
    }
    if (n.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        walk(e.getValue(), at, e.getKey(), problems, depth + 1);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        walk(n.get(i), path + "[" + i + "]", key, problems, depth + 1);
      }
    } else if (n.isTextual()) {
      String problem = problem(key, n.textValue());
      if (problem != null) {
        problems.error(path, problem + " (expected: " + HOW + ")");
      }
    }
  }

  /** Returns whether {@code s} is made of secret references only, such as {@code ${env:P}}. */
  static boolean referencesOnly(String s) {
    int i = 0;
    while (i < s.length()) {
      if (!s.startsWith("${", i)) {
        return false;
      }
      int close = s.indexOf('}', i);
      int colon = s.indexOf(':', i);
      if (close < 0 || colon < 0 || colon > close || colon == i + 2) {
        return false;
      }
      for (int k = i + 2; k < colon; k++) {
        char c = s.charAt(k);
        if (c < 'a' || c > 'z') {
          return false;
        }
      }
      i = close + 1;
    }
    return !s.isEmpty();
  }

  /** Returns what is literal about the value, or null when it holds no literal secret. */
  static @Nullable String problem(String key, String value) {
    Matcher url = URL_USERINFO.matcher(value);
    if (url.find()) {
      String userinfo = url.group(1);
      int colon = userinfo.indexOf(':');
      if (colon >= 0) {
        String password = userinfo.substring(colon + 1);
        if (!password.isEmpty() && !referencesOnly(password)) {
          return "literal password in a URL";
        }
      }
    }
    String k = key.toLowerCase(Locale.ROOT);
    if (CREDENTIAL_KEYS.contains(k)
        && !value.isBlank()
        && !SecretResolver.containsReference(value)) {
      return "literal " + key + " value";
    }
    if (CREDENTIAL_VALUE.matcher(value).matches() && !SecretResolver.containsReference(value)) {
      return "literal credential";
    }
    return null;
  }
}
