package dev.bulwark.config;

import dev.bulwark.store.StoreConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code store.postgres} (a URL, or {@code { url, user, password, pool: { size, timeout },
 * schema }}) and the {@code store.master-key} that accounts in PostgreSQL are sealed under.
 */
final class PostgresSection {
  static final Set<String> KEYS = Set.of("url", "user", "password", "pool", "schema");
  static final Set<String> POOL_KEYS = Set.of("size", "timeout");
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String URL_EXPECTED =
      "a PostgreSQL URL such as postgresql://127.0.0.1:5432/bulwark";

  private PostgresSection() {}

  /** Returns {@code base} with PostgreSQL and its master key, or {@code base} after errors. */
  static StoreConfig read(ConfigNode store, StoreConfig base) {
    ConfigNode n = store.get("postgres");
    StoreConfig.MasterKeyReference master =
        base.masterKey() != null ? base.masterKey() : masterKey(store.get("master-key"));
    StoreConfig.Postgres postgres = postgres(n);
    if (postgres == null || master == null) {
      return base;
    }
    return new StoreConfig(
        base.redis(),
        base.timeout(),
        base.maxKeys(),
        base.dataDir(),
        master,
        base.backup(),
        postgres);
  }

  private static StoreConfig.@Nullable MasterKeyReference masterKey(ConfigNode keyNode) {
    if (!keyNode.present()) {
      keyNode.error(
          "missing (expected: a secret reference such as ${file:/etc/bulwark/master.key}; accounts"
              + " in store.postgres are sealed under it)");
      return null;
    }
    if (keyNode.isMapping()) {
      return StoreSection.transit(keyNode);
    }
    String reference = keyNode.rawText();
    if (reference == null || !SecretResolver.containsReference(reference)) {
      keyNode.error(
          "a literal key (expected: a secret reference such as ${file:/etc/bulwark/master.key},"
              + " never the key itself)");
      return null;
    }
    String text = keyNode.string("a secret reference such as ${file:/etc/bulwark/master.key}");
    return text == null ? null : new StoreConfig.MasterKeyReference(reference, text);
  }

  private static StoreConfig.@Nullable Postgres postgres(ConfigNode n) {
    ConfigNode urlNode = n;
    if (n.isMapping()) {
      if (!n.expectMapping(KEYS)) {
        return null;
      }
      urlNode = n.get("url");
    }
    String url = urlNode.requiredString(URL_EXPECTED);
    Target target = url == null ? null : target(urlNode, url);
    String user = n.isMapping() ? n.get("user").string("a PostgreSQL user name") : null;
    String password = n.isMapping() ? password(n.get("password")) : null;
    ConfigNode pool = n.get("pool");
    int size = 4;
    Duration timeout = Duration.ofSeconds(2);
    if (pool.present() && pool.expectMapping(POOL_KEYS)) {
      size = pool.get("size").integer(4, 1, 64);
      timeout =
          pool.get("timeout")
              .duration(Duration.ofSeconds(2), Duration.ofMillis(250), Duration.ofSeconds(30));
    }
    String schema = n.isMapping() ? n.get("schema").string("a schema name", "bulwark") : "bulwark";
    boolean ok = true;
    if (!SCHEMA.matcher(schema).matches()) {
      n.get("schema")
          .error(
              schema
                  + " (expected: a schema name of lower-case letters, digits and _, such as"
                  + " bulwark)");
      ok = false;
    }
    if (!ok || target == null || url == null) {
      return null;
    }
    return new StoreConfig.Postgres(
        url, target.jdbcUrl(), target.address(), user, password, size, timeout, schema);
  }

  private record Target(String jdbcUrl, String address) {}

  private static @Nullable Target target(ConfigNode urlNode, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      urlNode.invalid(URL_EXPECTED);
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")
        || uri.getHost() == null
        || path.length() < 2
        || path.indexOf('/', 1) >= 0) {
      urlNode.invalid(URL_EXPECTED);
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      urlNode.error(
          "credentials in the URL (expected: store.postgres.user, and the password as a secret"
              + " reference in store.postgres.password)");
      return null;
    }
    String host = uri.getHost();
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    boolean local = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    if (!local && !query.contains("sslmode=verify-full") && !query.contains("sslmode=verify-ca")) {
      urlNode.warning(
          "PostgreSQL on another host without ?sslmode=verify-full: login lookups, hashes and"
              + " sealed values travel unauthenticated (add ?sslmode=verify-full)");
    }
    String jdbc =
        "jdbc:postgresql://" + host + ":" + port + path + (query.isEmpty() ? "" : "?" + query);
    return new Target(jdbc, host + ":" + port);
  }

  private static @Nullable String password(ConfigNode n) {
    if (!n.present()) {
      return null;
    }
    String raw = n.rawText();
    if (raw == null || !SecretResolver.containsReference(raw)) {
      return null; // a literal password: the literal-secrets check reports it at this path
    }
    return n.string("a secret reference such as ${file:/run/secrets/postgres-password}");
  }
}
