package dev.bulwark.config;

import dev.bulwark.exchange.CidrSet;
import dev.bulwark.policy.authn.AuthConfig;
import dev.bulwark.policy.bans.BansConfig;
import dev.bulwark.policy.headers.HeadersConfig;
import dev.bulwark.policy.ipfilter.IpFilterConfig;
import dev.bulwark.store.StoreConfig;
import java.nio.file.Path;
import java.util.List;

/** A whole, validated configuration file: listeners, TLS, process settings and routes. */
public record BulwarkConfig(
    Path source,
    ListenConfig listen,
    TlsConfig tls,
    ServerConfig server,
    CidrSet trustedProxies,
    AccessLogConfig accessLog,
    HeadersConfig defaultHeaders,
    IpFilterConfig defaultIpFilter,
    StoreConfig store,
    BansConfig bans,
    ConnectionsConfig connections,
    AuthConfig auth,
    List<RouteConfig> routes) {

  public BulwarkConfig {
    routes = List.copyOf(routes);
  }

  /** Returns the lines the settings want said at start-up (whether bans are on, and how). */
  public List<String> startupNotes() {
    StartupNote banNote = bans;
    return List.of(banNote.startupNote());
  }
}
