package dev.bulwark.policy.authn;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.UpstreamIdentitySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The top-level {@code auth} section: the trusted token issuers, the verified-token cache, which
 * incoming identity headers are stripped, whether the bearer token itself reaches upstreams, the
 * gateway's signed identity assertion. (The forward-auth endpoint is a route: {@code serve:
 * forward-auth}; the former {@code auth.forward-auth} is an error that says so.)
 */
public record AuthConfig(
    Map<String, IssuerConfig> issuers,
    int cacheSize,
    List<String> stripHeaders,
    boolean forwardToken,
    Duration assertionTtl,
    Duration assertionRotate,
    String assertionAudience)
    implements UpstreamIdentitySettings {

  /** No issuers; identity headers are still stripped. */
  public static final AuthConfig NONE =
      new AuthConfig(
          Map.of(),
          10_000,
          List.of(),
          false,
          Duration.ofSeconds(60),
          Duration.ofHours(24),
          "bulwark-upstream");

  static final Set<String> KEYS =
      Set.of(
          "issuers", "cache-size", "strip-headers", "forward-token", "assertion", "forward-auth");
  static final Set<String> ASSERTION_KEYS = Set.of("ttl", "rotate", "audience");

  public AuthConfig {
    issuers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(issuers));
    stripHeaders = List.copyOf(stripHeaders);
  }

  /** Reads the {@code auth} section (absent: no issuers). */
  public static AuthConfig read(ConfigNode n, Path baseDir) {
    if (!n.expectMapping(KEYS)) {
      return NONE;
    }
    Map<String, IssuerConfig> issuers = new LinkedHashMap<>();
    Map<String, String> byIss = new HashMap<>();
    for (Map.Entry<String, ConfigNode> e : n.get("issuers").entries().entrySet()) {
      if (!e.getKey().matches("[a-z0-9][a-z0-9._-]{0,62}")) {
        e.getValue().error("issuer name: lower-case letters, digits, '.', '_' and '-', at most 63");
        continue;
      }
      IssuerConfig c = IssuerConfig.read(e.getKey(), e.getValue(), baseDir);
      if (c == null) {
        continue;
      }
      String other = byIss.putIfAbsent(c.issuer(), e.getKey());
      if (other != null) {
        e.getValue()
            .get("issuer")
            .error(c.issuer() + " (expected: an iss not used by issuer " + other + ")");
        continue;
      }
      issuers.put(e.getKey(), c);
    }
    int cache = n.get("cache-size").integer(10_000, 0, 1_000_000);
    if (n.get("cache-size").present() && cache == 0) {
      n.get("cache-size").warning("0: every request verifies its token's signature");
    }
    List<String> strip = new ArrayList<>();
    for (ConfigNode h : n.get("strip-headers").elements()) {
      String s = h.requiredString("a header name such as X-User");
      if (s != null && !s.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
        h.invalid("a header name such as X-User");
      } else if (s != null) {
        strip.add(s.toLowerCase(Locale.ROOT));
      }
    }
    boolean forwardToken = n.get("forward-token").bool(false);
    if (forwardToken) {
      n.get("forward-token")
          .warning("true: upstreams receive the caller's bearer token and can replay it");
    }
    ConfigNode a = n.get("assertion");
    a.expectMapping(ASSERTION_KEYS);
    Duration ttl =
        a.get("ttl").duration(Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofHours(1));
    Duration rotate =
        a.get("rotate").duration(Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(90));
    String audience = a.get("audience").string("the aud of the assertion", "bulwark-upstream");
    if (n.get("forward-auth").present()) {
      n.get("forward-auth")
          .error(
              "moved to a route (expected: a route { name: forward-auth, match: { path:"
                  + " /.bulwark/forward-auth }, serve: forward-auth } instead)");
    }
    return new AuthConfig(issuers, cache, strip, forwardToken, ttl, rotate, audience);
  }
}
