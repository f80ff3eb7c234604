package dev.bulwark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A Vault server for tests (no Vault is installable on the build machines) that follows Vault's
 * documented HTTP API for what the gateway uses, over real TLS with a test CA: KV v2 secrets with
 * versions and metadata ({@code GET /v1/<mount>/data/<path>}, {@code ?version=}, {@code
 * /v1/<mount>/metadata/<path>}), token lookup and renewal with TTLs and a max TTL ({@code
 * /v1/auth/token/lookup-self}, {@code /v1/auth/token/renew-self}), and AppRole and Kubernetes login
 * ({@code /v1/auth/<mount>/login}), and the transit engine (see {@link TransitEngine}). Errors are
 * Vault's shape: {@code {"errors": [...]}} with 400, 403 or 404. Faults for hostile tests: a fixed
 * status for every request, a delay, denied paths.
 */
public final class TestVault implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One token: when it ends, whether it renews, and when no renewal can extend it. */
  private record Token(Instant expires, Duration ttl, boolean renewable, Instant maxExpires) {}

  /** One version of a secret: its fields, when it was written, and whether it is deleted. */
  private record Version(ObjectNode data, Instant created, boolean deleted) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Path caFile;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
  private final Map<String, String> approles = new ConcurrentHashMap<>();
  private final Map<String, String> kubernetesRoles = new ConcurrentHashMap<>();
  private final Set<String> mounts = new CopyOnWriteArraySet<>(Set.of("secret"));
  private final Set<String> denied = new CopyOnWriteArraySet<>();
  private final TransitEngine transit = new TransitEngine();
  private final AtomicInteger logins = new AtomicInteger();
  private final AtomicInteger renewals = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private volatile Duration loginTtl = Duration.ofHours(1);
  private volatile Duration maxTtl = Duration.ofHours(24);
  private volatile int failWith;
  private volatile Duration delay = Duration.ZERO;
  private volatile @Nullable String lastKubernetesJwt;

  private TestVault(Path dir) throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca("Test Vault CA");
    TestCertificates.Issued leaf = TestCertificates.issuedBy("localhost", ca, false);
    this.caFile = ca.writeCertificate(dir.resolve("vault-ca.pem"));
    Path cert = leaf.writeCertificate(dir.resolve("vault.crt"));
    Path key = leaf.writeKey(dir.resolve("vault.key"));
    this.server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(cert.toString())
                            .setKeyPath(key.toString())))
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  /** Starts a server whose CA, certificate and key are written to {@code dir}. */
  public static TestVault start(Path dir) throws Exception {
    return new TestVault(dir);
  }

  /** Returns {@code https://127.0.0.1:<port>}. */
  public String address() {
    return "https://127.0.0.1:" + server.actualPort();
  }

  /** Returns the PEM file of the CA that issued the server's certificate. */
  public Path caFile() {
    return caFile;
  }

  /** Creates a token that ends after {@code ttl} (never when zero) and returns it. */
  public String token(Duration ttl, boolean renewable) {
    String id = "hvs." + UUID.randomUUID();
    Instant now = Instant.now();
    tokens.put(
        id,
        new Token(ttl.isZero() ? Instant.MAX : now.plus(ttl), ttl, renewable, now.plus(maxTtl)));
    return id;
  }

  /** Accepts {@code id} as a token that never ends (a token written in a file by an operator). */
  public void acceptToken(String id) {
    tokens.put(id, new Token(Instant.MAX, Duration.ZERO, false, Instant.MAX));
  }

  /** Ends a token now (as if revoked, or its TTL ran out). */
  public void expire(String token) {
    tokens.computeIfPresent(
        token,
        (k, t) -> new Token(Instant.now().minusSeconds(1), t.ttl(), t.renewable(), t.maxExpires()));
  }

  /** Ends every token now. */
  public void expireAll() {
    tokens.keySet().forEach(this::expire);
  }

  /** Accepts an AppRole login with these ids. */
  public void approle(String roleId, String secretId) {
    approles.put(roleId, secretId);
  }

  /** Accepts a Kubernetes login for {@code role} with this service-account token. */
  public void kubernetes(String role, String jwt) {
    kubernetesRoles.put(role, jwt);
  }

  /** Sets the TTL of tokens that logins make, and the max TTL of every new token. */
  public void ttls(Duration login, Duration max) {
    this.loginTtl = login;
    this.maxTtl = max;
  }

  /** Writes a new version of the secret at {@code mount/data/path}. */
  public void put(String mount, String path, Map<String, ?> fields) {
    mounts.add(mount);
    ObjectNode data = JSON.valueToTree(fields);
    secrets
        .computeIfAbsent(mount + "/" + path, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(new Version(data, Instant.now(), false));
  }

  /** Soft-deletes the current version of a secret (KV v2 delete). */
  public void deleteCurrent(String mount, String path) {
    List<Version> v = secrets.get(mount + "/" + path);
    if (v != null && !v.isEmpty()) {
      Version last = v.get(v.size() - 1);
      v.set(v.size() - 1, new Version(last.data(), last.created(), true));
    }
  }

  /** Creates the transit key {@code mount/name} (a no-op when it exists). */
  public void transitKey(String mount, String name) {
    transit.create(mount, name);
  }

  /** Rotates a transit key: a new latest version; older ciphertexts still decrypt. */
  public void rotateTransitKey(String mount, String name) {
    transit.rotate(mount, name);
  }

  /** Deletes a transit key and all its versions. */
  public void deleteTransitKey(String mount, String name) {
    transit.delete(mount, name);
  }

  /** Returns the latest version of a transit key, 0 when there is none. */
  public int transitVersion(String mount, String name) {
    return transit.latest(mount, name);
  }

  /** Returns how many transit decryptions succeeded. */
  public int transitDecrypts() {
    return transit.decrypts();
  }

  /** Answers 403 to requests under the API path {@code prefix} (KV reads and transit calls). */
  public void deny(String apiPathPrefix) {
    denied.add(apiPathPrefix);
  }

  /** Answers every request with this status (0 to answer normally). */
  public void failWith(int status) {
    this.failWith = status;
  }

  /** Delays every answer. */
  public void delay(Duration d) {
    this.delay = d;
  }

  /** Returns how many logins succeeded. */
  public int logins() {
    return logins.get();
  }

  /** Returns how many renewals succeeded. */
  public int renewals() {
    return renewals.get();
  }

  /** Returns how many KV reads were answered with a secret. */
  public int reads() {
    return reads.get();
  }

  /** Returns the service-account token of the last Kubernetes login. */
  public @Nullable String lastKubernetesJwt() {
    return lastKubernetesJwt;
  }

  private void handle(HttpServerRequest req) {
    req.body()
        .onComplete(
            body -> {
              Runnable answer =
                  () -> {
                    try {
                      route(req, body.succeeded() ? body.result().toString() : "");
                    } catch (RuntimeException e) {
                      error(req, 500, "internal error");
                    }
                  };
              if (delay.isZero()) {
                answer.run();
              } else {
                vertx.setTimer(delay.toMillis(), t -> answer.run());
              }
            });
  }

  private void route(HttpServerRequest req, String body) {
    if (failWith != 0) {
      error(req, failWith, failWith == 403 ? "permission denied" : "Vault is sealed");
      return;
    }
    String path = req.path();
    if (!path.startsWith("/v1/")) {
      error(req, 404, "no handler for route");
      return;
    }
    String api = path.substring(4);
    JsonNode json = parse(body);
    if (req.method().name().equals("POST") && api.startsWith("auth/") && api.endsWith("/login")) {
      login(req, api.substring(5, api.length() - 6), json);
      return;
    }
    Token token = tokens.get(String.valueOf(req.getHeader("X-Vault-Token")));
    if (token == null || token.expires().isBefore(Instant.now())) {
      error(req, 403, "permission denied");
      return;
    }
    String id = req.getHeader("X-Vault-Token");
    for (String d : denied) {
      if (api.startsWith(d)) {
        error(req, 403, "permission denied");
        return;
      }
    }
    TransitEngine.Answer t = transit.handle(req.method().name(), api, json);
    if (t != null) {
      if (t.status() == 204) {
        req.response().setStatusCode(204).end();
      } else {
        send(req, t.status(), t.body());
      }
      return;
    }
    switch (api) {
      case "auth/token/lookup-self" -> {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode data = out.putObject("data");
        data.put("ttl", token.ttl().isZero() ? 0 : remaining(token));
        data.put("renewable", token.renewable());
        data.putArray("policies").add("bulwark");
        send(req, 200, out);
      }
      case "auth/token/renew-self" -> renew(req, id, token);
      default -> read(req, api);
    }
  }

  private void login(HttpServerRequest req, String mount, JsonNode json) {
    if (mount.equals("approle")) {
      String secret = approles.get(json.path("role_id").asText(""));
      if (secret == null || !secret.equals(json.path("secret_id").asText(""))) {
        error(req, 400, "invalid role or secret ID");
        return;
      }
    } else if (mount.equals("kubernetes")) {
      String jwt = kubernetesRoles.get(json.path("role").asText(""));
      lastKubernetesJwt = json.path("jwt").asText("");
      if (jwt == null || !jwt.equals(json.path("jwt").asText(""))) {
        error(req, 403, "permission denied");
        return;
      }
    } else {
      error(req, 404, "no handler for route \"auth/" + mount + "/login\"");
      return;
    }
    logins.incrementAndGet();
    String id = token(loginTtl, true);
    send(req, 200, auth(id, loginTtl.toSeconds(), true));
  }

  private void renew(HttpServerRequest req, String id, Token token) {
    if (!token.renewable()) {
      error(req, 400, "lease is not renewable");
      return;
    }
    Instant now = Instant.now();
    Instant until = now.plus(token.ttl());
    if (until.isAfter(token.maxExpires())) {
      until = token.maxExpires();
    }
    tokens.put(id, new Token(until, token.ttl(), true, token.maxExpires()));
    renewals.incrementAndGet();
    send(req, 200, auth(id, Math.max(0, Duration.between(now, until).toSeconds()), true));
  }

  private void read(HttpServerRequest req, String api) {
    int data = api.indexOf("/data/");
    int meta = api.indexOf("/metadata/");
    boolean metadata = meta >= 0 && (data < 0 || meta < data);
    int at = metadata ? meta : data;
    if (at <= 0) {
      error(req, 404, "no handler for route \"" + api + "\"");
      return;
    }
    String mount = api.substring(0, at);
    String path = api.substring(at + (metadata ? 10 : 6));
    if (!mounts.contains(mount)) {
      error(req, 404, "no handler for route \"" + api + "\"");
      return;
    }
    for (String d : denied) {
      if (api.startsWith(d)) {
        error(req, 403, "permission denied");
        return;
      }
    }
    List<Version> versions = secrets.get(mount + "/" + path);
    if (versions == null || versions.isEmpty()) {
      send(req, 404, errors());
      return;
    }
    if (metadata) {
      ObjectNode out = JSON.createObjectNode();
      ObjectNode d = out.putObject("data");
      d.put("current_version", versions.size());
      d.put("oldest_version", 1);
      ObjectNode vs = d.putObject("versions");
      for (int i = 0; i < versions.size(); i++) {
        ObjectNode v = vs.putObject(String.valueOf(i + 1));
        v.put("created_time", versions.get(i).created().toString());
        v.put("deletion_time", versions.get(i).deleted() ? Instant.now().toString() : "");
        v.put("destroyed", false);
      }
      send(req, 200, out);
      return;
    }
    int number = versions.size();
    String wanted = req.getParam("version");
    if (wanted != null && wanted.matches("\\d+") && !wanted.equals("0")) {
      number = Integer.parseInt(wanted);
      if (number > versions.size()) {
        send(req, 404, errors());
        return;
      }
    }
    Version v = versions.get(number - 1);
    ObjectNode out = JSON.createObjectNode();
    out.put("lease_duration", 0);
    out.put("renewable", false);
    ObjectNode d = out.putObject("data");
    if (v.deleted()) {
      d.putNull("data");
    } else {
      d.set("data", v.data());
    }
    ObjectNode m = d.putObject("metadata");
    m.put("created_time", v.created().toString());
    m.put("deletion_time", v.deleted() ? Instant.now().toString() : "");
    m.put("destroyed", false);
    m.put("version", number);
    reads.incrementAndGet();
    // Vault answers a deleted version with 404 and the metadata in the body.
    send(req, v.deleted() ? 404 : 200, out);
  }

  private static long remaining(Token t) {
    return Math.max(0, Duration.between(Instant.now(), t.expires()).toSeconds());
  }

  private static ObjectNode auth(String id, long leaseSeconds, boolean renewable) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode auth = out.putObject("auth");
    auth.put("client_token", id);
    auth.put("accessor", UUID.randomUUID().toString());
    auth.putArray("policies").add("bulwark");
    auth.put("lease_duration", leaseSeconds);
    auth.put("renewable", renewable);
    return out;
  }

  private static ObjectNode errors(String... messages) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("errors");
    for (String m : messages) {
      list.add(m);
    }
    return out;
  }

  private static void error(HttpServerRequest req, int status, String message) {
    send(req, status, errors(message));
  }

  private static void send(HttpServerRequest req, int status, ObjectNode body) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode n = body.isEmpty() ? null : JSON.readTree(body);
      return n == null ? JSON.createObjectNode() : n;
    } catch (java.io.IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** Returns the tokens made so far (for tests that check which one the gateway holds). */
  public List<String> tokens() {
    return new ArrayList<>(tokens.keySet());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
