package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.Problem;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Reload: atomic swap, in-flight requests finish on the old config, broken files are refused. */
class ReloadTest {
  private static final String ROUTE_A =
      "routes:\n  - name: a\n    match: { path: /a/** }\n    upstream: UPSTREAM\n    public: true\n";
  private static final String ROUTE_B =
      "routes:\n  - name: b\n    match: { path: /b/** }\n    upstream: UPSTREAM\n    public: true\n";

  @Test
  void reloadSwapsRoutesAndRefusesABrokenFile() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE_A, upstream.port())) {
      assertThat(gw.get("/a/1").statusCode()).isEqualTo(200);
      Files.writeString(gw.configFile(), TestGateway.yaml(ROUTE_B, upstream.port()));
      List<Problem> problems = gw.gateway().reload();
      assertThat(problems).allMatch(p -> p.severity() == Problem.Severity.WARNING);
      assertThat(gw.get("/b/1").statusCode()).isEqualTo(200);
      assertThat(gw.get("/a/1").statusCode()).isEqualTo(404);

      Files.writeString(
          gw.configFile(),
          TestGateway.yaml(
              ROUTE_A.replace("path: /a/**", "path: a-without-slash"), upstream.port()));
      assertThat(gw.gateway().reload())
          .anyMatch(
              p ->
                  p.severity() == Problem.Severity.ERROR
                      && p.path().equals("routes[0].match.path"));
      assertThat(gw.get("/b/1").statusCode())
          .as("the old configuration keeps serving")
          .isEqualTo(200);
      assertThat(gw.gateway().metrics().scrape())
          .contains("bulwark_config_reload_failures_total 1.0");
    }
  }

  @Test
  void inFlightRequestFinishesOnTheOldConfiguration() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE_A, upstream.port())) {
      upstream.on("/a/slow", req -> gwTimer(() -> req.response().end("slow")));
      CompletableFuture<HttpResponse<String>> inFlight =
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(URI.create(gw.url("/a/slow")))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      upstream.next();
      Files.writeString(gw.configFile(), TestGateway.yaml(ROUTE_B, upstream.port()));
      gw.gateway().reload();
      HttpResponse<String> r = inFlight.get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow");
      gw.awaitLine("\"route\":\"a\"", "\"path\":\"/a/slow\"", "\"status\":200");
    }
  }

  private static void gwTimer(Runnable r) {
    CompletableFuture.delayedExecutor(500, java.util.concurrent.TimeUnit.MILLISECONDS).execute(r);
  }

  @Test
  void fileChangeTriggersReload() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE_A, upstream.port())) {
      gw.gateway().watch(Duration.ofMillis(100));
      Files.writeString(gw.configFile(), TestGateway.yaml(ROUTE_B, upstream.port()));
      awaitStatus(gw, "/b/1", 200);
    }
  }

  @Test
  void sighupTriggersReloadWithTheFileWatcherOff() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE_A, upstream.port())) {
      // What `bulwark run --no-watch` does: SIGHUP is handled, the files are not polled within the
      // test, so only the signal can bring route b in.
      gw.gateway().watch(Duration.ofDays(3650));
      Files.writeString(gw.configFile(), TestGateway.yaml(ROUTE_B, upstream.port()));
      new ProcessBuilder("kill", "-HUP", String.valueOf(ProcessHandle.current().pid()))
          .start()
          .waitFor();
      awaitStatus(gw, "/b/1", 200);
      assertThat(gw.get("/a/1").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void certificateFilesAreReloadedForNewConnections() throws Exception {
    try (StubUpstream upstream = new StubUpstream()) {
      java.nio.file.Path certDir = Files.createTempDirectory("c1");
      SelfSignedCertificate first = SelfSignedCertificate.generate(certDir, List.of("localhost"));
      String yaml =
          TestGateway.yaml(ROUTE_A, upstream.port())
              .replace(TestGateway.certificate().certFile().toString(), first.certFile().toString())
              .replace(TestGateway.certificate().keyFile().toString(), first.keyFile().toString());
      try (TestGateway gw = TestGateway.startYaml(yaml)) {
        BigInteger before = servedSerial(gw);
        assertThat(before).isEqualTo(first.certificate().getSerialNumber());
        SelfSignedCertificate second =
            SelfSignedCertificate.generate(certDir, List.of("localhost"));
        gw.gateway().reload();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        BigInteger after = servedSerial(gw);
        while (after.equals(before) && System.nanoTime() < deadline) {
          Thread.sleep(100);
          after = servedSerial(gw);
        }
        assertThat(after).isEqualTo(second.certificate().getSerialNumber());
      }
    }
  }

  private static BigInteger servedSerial(TestGateway gw) throws Exception {
    try (SSLSocket s = gw.rawSocketTrustingAll()) {
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static void awaitStatus(TestGateway gw, String path, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = gw.get(path).statusCode();
      if (last == status) {
        return;
      }
      Thread.sleep(100);
    }
    assertThat(last).as(path).isEqualTo(status);
  }
}
