package dev.bulwark.config;

import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.store.StoreConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code identity.tokens} into the plain {@link TokensConfig} (absent: the gateway issues no
 * tokens), every mistake reported with its path.
 */
final class TokensSection {
  static final Set<String> KEYS =
      Set.of(
          "issuer",
          "audience",
          "access-ttl",
          "refresh-ttl",
          "refresh-idle",
          "reuse-grace",
          "algorithm",
          "key-rotation",
          "max-sessions");

  private TokensSection() {}

  static TokensConfig read(ConfigNode n) {
    if (!n.present() || !n.expectMapping(KEYS)) {
      return TokensConfig.OFF;
    }
    TokensConfig d = TokensConfig.OFF;
    String issuer = issuer(n.get("issuer"));
    String audience =
        n.get("audience").requiredString("the aud of access tokens, such as api.example.com");
    if (audience != null && (audience.isEmpty() || audience.length() > 256)) {
      n.get("audience").invalid("1 to 256 characters");
      audience = null;
    }
    Duration access =
        n.get("access-ttl")
            .duration(d.accessTtl(), Duration.ofSeconds(30), TokensConfig.MAX_ACCESS_TTL);
    if (access.compareTo(Duration.ofMinutes(15)) > 0) {
      n.get("access-ttl")
          .warning(
              Units.formatDuration(access)
                  + ": a stolen access token stays usable that long (expected: 15m or less)");
    }
    Duration refresh =
        n.get("refresh-ttl").duration(d.refreshTtl(), Duration.ofMinutes(5), Duration.ofDays(365));
    Duration idle =
        n.get("refresh-idle")
            .duration(d.refreshIdle(), Duration.ofMinutes(1), Duration.ofDays(365));
    if (idle.compareTo(refresh) > 0) {
      n.get("refresh-idle")
          .error(
              Units.formatDuration(idle)
                  + " (expected: at most refresh-ttl, "
                  + Units.formatDuration(refresh)
                  + ")");
    }
    Duration grace =
        n.get("reuse-grace").duration(d.reuseGrace(), Duration.ZERO, Duration.ofMinutes(1));
    if (grace.compareTo(Duration.ofSeconds(30)) > 0) {
      n.get("reuse-grace")
          .warning(
              Units.formatDuration(grace)
                  + ": a stolen refresh token replayed that soon after its use is not detected");
    }
    String alg = n.get("algorithm").choice(List.of("ES256", "EdDSA"), "ES256");
    Duration rotation =
        n.get("key-rotation").duration(d.keyRotation(), Duration.ofHours(1), Duration.ofDays(365));
    int maxSessions = n.get("max-sessions").integer(d.maxSessions(), 1, 1000);
    if (issuer == null || audience == null) {
      return TokensConfig.OFF;
    }
    return new TokensConfig(
        true,
        issuer,
        audience,
        access,
        refresh,
        idle.compareTo(refresh) > 0 ? refresh : idle,
        grace,
        TokensConfig.Algorithm.valueOf(alg),
        rotation,
        maxSessions);
  }

  /** Returns the issuer URL: https (http only on a loopback host), no query, fragment or user. */
  private static @org.jspecify.annotations.Nullable String issuer(ConfigNode n) {
    String s = n.requiredString("the gateway's public URL, such as https://auth.example.com");
    if (s == null) {
      return null;
    }
    String expected =
        "an https URL without user info, query or fragment, such as https://auth.example.com"
            + " (http only for localhost)";
    try {
      URI u = new URI(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      String host = u.getHost();
      boolean loopback =
          host != null
              && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
      if (host == null
          || u.getUserInfo() != null
          || u.getQuery() != null
          || u.getFragment() != null
          || !(scheme.equals("https") || (scheme.equals("http") && loopback))
          || s.length() > 256) {
        n.invalid(expected);
        return null;
      }
      return s;
    } catch (URISyntaxException e) {
      n.invalid(expected);
      return null;
    }
  }

  /**
   * Warns when the gateway issues tokens but keeps its sessions and signing keys only in memory
   * (the embedded store without a data directory): a restart signs every user out.
   */
  static void lint(ConfigNode n, TokensConfig tokens, StoreConfig store) {
    if (tokens.enabled() && !store.durable() && !store.cluster()) {
      n.warning(
          "sessions and signing keys are kept in memory: a restart signs every user out"
              + " (expected: store.data-dir with store.master-key, or store.redis)");
    }
  }
}
