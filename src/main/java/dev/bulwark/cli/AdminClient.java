package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.HostPort;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The admin listener of a running gateway as the {@code bans}, {@code users} and {@code orgs}
 * commands reach it: the address from {@code --admin}, or from the {@code listen.admin} of {@code
 * -c FILE} (default {@code http://127.0.0.1:9090}); the token from the {@code admin.token} of
 * {@code -c FILE}, else from {@code BULWARK_ADMIN_TOKEN}. Every failure is one line on the error
 * stream, prefixed with the command's name, naming the address and what to do; a call that failed
 * returns null.
 */
final class AdminClient {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The options that say where the admin listener is, with the command they are given to (a picocli
   * mixin): the one place a command gets its client and its output.
   */
  static final class Options {
    @Spec(Spec.Target.MIXEE)
    @SuppressWarnings("NullAway.Init")
    CommandSpec command;

    @Option(
        names = "--admin",
        description = "Admin listener base URL (default: from -c, else http://127.0.0.1:9090).")
    @Nullable String admin;

    @Option(
        names = {"-c", "--config"},
        description = "Read the admin listener address and admin.token from this file.")
    @Nullable Path config;

    /** Returns a client whose errors go to the command's error stream under its full name. */
    AdminClient client() {
      return new AdminClient(this, command.qualifiedName(), command.commandLine().getErr());
    }

    /** Returns the command's output stream. */
    PrintWriter out() {
      return command.commandLine().getOut();
    }

    /** Prints one line on the command's output; returns the exit status 0. */
    int said(String line) {
      PrintWriter o = out();
      o.println(line);
      o.flush();
      return 0;
    }

    /**
     * Prints the list at {@code path}: a line per entry of its {@code field}, {@code none} when it
     * is empty, and the cursor of the next page when the answer has one; returns the exit status.
     */
    int list(String path, String field, String none, Function<JsonNode, String> line) {
      JsonNode r = client().call("GET", path, null, 200);
      if (r == null) {
        return 1;
      }
      PrintWriter o = out();
      if (r.path(field).isEmpty()) {
        o.println(none);
      }
      for (JsonNode entry : r.path(field)) {
        o.println(line.apply(entry));
      }
      if (r.hasNonNull("next")) {
        o.println("more: --after " + r.path("next").asText());
      }
      o.flush();
      return 0;
    }

    /** Prints one page of the list at {@code path} as {@link #list} does. */
    int page(String path, Page page, String field, String none, Function<JsonNode, String> line) {
      return list(
          path
              + "?limit="
              + page.limit
              + (page.after == null ? "" : "&after=" + segment(page.after)),
          field,
          none,
          line);
    }
  }

  /** The options of a list read a page at a time (a picocli mixin). */
  static final class Page {
    @Option(names = "--limit", defaultValue = "100", description = "At most this many (1-1000)")
    int limit;

    @Option(names = "--after", description = "The cursor printed after the previous page")
    @Nullable String after;
  }

  private final Options options;
  private final String name;
  private final PrintWriter err;
  private @Nullable String configToken;

  AdminClient(Options options, String name, PrintWriter err) {
    this.options = options;
    this.name = name;
    this.err = err;
  }

  /** Returns a path segment with every reserved character escaped. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Sends a call and returns its answer when its status is {@code expected}; otherwise says why in
   * one line and returns null.
   */
  @Nullable JsonNode call(String method, String path, @Nullable String body, int expected) {
    String base = base();
    if (base == null) {
      return null;
    }
    HttpResponse<String> r;
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
      if (body != null) {
        b.header("content-type", "application/json");
      }
      String token = options.config != null ? configToken : System.getenv("BULWARK_ADMIN_TOKEN");
      if (token != null && !token.isBlank()) {
        b.header("authorization", "Bearer " + token.strip());
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      error(unreachable(base, e));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    JsonNode n;
    try {
      n = JSON.readTree(r.body());
    } catch (IOException e) {
      n = null;
    }
    if (r.statusCode() == expected && n != null) {
      return n;
    }
    String message = n == null ? "unreadable answer" : n.path("error").asText("unreadable answer");
    if (n != null && n.hasNonNull("field")) {
      message = n.path("field").asText() + ": " + message;
    }
    if (r.statusCode() == 401) {
      message += " (" + tokenHint(base) + ")";
    }
    error("refused (" + r.statusCode() + "): " + message);
    return null;
  }

  /** Says what to do when the admin listener at {@code base} refused the token sent, or none. */
  private String tokenHint(String base) {
    String at = "the admin listener at " + base;
    if (options.config != null) {
      return at
          + (configToken == null
              ? " asks for its token, and " + options.config + " has no admin.token"
              : " refuses the admin.token of " + options.config)
          + ": give -c with the file the gateway runs with";
    }
    String env = System.getenv("BULWARK_ADMIN_TOKEN");
    if (env != null && !env.isBlank()) {
      return at
          + " refuses BULWARK_ADMIN_TOKEN: set it to the gateway's admin.token, or give -c with"
          + " the file whose admin.token it uses";
    }
    return at
        + " asks for its token: set BULWARK_ADMIN_TOKEN, or give -c with the file whose"
        + " admin.token it uses";
  }

  /** Says in one line why the admin listener at {@code base} did not answer. */
  private static String unreachable(String base, Exception e) {
    if (e instanceof IllegalArgumentException) {
      return "--admin " + base + ": not a URL such as http://127.0.0.1:9090";
    }
    String why;
    if (e instanceof java.net.ConnectException) {
      why = "connection refused (is the gateway running, with listen.admin at this address?)";
    } else if (e instanceof java.net.http.HttpTimeoutException) {
      why = "no answer within 30 seconds";
    } else {
      String m = e.getMessage();
      why = m == null || m.isBlank() ? "the connection failed" : m;
    }
    return "cannot reach the admin listener at " + base + ": " + why;
  }

  private @Nullable String base() {
    String admin = options.admin;
    if (admin != null) {
      return admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
    }
    Path file = options.config;
    if (file == null) {
      return "http://127.0.0.1:9090";
    }
    try {
      BulwarkConfig loaded =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(file)
              .config();
      configToken = loaded.admin().token();
      HostPort a = loaded.listen().admin();
      if (a == null) {
        error(file + ": listen.admin is off; give --admin");
        return null;
      }
      String host = a.host().equals("0.0.0.0") ? "127.0.0.1" : a.host();
      // A TLS listener's certificate must name the host: Java's trust store and host check apply.
      String scheme = loaded.admin().tls().enabled() ? "https://" : "http://";
      return scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.port();
    } catch (ConfigException e) {
      error(file + ": invalid configuration (run bulwark check-config -c " + file + ")");
      return null;
    }
  }

  /** Prints one error line; returns the exit status 1. */
  int error(String message) {
    err.println(name + ": " + message);
    err.flush();
    return 1;
  }
}
