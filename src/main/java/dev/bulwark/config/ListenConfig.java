package dev.bulwark.config;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The three listeners: HTTPS (the gateway), plain HTTP (redirects only) and admin (metrics, health,
 * the ban API; its credential is the {@code admin} section, checked with it by {@link
 * AdminListenerCheck}).
 */
public record ListenConfig(HostPort https, @Nullable HostPort http, @Nullable HostPort admin) {
  static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 9090);

  static ListenConfig read(ConfigNode n) {
    n.expectMapping(Set.of("https", "http", "admin"));
    if (!n.present()) {
      n.error("missing (expected: a mapping with https, and optionally http and admin)");
    }
    HostPort https = address(n.get("https"), true);
    HostPort http = address(n.get("http"), false);
    ConfigNode adminNode = n.get("admin");
    HostPort admin;
    if (adminNode.isOff()) {
      admin = null;
    } else {
      admin = adminNode.present() ? address(adminNode, false) : DEFAULT_ADMIN;
    }
    if (https == null) {
      https = new HostPort("0.0.0.0", 8443);
    }
    if (http != null && http.port() == https.port() && http.port() != 0) {
      n.get("http").error(http.port() + " (expected: a port other than listen.https's)");
    }
    if (admin != null
        && admin.port() != 0
        && (admin.port() == https.port() || (http != null && admin.port() == http.port()))) {
      n.get("admin").error(admin.port() + " (expected: a port of its own)");
    }
    return new ListenConfig(https, http, admin);
  }

  private static @Nullable HostPort address(ConfigNode n, boolean required) {
    String s = required ? n.requiredString("host:port") : n.string("host:port");
    if (s == null) {
      return null;
    }
    HostPort hp = HostPort.parse(s);
    if (hp == null) {
      n.invalid("host:port such as 0.0.0.0:8443");
    }
    return hp;
  }
}
