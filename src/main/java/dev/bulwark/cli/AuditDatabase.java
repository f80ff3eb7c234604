package dev.bulwark.cli;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL database that {@code bulwark audit verify|search|show --postgres URL} reads: the
 * URL as {@code store.postgres.url} takes it ({@code postgresql://host:port/db}, options in its
 * query), the user from {@code --user}, the password from the {@code PGPASSWORD} environment
 * variable (never on the command line), the schema from {@code --schema}.
 *
 * @param jdbcUrl the JDBC URL
 * @param address {@code host:port}, for messages
 * @param user the user, or null for the driver's default
 * @param password the password, or null
 * @param schema the schema the tables are in
 */
record AuditDatabase(
    String jdbcUrl,
    String address,
    @Nullable String user,
    @Nullable String password,
    String schema) {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** Names the database, never the password. */
  @Override
  public String toString() {
    return "PostgreSQL at " + address + " schema " + schema;
  }

  /**
   * Returns the database a URL names, or throws {@link IllegalArgumentException} with one line
   * saying what is wrong.
   */
  static AuditDatabase of(
      String url, @Nullable String user, @Nullable String password, String schema) {
    String expected = "expected a PostgreSQL URL such as postgresql://127.0.0.1:5432/bulwark";
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--postgres: " + expected);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")
        || uri.getHost() == null
        || path.length() < 2
        || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException("--postgres: " + expected);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "--postgres: credentials in the URL (expected: --user, and the password in the"
              + " PGPASSWORD environment variable)");
    }
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "--schema: " + schema + " (expected: lower-case letters, digits and _, such as bulwark)");
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new AuditDatabase(
        "jdbc:postgresql://" + uri.getHost() + ":" + port + path + query,
        uri.getHost() + ":" + port,
        user,
        password,
        schema);
  }

  /** Connects, read-only, with the schema as the search path (blocking). */
  Connection connect() throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "bulwark audit");
    Connection c = DriverManager.getConnection(jdbcUrl, p);
    try {
      c.setSchema(schema);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }
}
