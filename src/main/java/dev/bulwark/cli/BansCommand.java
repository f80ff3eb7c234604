package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark bans list|add|remove}: the ban list of a running gateway, through its admin
 * listener (the address comes from {@code --admin}, or from the {@code listen.admin} of {@code -c
 * FILE}; the token from the {@code admin.token} of {@code -c FILE}, else from the environment
 * variable {@code BULWARK_ADMIN_TOKEN}). Exit 0 on success, 1 when the gateway refused or could not
 * be reached.
 */
@Command(
    name = "bans",
    description = "List, add and remove bans on a running gateway (through its admin listener).",
    mixinStandardHelpOptions = true)
final class BansCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  @SuppressWarnings("NullAway.Init")
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--admin",
      description = "Admin listener base URL (default: from -c, else http://127.0.0.1:9090).")
  @Nullable String admin;

  @Option(
      names = {"-c", "--config"},
      description = "Read the admin listener address from this configuration file.")
  @Nullable Path config;

  /** The token read with the address from {@code -c}, once {@link #base()} has read the file. */
  private @Nullable String configToken;

  @Command(name = "list", description = "List the active bans.")
  int list() {
    HttpResponse<String> r = send("GET", "/bans", null);
    if (r == null || r.statusCode() != 200) {
      return failed(r);
    }
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonNode bans = JSON.readTree(r.body()).path("bans");
      if (bans.isEmpty()) {
        out.println("no active bans");
      }
      for (JsonNode b : bans) {
        out.printf(
            "%-39s until %s  by %s  (%s)%n",
            b.path("address").asText(),
            b.path("until").asText(),
            b.path("by").asText(),
            b.path("reason").asText());
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      return error("unreadable answer from the admin listener");
    }
  }

  @Command(name = "add", description = "Ban an address.")
  int add(
      @Parameters(paramLabel = "ADDRESS", description = "IPv4 or IPv6 address") String address,
      @Option(names = "--duration", defaultValue = "1h", description = "e.g. 15m, 24h (default 1h)")
          String duration,
      @Option(names = "--reason", description = "Why (logged with the ban)")
          @Nullable String reason) {
    ObjectNode body = JSON.createObjectNode();
    body.put("address", address);
    body.put("duration", duration);
    if (reason != null) {
      body.put("reason", reason);
    }
    HttpResponse<String> r = send("POST", "/bans", body.toString());
    if (r == null || r.statusCode() != 201) {
      return failed(r);
    }
    spec.commandLine().getOut().println("banned: " + r.body());
    spec.commandLine().getOut().flush();
    return 0;
  }

  @Command(name = "remove", description = "Lift the ban of an address.")
  int remove(@Parameters(paramLabel = "ADDRESS") String address) {
    HttpResponse<String> r =
        send("DELETE", "/bans/" + URLEncoder.encode(address, StandardCharsets.UTF_8), null);
    if (r == null || r.statusCode() != 200) {
      return failed(r);
    }
    spec.commandLine().getOut().println("unbanned: " + address);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private @Nullable HttpResponse<String> send(String method, String path, @Nullable String body) {
    String base = base();
    if (base == null) {
      return null;
    }
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
      if (body != null) {
        b.header("content-type", "application/json");
      }
      String token = config != null ? configToken : System.getenv("BULWARK_ADMIN_TOKEN");
      if (token != null && !token.isBlank()) {
        b.header("authorization", "Bearer " + token.strip());
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      return HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .build()
          .send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      error("cannot reach the admin listener at " + base + ": " + unreachable(e));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Says in words why the admin listener did not answer. */
  private static String unreachable(Exception e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused (is the gateway running, with listen.admin at this address?)";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "no answer within 10 seconds";
    }
    if (e instanceof IllegalArgumentException) {
      return "not a URL such as http://127.0.0.1:9090";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "the connection failed" : m;
  }

  private @Nullable String base() {
    if (admin != null) {
      return admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
    }
    Path file = config;
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
      return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.port();
    } catch (ConfigException e) {
      error(file + ": invalid configuration (run check-config)");
      return null;
    }
  }

  private int failed(@Nullable HttpResponse<String> r) {
    if (r == null) {
      return 1;
    }
    String message = r.body();
    try {
      message = JSON.readTree(r.body()).path("error").asText(r.body());
    } catch (IOException e) {
      // keep the raw body
    }
    if (r.statusCode() == 401) {
      message +=
          " (the admin listener asks for its token: set BULWARK_ADMIN_TOKEN, or give -c with the"
              + " file whose admin.token it uses)";
    }
    return error("refused (" + r.statusCode() + "): " + message);
  }

  private int error(String message) {
    spec.commandLine().getErr().println("bulwark bans: " + message);
    spec.commandLine().getErr().flush();
    return 1;
  }
}
