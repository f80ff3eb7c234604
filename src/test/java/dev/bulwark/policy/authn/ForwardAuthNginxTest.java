package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The nginx configuration printed in docs/forward-auth.md, run against real nginx in front of a
 * stub backend, with a real gateway answering its auth_request subrequests.
 */
class ForwardAuthNginxTest {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  static final String GATEWAY =
      """
      trusted-proxies: [127.0.0.1/32]
      auth:
        issuers:
          test:
            issuer: https://id.test.example/
            audience: api
            algorithms: [ES256]
            keys: KEYFILE
      routes:
        - name: forward-auth
          match: { path: /.bulwark/forward-auth }
          serve: forward-auth
        - name: app-admin
          match: { path: /admin/** }
          upstream: UPSTREAM
          auth: { require: [ "role:admin" ] }
        - name: app-step-up
          match: { path: /secure/** }
          upstream: UPSTREAM
          auth: { require: [ mfa ] }
        - name: app-orgs
          match: { path: "/orgs/{org}/**" }
          upstream: UPSTREAM
          auth: { require: [ "member-of:{org}" ] }
        - name: app
          match: { path: /** }
          upstream: UPSTREAM
          public: true
      """;

  static String docsNginxBlock() throws Exception {
    String md = Files.readString(Path.of("docs/forward-auth.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```nginx\\n(.*?)```", Pattern.DOTALL).matcher(md);
    assertThat(m.find()).as("docs/forward-auth.md has an nginx block").isTrue();
    return m.group(1);
  }

  @Test
  void theDocumentedNginxConfigGuardsTheBackendThroughBulwark() throws Exception {
    assumeThat(Files.isExecutable(NGINX))
        .as("nginx is not installed (.ci/run installs it); skipping the forward-auth nginx test")
        .isTrue();
    Tokens tokens = new Tokens("fa");
    Path dir = Files.createTempDirectory("forward-auth-nginx");
    Files.createDirectories(dir.resolve("tmp"));
    try (StubUpstream backend = new StubUpstream();
        StubUpstream unused = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                GATEWAY.replace("KEYFILE", tokens.writePublicJwks(dir).toString()),
                unused.port())) {
      int port = freePort();
      String cert = TestGateway.certificate().certFile().toString();
      String server =
          docsNginxBlock()
              .replace("listen 443 ssl;", "listen 127.0.0.1:" + port + " ssl;")
              .replace("/etc/nginx/tls.crt", cert)
              .replace("/etc/nginx/tls.key", TestGateway.certificate().keyFile().toString())
              .replace("/etc/nginx/bulwark-ca.pem", cert)
              .replace("http://10.0.0.20:3000", "http://127.0.0.1:" + backend.port())
              .replace("https://bulwark.internal:8443", "https://127.0.0.1:" + gw.httpsPort())
              .replace("proxy_ssl_name bulwark.internal;", "proxy_ssl_name localhost;");
      String conf =
          """
          worker_processes 1;
          master_process off;
          daemon off;
          pid DIR/nginx.pid;
          error_log DIR/error.log warn;
          events { worker_connections 64; }
          http {
              access_log off;
              client_body_temp_path DIR/tmp;
              proxy_temp_path DIR/tmp;
              fastcgi_temp_path DIR/tmp;
              uwsgi_temp_path DIR/tmp;
              scgi_temp_path DIR/tmp;
          """
                  .replace("DIR", dir.toString())
              + server
              + "}\n";
      Path confFile = dir.resolve("nginx.conf");
      Files.writeString(confFile, conf);
      Process nginx =
          new ProcessBuilder(
                  NGINX.toString(),
                  "-e",
                  dir.resolve("error.log").toString(),
                  "-c",
                  confFile.toString(),
                  "-p",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(port)) {
          assertThat(nginx.isAlive() && System.nanoTime() < deadline)
              .as(
                  "nginx started: "
                      + (Files.exists(dir.resolve("error.log"))
                          ? Files.readString(dir.resolve("error.log"))
                          : ""))
              .isTrue();
          Thread.sleep(50);
        }
        String base = "https://localhost:" + port;
        String admin =
            tokens.es256(
                b ->
                    b.subject("ada")
                        .claim("roles", List.of("admin"))
                        .claim("orgs", List.of("acme")));
        String user = tokens.es256(b -> b.subject("bob").claim("orgs", List.of("globex")));

        assertThat(send(gw, base + "/admin/x", null).statusCode()).isEqualTo(401);
        assertThat(send(gw, base + "/admin/x", "not.a.token").statusCode()).isEqualTo(401);
        assertThat(send(gw, base + "/admin/x", user).statusCode()).isEqualTo(403);
        assertThat(send(gw, base + "/orgs/acme/x", user).statusCode()).isEqualTo(403);
        assertThat(send(gw, base + "/admin/../admin/x", user).statusCode()).isIn(400, 403);
        // RFC 9470 step-up: nginx hands the 401 and its challenge on to the client
        HttpResponse<String> stepUp = send(gw, base + "/secure/x", user);
        assertThat(stepUp.statusCode()).isEqualTo(401);
        assertThat(stepUp.headers().allValues("www-authenticate"))
            .singleElement()
            .asString()
            .contains("error=\"insufficient_user_authentication\"", "acr_values=\"mfa\"");
        assertThat(backend.poll(200)).isNull();

        HttpResponse<String> ok = send(gw, base + "/admin/x?q=1", admin);
        assertThat(ok.statusCode()).isEqualTo(200);
        StubUpstream.Received got = backend.next();
        assertThat(got.uri()).isEqualTo("/admin/x?q=1");
        assertThat(got.headers().get("x-bulwark-subject")).isEqualTo("ada");
        assertThat(got.headers().getAll("x-bulwark-subject")).hasSize(1);
        assertThat(got.headers().get("x-bulwark-roles")).isEqualTo("admin");
        assertThat(got.headers().get("x-bulwark-assertion")).isNotBlank();
        assertThat(got.headers().get("authorization")).isNull();

        assertThat(send(gw, base + "/orgs/globex/orders", user).statusCode()).isEqualTo(200);
        assertThat(backend.next().headers().get("x-bulwark-orgs")).isEqualTo("globex");

        // a public route: no token needed, and forged identity headers are removed
        HttpResponse<String> pub = send(gw, base + "/hello", null);
        assertThat(pub.statusCode()).isEqualTo(200);
        assertThat(backend.next().headers().get("x-bulwark-subject")).isNull();
        gw.awaitLine("\"route\":\"forward-auth\"", "\"subject\":\"ada\"");
      } finally {
        nginx.destroy();
        nginx.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void forwardAuthFromAnUntrustedPeerOrWithoutTheForwardedHeadersIs403() throws Exception {
    Tokens tokens = new Tokens("fa2");
    Path dir = Files.createTempDirectory("forward-auth");
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                GATEWAY
                    .replace("trusted-proxies: [127.0.0.1/32]", "trusted-proxies: [10.9.9.9/32]")
                    .replace("KEYFILE", tokens.writePublicJwks(dir).toString()),
                upstream.port())) {
      String admin = tokens.es256(b -> b.claim("roles", List.of("admin")));
      HttpResponse<String> r =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/.bulwark/forward-auth")))
                      .header("Authorization", "Bearer " + admin)
                      .header("X-Forwarded-Method", "GET")
                      .header("X-Forwarded-Uri", "/admin/x")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().firstValue("x-bulwark-subject")).isEmpty();
    }
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                GATEWAY.replace("KEYFILE", tokens.writePublicJwks(dir).toString()),
                upstream.port())) {
      String admin = tokens.es256(b -> b.claim("roles", List.of("admin")));
      HttpResponse<String> noUri =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/.bulwark/forward-auth")))
                      .header("Authorization", "Bearer " + admin)
                      .header("X-Forwarded-Method", "GET")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(noUri.statusCode()).isEqualTo(403);
      HttpResponse<String> ok =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/.bulwark/forward-auth")))
                      .header("Authorization", "Bearer " + admin)
                      .header("X-Forwarded-Method", "GET")
                      .header("X-Forwarded-Uri", "/admin/x")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-bulwark-subject")).hasValue("alice");
      assertThat(upstream.poll(200)).as("forward-auth never forwards").isNull();
    }
  }

  private static HttpResponse<String> send(
      TestGateway gw, String url, @org.jspecify.annotations.Nullable String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("X-Bulwark-Subject", "forged")
            .header("X-Bulwark-Roles", "admin");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
