package dev.bulwark.config;

import dev.bulwark.audit.alert.AlertSettings;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.store.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole, validated configuration file: listeners, the admin listener's credential, TLS, process
 * settings, the top-level policy sections, the route defaults and the routes.
 *
 * @param defaults the route sections as {@code defaults} sets them for every route
 * @param defaultLimits the route limits as {@code defaults} sets them
 * @param sections the top-level policy sections (such as {@code bans})
 * @param audit the durable audit trail ({@code audit}), off unless it names a file
 * @param alerts the alert rules and webhooks ({@code audit.alerts}), on by default
 * @param tokens the gateway's own tokens ({@code identity.tokens}), off unless the section is there
 */
public record BulwarkConfig(
    Path source,
    ListenConfig listen,
    AdminConfig admin,
    TlsConfig tls,
    ServerConfig server,
    CidrSet trustedProxies,
    AccessLogConfig accessLog,
    StoreConfig store,
    ConnectionsConfig connections,
    SectionValues sections,
    RouteLimits defaultLimits,
    SectionValues defaults,
    List<RouteConfig> routes,
    AuditConfig audit,
    AlertSettings alerts,
    TokensConfig tokens) {

  public BulwarkConfig {
    routes = List.copyOf(routes);
  }

  /** Returns the value of the top-level section of this type. */
  public <T> T section(Class<T> type) {
    return sections.get(type);
  }

  /** Returns what upstreams learn about the caller (defaults when no section says). */
  public UpstreamIdentitySettings upstreamIdentity() {
    List<UpstreamIdentitySettings> found = sections.all(UpstreamIdentitySettings.class);
    return found.isEmpty() ? UpstreamIdentitySettings.DEFAULTS : found.get(0);
  }

  /** Returns how many bans the store holds at most. */
  public int maxBans() {
    List<BanCapacity> found = sections.all(BanCapacity.class);
    return found.isEmpty() ? BanCapacity.DEFAULT_MAX_BANS : found.get(0).maxBans();
  }

  /** Returns the lines the settings want said at start-up (whether bans are on, and how). */
  public List<String> startupNotes() {
    List<String> notes = new ArrayList<>();
    for (StartupNote n : sections.all(StartupNote.class)) {
      notes.add(n.startupNote());
    }
    return List.copyOf(notes);
  }
}
