package dev.bulwark.policy.clientcert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.ClientCertificateClients;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import dev.bulwark.testing.TestGateway;
import dev.bulwark.testing.TestOcspResponder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OCSP against a responder in the test suite that signs with the test CA: a good answer passes, a
 * revoked one is 495, and a responder that is down refuses under hard-fail and passes under
 * soft-fail. Each case uses a certificate of its own, since outcomes are remembered per chain.
 */
class ClientCertOcspTest {
  static final String ID = "spiffe://example.org/ns/prod/sa/orders";

  static Issued ca;
  static TestOcspResponder responder;
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("ocsp");
    ca = TestCertificates.ca("OCSP Clients CA");
    responder = new TestOcspResponder(ca);
    Path caFile = TestCertificates.writeChain(dir.resolve("ca.pem"), ca);
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            routes:
              - name: hard
                public: true
                match: { path: /hard/** }
                upstream: UPSTREAM
                client-cert: { mode: required, ca: %1$s, ocsp: hard-fail }
              - name: soft
                public: true
                match: { path: /soft/** }
                upstream: UPSTREAM
                client-cert: { mode: required, ca: %1$s, ocsp: soft-fail }
            """
                .formatted(caFile),
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
    responder.close();
  }

  @AfterEach
  void responderBackUp() {
    responder.down(false);
  }

  private static Issued fresh() {
    return TestCertificates.clientWithOcsp("orders", ca, responder.url(), "uri:" + ID);
  }

  private static HttpResponse<String> get(String path, Issued cert) throws Exception {
    HttpClient client =
        ClientCertificateClients.client(
            ClientCertificateClients.context(cert.keys().getPrivate(), cert.certificate()),
            HttpClient.Version.HTTP_1_1);
    return client.send(
        HttpRequest.newBuilder(URI.create(gw.url(path))).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aGoodAnswerPassesAndIsRemembered() throws Exception {
    Issued cert = fresh();
    int before = responder.asked();
    assertThat(get("/hard/1", cert).statusCode()).isEqualTo(200);
    upstream.next();
    assertThat(responder.asked()).isGreaterThan(before);
    int after = responder.asked();
    assertThat(get("/hard/2", cert).statusCode()).isEqualTo(200);
    upstream.next();
    assertThat(responder.asked()).as("the second request reuses the outcome").isEqualTo(after);
  }

  @Test
  void aRevokedAnswerIs495UnderBothModes() throws Exception {
    Issued cert = fresh();
    responder.revoke(cert.certificate().getSerialNumber());
    HttpResponse<String> hard = get("/hard/1", cert);
    assertThat(hard.statusCode()).isEqualTo(495);
    assertThat(gw.awaitLine("certificate-refused", hard.headers().firstValue("x-request-id").get()))
        .contains("revoked");
    assertThat(get("/soft/1", cert).statusCode()).isEqualTo(495);
  }

  @Test
  void aResponderThatIsDownRefusesUnderHardFailAndPassesUnderSoftFail() throws Exception {
    responder.down(true);
    HttpResponse<String> hard = get("/hard/1", fresh());
    assertThat(hard.statusCode()).isEqualTo(495);
    assertThat(gw.awaitLine("certificate-refused", hard.headers().firstValue("x-request-id").get()))
        .contains("revocation status unknown");
    assertThat(get("/soft/1", fresh()).statusCode()).isEqualTo(200);
    upstream.next();
  }
}
