package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstream TLS is verified by default: a custom CA works, an unknown CA or wrong name is a 502. */
class UpstreamTlsTest {
  static Vertx vertx;
  static HttpServer localhostUpstream;
  static HttpServer otherNameUpstream;
  static SelfSignedCertificate localhostCert;
  static TestGateway gw;

  static HttpServer tlsServer(SelfSignedCertificate cert) throws Exception {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertPath(cert.certFile().toString())
                        .setKeyPath(cert.keyFile().toString())))
        .requestHandler(req -> req.response().end("tls upstream saw host " + req.getHeader("host")))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    localhostCert =
        SelfSignedCertificate.generate(Files.createTempDirectory("up1"), List.of("localhost"));
    SelfSignedCertificate otherCert =
        SelfSignedCertificate.generate(Files.createTempDirectory("up2"), List.of("other.example"));
    localhostUpstream = tlsServer(localhostCert);
    otherNameUpstream = tlsServer(otherCert);
    int a = localhostUpstream.actualPort();
    int b = otherNameUpstream.actualPort();
    gw =
        TestGateway.start(
            """
            routes:
              - name: verified
                public: true
                match: { path: /verified/** }
                upstream: { url: "https://localhost:%1$d", ca: "%3$s" }
              - name: unknown-ca
                public: true
                match: { path: /unknown-ca/** }
                upstream: https://localhost:%1$d
              - name: wrong-name
                public: true
                match: { path: /wrong-name/** }
                upstream: { url: "https://localhost:%2$d", ca: "%4$s" }
              - name: skip-verify
                public: true
                match: { path: /skip/** }
                upstream: { url: "https://localhost:%2$d", insecure-skip-verify: true }
            """
                .formatted(a, b, localhostCert.certFile(), otherCert.certFile()),
            0);
  }

  @AfterAll
  static void stop() {
    gw.close();
    vertx.close();
  }

  @Test
  void upstreamWithTrustedCaAnswers() throws Exception {
    var r = gw.get("/verified/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo("tls upstream saw host localhost:" + localhostUpstream.actualPort());
  }

  @Test
  void upstreamWithUnknownCaIsRefused() throws Exception {
    assertThat(gw.get("/unknown-ca/x").statusCode()).isEqualTo(502);
  }

  @Test
  void upstreamWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
    assertThat(gw.get("/wrong-name/x").statusCode()).isEqualTo(502);
  }

  @Test
  void verificationOffIsExplicitAndWorks() throws Exception {
    assertThat(gw.get("/skip/x").statusCode()).isEqualTo(200);
  }
}
