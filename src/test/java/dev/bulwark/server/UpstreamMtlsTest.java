package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS to upstreams: the gateway presents the route's client certificate to an upstream that
 * requires one, checks the upstream's certificate against the pinned SANs beyond its host name
 * (another SAN is a 502 JSON and an event), and presents a renewed certificate once its files
 * change.
 */
class UpstreamMtlsTest {
  static final String BACKEND = "spiffe://example.org/ns/prod/sa/backend";

  static Vertx vertx;
  static HttpServer upstream;
  static Path dir;
  static Path clientCert;
  static Path clientKey;
  static Issued gatewayClient;
  static Issued clientsCa;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("upstream-mtls");
    Issued serverCa = TestCertificates.ca("Backend CA");
    Issued server = TestCertificates.client("backend", serverCa, "dns:localhost", "uri:" + BACKEND);
    clientsCa = TestCertificates.ca("Gateway Clients CA");
    gatewayClient =
        TestCertificates.client("gateway", clientsCa, "uri:spiffe://example.org/gateway");
    Path serverCaFile = TestCertificates.writeChain(dir.resolve("backend-ca.pem"), serverCa);
    Path clientsCaFile = TestCertificates.writeChain(dir.resolve("clients-ca.pem"), clientsCa);
    upstream =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setClientAuth(ClientAuth.REQUIRED)
                    .setTrustOptions(new PemTrustOptions().addCertPath(clientsCaFile.toString()))
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(
                                server.writeCertificate(dir.resolve("server.pem")).toString())
                            .setKeyPath(server.writeKey(dir.resolve("server.key")).toString())))
            .requestHandler(
                req -> {
                  String who;
                  try {
                    who =
                        ((X509Certificate) req.connection().sslSession().getPeerCertificates()[0])
                            .getSubjectX500Principal()
                            .getName();
                  } catch (SSLPeerUnverifiedException e) {
                    who = "nobody";
                  }
                  req.response().end("upstream saw " + who);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    clientCert = gatewayClient.writeCertificate(dir.resolve("gateway.pem"));
    clientKey = gatewayClient.writeKey(dir.resolve("gateway.key"));
    int port = upstream.actualPort();
    gw =
        TestGateway.start(
            """
            routes:
              - name: mtls
                public: true
                match: { path: /mtls/** }
                upstream:
                  url: "https://localhost:%1$d"
                  ca: "%2$s"
                  client-cert: "%3$s"
                  client-key: "%4$s"
                  san: ["%5$s"]
              - name: no-client-cert
                public: true
                match: { path: /plain/** }
                upstream: { url: "https://localhost:%1$d", ca: "%2$s" }
              - name: other-san
                public: true
                match: { path: /other/** }
                upstream:
                  url: "https://localhost:%1$d"
                  ca: "%2$s"
                  client-cert: "%3$s"
                  client-key: "%4$s"
                  san: ["spiffe://example.org/ns/prod/sa/payments", "payments.internal"]
            """
                .formatted(port, serverCaFile, clientCert, clientKey, BACKEND),
            0);
  }

  @AfterAll
  static void stop() {
    gw.close();
    vertx.close();
  }

  @Test
  void theGatewayPresentsItsClientCertificateToTheUpstream() throws Exception {
    HttpResponse<String> r = gw.get("/mtls/x");
    assertThat(r.statusCode()).isEqualTo(200);
    // CN=gateway, or CN=gateway-renewed once the renewal test has run
    assertThat(r.body()).startsWith("upstream saw CN=gateway");
  }

  @Test
  void anUpstreamThatRequiresACertificateRefusesARouteWithoutOne() throws Exception {
    assertThat(gw.get("/plain/x").statusCode()).isEqualTo(502);
  }

  @Test
  void anUpstreamCertificateForAnotherSanIs502WithAnEvent() throws Exception {
    HttpResponse<String> r = gw.get("/other/x");
    assertThat(r.statusCode()).isEqualTo(502);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(r.body()).contains("\"error\":\"bad gateway\"", "\"requestId\":\"" + id);
    assertThat(gw.awaitLine("\"event\":\"upstream-failure\"", id)).contains("pinned san");
  }

  @Test
  void aRenewedClientCertificateIsPresentedAfterItsFilesChange() throws Exception {
    gw.gateway().watch(Duration.ofMillis(100), Duration.ofSeconds(5));
    Issued renewed =
        TestCertificates.client("gateway-renewed", clientsCa, "uri:spiffe://example.org/gateway");
    renewed.writeKey(clientKey);
    renewed.writeCertificate(clientCert);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String body = "";
    while (System.nanoTime() < deadline) {
      body = gw.get("/mtls/x").body();
      if (body.equals("upstream saw CN=gateway-renewed")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(body).isEqualTo("upstream saw CN=gateway-renewed");
  }
}
