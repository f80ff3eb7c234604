package dev.bulwark.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.alert.AlertSettings;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.store.StoreConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a configuration file: parse (unknown keys are errors), resolve secret references, validate
 * (every error with its path, all at once), and lint against the hardening checklist. The policy
 * sections of routes, {@code defaults} and the top level are read through the {@link
 * ConfigSection}s it is given (the policy catalog's), so the loader knows no policy by name.
 */
public final class ConfigLoader {
  /** Configuration files larger than this are refused before parsing. */
  public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

  /** The top-level keys that are the core's own; the rest belong to top-level sections. */
  static final Set<String> OWN_TOP_KEYS =
      Set.of(
          "listen",
          "admin",
          "tls",
          "store",
          "audit",
          "server",
          "trusted-proxies",
          "defaults",
          "access-log",
          "connections",
          "routes",
          VaultSection.KEY);

  private static final int MAX_ROUTES = 10_000;

  private final SecretResolver secrets;
  private final List<ConfigSection<?>> sections;
  private final List<ConfigSection<?>> routeSections = new ArrayList<>();
  private final List<ConfigSection<?>> defaultSections = new ArrayList<>();
  private final List<ConfigSection<?>> topSections = new ArrayList<>();
  private final Set<String> topKeys = new TreeSet<>(OWN_TOP_KEYS);
  private final Set<String> defaultKeys = new TreeSet<>(RouteConfig.OWN_DEFAULT_KEYS);
  private final Set<String> servedKinds;

  /**
   * A loader that reads the given sections besides the core's own keys, in their order, and knows
   * no kind of endpoint (a route's {@code serve} is an error).
   *
   * @throws IllegalArgumentException when two sections, or a section and the core, claim one key
   */
  public ConfigLoader(SecretResolver secrets, List<? extends ConfigSection<?>> sections) {
    this(secrets, sections, Set.of());
  }

  /**
   * A loader that reads the given sections besides the core's own keys, in their order, and accepts
   * {@code serve} with one of {@code servedKinds} (the endpoint catalog's kinds).
   *
   * @throws IllegalArgumentException when two sections, or a section and the core, claim one key
   */
  public ConfigLoader(
      SecretResolver secrets, List<? extends ConfigSection<?>> sections, Set<String> servedKinds) {
    this.secrets = secrets;
    this.sections = List.copyOf(sections);
    this.servedKinds = Set.copyOf(servedKinds);
    Set<String> routeKeys = new TreeSet<>(RouteConfig.OWN_KEYS);
    for (ConfigSection<?> s : this.sections) {
      Set<String> claimed = s.place() == ConfigSection.Place.TOP ? topKeys : routeKeys;
      for (String key : s.keys()) {
        if (!claimed.add(key)) {
          throw new IllegalArgumentException(
              "section key " + key + " (" + s.type().getSimpleName() + "): claimed twice");
        }
      }
      switch (s.place()) {
        case TOP -> topSections.add(s);
        case ROUTE -> {
          routeSections.add(s);
          defaultSections.add(s);
          defaultKeys.addAll(s.keys());
        }
        case ROUTE_ONLY -> routeSections.add(s);
      }
    }
  }

  /** Returns the keys a route accepts, sorted (the core's own and every route section's). */
  public Set<String> routeKeys() {
    return RouteConfig.keys(routeSections);
  }

  /** Returns the keys {@code defaults} accepts, sorted. */
  public Set<String> defaultKeys() {
    return java.util.Collections.unmodifiableSet(defaultKeys);
  }

  /** Returns the top-level keys of a file, sorted. */
  public Set<String> topKeys() {
    return java.util.Collections.unmodifiableSet(topKeys);
  }

  /** The outcome of a successful load: the configuration and the warnings found. */
  public record Loaded(BulwarkConfig config, List<Problem> warnings) {
    public Loaded {
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Returns what {@code next} loosens compared with {@code previous}, one line each (empty when
   * nothing): new hardening-lint warnings, policies a route lost, routes no longer guarded.
   */
  public List<String> loosening(BulwarkConfig previous, BulwarkConfig next) {
    return ReloadLoosening.between(previous, next, sections);
  }

  /**
   * Returns the hardening-lint warnings of a loaded configuration (what {@code check-config}
   * prints), for the configuration in force.
   */
  public List<Problem> lint(BulwarkConfig config) {
    Problems problems = new Problems();
    HardeningLint.check(config, sections, problems);
    RouteShadowLint.check(config.routes(), problems);
    return problems.warnings();
  }

  /** Loads a file; throws {@link ConfigException} with every error (and warning) found. */
  public Loaded load(Path file) throws ConfigException {
    String text = YamlDocument.read(file, MAX_FILE_BYTES, "a YAML configuration file");
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent() == null ? Path.of(".").toAbsolutePath() : abs.getParent();
    return parse(text, abs, dir);
  }

  /** Loads YAML text whose relative paths resolve against {@code baseDir}. */
  public Loaded parse(String yaml, Path source, Path baseDir) throws ConfigException {
    JsonNode root = YamlDocument.tree(yaml, MAX_FILE_BYTES);
    if (root == null) {
      throw single("empty configuration (expected: a mapping with listen, tls and routes)");
    }
    Problems problems = new Problems();
    ConfigNode top = new ConfigNode(root, "", problems, secrets);
    if (!top.expectMapping(topKeys)) {
      throw new ConfigException(problems.errors());
    }
    BulwarkConfig config;
    // The vault section first: every other value may name a secret in Vault.
    secrets.begin(top.get(VaultSection.KEY), baseDir);
    try {
      config = read(top, source, baseDir);
    } finally {
      secrets.end();
    }
    LiteralSecrets.check(root, problems);
    if (problems.hasErrors()) {
      // Only the errors: warnings found on the way are about a file that will not run, and the
      // checklist lint would judge stand-in values.
      throw new ConfigException(problems.errors());
    }
    HardeningLint.check(config, sections, problems);
    RouteShadowLint.check(config.routes(), problems);
    return new Loaded(config, problems.warnings());
  }

  private BulwarkConfig read(ConfigNode top, Path source, Path baseDir) {
    ListenConfig listen = ListenConfig.read(top.get("listen"));
    AdminConfig admin = AdminConfig.read(top.get("admin"), baseDir);
    AdminListenerCheck.check(listen, admin, top);
    TlsConfig tls = TlsConfig.read(top.get("tls"), baseDir);
    StoreConfig store = StoreSection.read(top.get("store"), baseDir);
    AuditConfig audit = AuditConfig.read(top.get("audit"), store, baseDir);
    AlertSettings alerts = AlertsSection.read(top.get("audit").get("alerts"));
    // identity.* is checked by IdentitySection (a catalog section); its tokens are read here.
    TokensConfig tokens = TokensSection.read(top.get("identity").get("tokens"));
    ConfigNode defaultsNode = top.get("defaults");
    defaultsNode.expectMapping(defaultKeys);
    ConfigNode limitsNode = defaultsNode.get("limits");
    ServerConfig server = ServerConfig.read(top.get("server"), limitsNode);
    SectionValues defaults =
        readAll(defaultSections, defaultsNode, ReadContext.outsideRoutes(baseDir, true));
    RouteLimits defaultLimits = RouteLimits.read(limitsNode, RouteLimits.DEFAULTS, true);
    SectionValues gateway = readAll(topSections, top, ReadContext.outsideRoutes(baseDir, false));
    CidrSet trusted = readCidrs(top.get("trusted-proxies"));
    AccessLogConfig accessLog = AccessLogConfig.read(top.get("access-log"));
    ConnectionsConfig connections = ConnectionsConfig.read(top.get("connections"));
    List<RouteConfig> routes = new ArrayList<>();
    ConfigNode routesNode = top.get("routes");
    List<ConfigNode> elements = routesNode.elements();
    if (!routesNode.present() || (elements.isEmpty() && routesNode.present())) {
      routesNode.error("missing (expected: at least one route)");
    } else if (elements.size() > MAX_ROUTES) {
      routesNode.error(elements.size() + " routes (expected: at most " + MAX_ROUTES + ")");
    } else {
      List<Boolean> clean = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        int before = top.problems().errorCount();
        routes.add(
            RouteConfig.read(
                elements.get(i), defaultLimits, defaults, routeSections, servedKinds, baseDir, i));
        clean.add(top.problems().errorCount() == before);
      }
      checkRoutesTogether(routes, elements, clean);
      for (ConfigSection<?> s : sections) {
        s.checkRoutes(top, routes, elements, clean);
      }
    }
    BulwarkConfig config =
        new BulwarkConfig(
            source,
            listen,
            admin,
            tls,
            server,
            trusted,
            accessLog,
            store,
            connections,
            gateway,
            defaultLimits,
            defaults,
            routes,
            audit,
            alerts,
            tokens);
    for (ConfigSection<?> s : sections) {
      s.checkConfig(top, config);
    }
    TokensSection.lint(top.get("identity").get("tokens"), tokens, store);
    return config;
  }

  /** Reads each section at {@code holder} over its absent value. */
  private static SectionValues readAll(
      List<ConfigSection<?>> sections, ConfigNode holder, ReadContext context) {
    List<Object> values = new ArrayList<>(sections.size());
    for (ConfigSection<?> s : sections) {
      values.add(RouteConfig.read(s, holder, null, context));
    }
    return new SectionValues(sections, values);
  }

  private static CidrSet readCidrs(ConfigNode n) {
    List<String> ok = new ArrayList<>();
    for (ConfigNode e : n.elements()) {
      String s = e.requiredString("an address or CIDR such as 10.0.0.0/8");
      if (s == null) {
        continue;
      }
      if (!CidrSet.isValid(s)) {
        e.invalid("an address or CIDR such as 10.0.0.0/8, without host bits set");
      } else {
        ok.add(s);
        if (s.endsWith("/0")) {
          e.warning(s + ": every address is a trusted proxy, so any client can forge its address");
        }
      }
    }
    return CidrSet.of(ok);
  }

  private static void checkRoutesTogether(
      List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      if (!clean.get(i)) {
        continue; // its own errors are reported; comparing its stand-in values would mislead
      }
      RouteConfig r = routes.get(i);
      Integer first = names.putIfAbsent(r.name(), i);
      if (first != null) {
        nodes
            .get(i)
            .get("name")
            .error(r.name() + " (expected: a name not used by routes[" + first + "])");
      }
      HostMatcher host = r.match().hostMatcher();
      RoutePattern pattern = r.match().pattern();
      for (int j = 0; j < i; j++) {
        if (!clean.get(j)) {
          continue;
        }
        RouteConfig o = routes.get(j);
        if (o.match().hostMatcher().sameAs(host)
            && o.match().pattern().sameShape(pattern)
            && methodsOverlap(o.match().methods(), r.match().methods())) {
          nodes
              .get(i)
              .get("match")
              .error(
                  "overlaps routes["
                      + j
                      + "] ("
                      + o.name()
                      + "): same host, path and methods (expected: one route per host, path and method)");
        }
      }
    }
  }

  private static boolean methodsOverlap(Set<String> a, Set<String> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return true;
    }
    for (String m : a) {
      if (b.contains(m)) {
        return true;
      }
    }
    return false;
  }

  private static ConfigException single(String message) {
    return new ConfigException(List.of(new Problem(Problem.Severity.ERROR, "", message)));
  }
}
