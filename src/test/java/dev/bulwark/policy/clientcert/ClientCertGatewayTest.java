package dev.bulwark.policy.clientcert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.testing.ClientCertificateClients;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client certificates over real TLS, HTTP/1.1 and HTTP/2 alike: routes share one listener that
 * requests a certificate and never fails the handshake for it; each route that asks verifies the
 * chain itself and answers 496 (none) or 495 (refused) as JSON, with a security event.
 */
class ClientCertGatewayTest {
  static final String ORDERS = "spiffe://example.org/ns/prod/sa/orders";

  static StubUpstream upstream;
  static TestGateway gw;
  static Issued ca;
  static Issued good;
  static Issued otherCa;
  static Issued foreign;
  static Issued expired;
  static Issued revoked;
  static Issued wrongName;
  static Issued intermediate;
  static Issued deepIntermediate;
  static Issued deep;
  static Issued billing;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("mtls");
    ca = TestCertificates.ca("Clients CA");
    otherCa = TestCertificates.ca("Clients CA"); // same name, another key
    good = TestCertificates.client("orders", ca, "uri:" + ORDERS);
    billing = TestCertificates.client("billing", ca, "uri:spiffe://example.org/ns/prod/sa/billing");
    foreign = TestCertificates.client("orders", otherCa, "uri:" + ORDERS);
    expired =
        TestCertificates.issuedBy(
            "orders",
            ca,
            Instant.now().minus(Duration.ofDays(30)),
            Instant.now().minus(Duration.ofDays(1)),
            "uri:" + ORDERS);
    revoked = TestCertificates.client("orders", ca, "uri:" + ORDERS);
    wrongName = TestCertificates.client("intruder", ca, "uri:spiffe://evil.example/ns/prod/sa/x");
    intermediate = TestCertificates.issuedBy("Int 1", ca, true);
    deepIntermediate = TestCertificates.issuedBy("Int 2", intermediate, true);
    deep = TestCertificates.client("orders", deepIntermediate, "uri:" + ORDERS);
    Path caFile = TestCertificates.writeChain(dir.resolve("clients-ca.pem"), ca);
    Path crl = TestCertificates.writeCrl(dir.resolve("clients.crl"), ca, revoked.certificate());
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            routes:
              - name: orders
                match: { path: /orders/** }
                upstream: UPSTREAM
                public: true
                client-cert:
                  mode: required
                  ca: %1$s
                  allow: { san-uri: ["spiffe://example.org/ns/prod/sa/*"] }
                  crl: %2$s
                  max-chain: 2
              - name: rules
                match: { path: /rules/** }
                upstream: UPSTREAM
                client-cert: { mode: required, ca: %1$s }
                auth: { require: [ "san-uri:%3$s" ] }
              - name: open
                match: { path: /open/** }
                upstream: UPSTREAM
                public: true
            """
                .formatted(caFile, crl, ORDERS),
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  private static HttpResponse<String> get(
      HttpClient.Version version, String path, Issued cert, X509Certificate... extra)
      throws Exception {
    return get(version, path, Map.of(), cert, extra);
  }

  private static HttpResponse<String> get(
      HttpClient.Version version,
      String path,
      Map<String, String> headers,
      Issued cert,
      X509Certificate... extra)
      throws Exception {
    X509Certificate[] chain = new X509Certificate[extra.length + 1];
    chain[0] = cert.certificate();
    System.arraycopy(extra, 0, chain, 1, extra.length);
    SSLContext ssl = ClientCertificateClients.context(cert.keys().getPrivate(), chain);
    return send(ClientCertificateClients.client(ssl, version), path, headers);
  }

  private static HttpResponse<String> getWithout(HttpClient.Version version, String path)
      throws Exception {
    SSLContext ssl = ClientCertificateClients.context(null);
    return send(ClientCertificateClients.client(ssl, version), path, Map.of());
  }

  private static HttpResponse<String> send(
      HttpClient client, String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gw.url(path))).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void refused(HttpResponse<String> r, int status, String error, String reason)
      throws InterruptedException {
    assertThat(r.statusCode()).isEqualTo(status);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(r.body())
        .contains("\"error\":\"" + error + "\"", "\"status\":" + status, "\"requestId\":\"" + id);
    assertThat(gw.awaitLine("\"event\":\"certificate-refused\"", id)).contains(reason);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void verifiedCertificateReachesTheUpstreamOnlyInsideTheSignedAssertion(HttpClient.Version v)
      throws Exception {
    HttpResponse<String> r =
        get(
            v,
            "/orders/1",
            Map.of(
                "X-Forwarded-Client-Cert", "By=spiffe://example.org/ns/prod/sa/admin",
                "Client-Cert", ":Zm9yZ2Vk:",
                "X-Bulwark-Subject", "admin"),
            good);
    assertThat(r.statusCode()).isEqualTo(200);
    StubUpstream.Received seen = upstream.next();
    assertThat(seen.headers().get("x-forwarded-client-cert")).isNull();
    assertThat(seen.headers().get("client-cert")).isNull();
    assertThat(seen.headers().get("x-bulwark-subject")).isEqualTo(ORDERS);
    SignedJWT assertion = SignedJWT.parse(seen.headers().get("x-bulwark-assertion"));
    assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo(ORDERS);
    assertThat(assertion.getJWTClaimsSet().getStringClaim("idp")).isEqualTo("client-cert");
    assertThat(assertion.getJWTClaimsSet().getJSONObjectClaim("cert"))
        .containsEntry("san-uri", java.util.List.of(ORDERS));
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void noCertificateOnARequiredRouteIs496(HttpClient.Version v) throws Exception {
    refused(getWithout(v, "/orders/1"), 496, "certificate required", "no client certificate");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void certificateOfAnotherCaIs495(HttpClient.Version v) throws Exception {
    refused(get(v, "/orders/1", foreign), 495, "certificate error", "untrusted");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void expiredCertificateIs495(HttpClient.Version v) throws Exception {
    refused(get(v, "/orders/1", expired), 495, "certificate error", "expired");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void certificateRevokedByTheCrlIs495(HttpClient.Version v) throws Exception {
    refused(get(v, "/orders/1", revoked), 495, "certificate error", "revoked");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void certificateWhoseNameIsNotAllowedIs495(HttpClient.Version v) throws Exception {
    refused(get(v, "/orders/1", wrongName), 495, "certificate error", "name mismatch");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void chainLongerThanMaxChainIs495(HttpClient.Version v) throws Exception {
    refused(
        get(
            v,
            "/orders/1",
            deep,
            deepIntermediate.certificate(),
            intermediate.certificate(),
            ca.certificate()),
        495,
        "certificate error",
        "longer than max-chain");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void certificateOnARouteThatDoesNotAskIsNoIdentity(HttpClient.Version v) throws Exception {
    HttpResponse<String> r =
        get(v, "/open/1", Map.of("X-Bulwark-Assertion", "forged.jwt.value"), good);
    assertThat(r.statusCode()).isEqualTo(200);
    StubUpstream.Received seen = upstream.next();
    assertThat(seen.headers().get("x-bulwark-assertion")).isNull();
    assertThat(seen.headers().get("x-bulwark-subject")).isNull();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void routeRulesReadTheCertificateNames(HttpClient.Version v) throws Exception {
    assertThat(get(v, "/rules/1", good).statusCode()).isEqualTo(200);
    upstream.next();
    HttpResponse<String> other = get(v, "/rules/1", billing);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(upstream.poll(200)).isNull();
    refused(getWithout(v, "/rules/1"), 496, "certificate required", "no client certificate");
  }

  /**
   * Runs on the listener's default engine (BoringSSL here). The JDK engine refuses renegotiation
   * only with jdk.tls.rejectClientInitiatedRenegotiation, which Main sets before JSSE loads and
   * this test JVM does not: there this test fails, as it must.
   */
  @Test
  void aClientCannotRenegotiateToPresentACertificateLater() throws Exception {
    SSLContext ssl = ClientCertificateClients.context(good.keys().getPrivate(), good.certificate());
    try (SSLSocket s =
        (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", gw.httpsPort())) {
      s.setSoTimeout(5000);
      s.setEnabledProtocols(new String[] {"TLSv1.2"}); // TLS 1.3 has no renegotiation at all
      s.startHandshake();
      String request = "GET /orders/1 HTTP/1.1\r\nHost: localhost\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      assertThat(readHead(s)).startsWith("HTTP/1.1 200");
      upstream.next();
      assertThatThrownBy(
              () -> {
                s.startHandshake(); // a client-initiated renegotiation
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String head = readHead(s);
                if (head.isEmpty()) {
                  throw new java.io.EOFException("closed");
                }
              })
          .isInstanceOf(java.io.IOException.class);
    }
  }

  private static String readHead(SSLSocket s) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    var in = s.getInputStream();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    String head = sb.toString();
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return head;
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void routesWithoutCertificatesStillServeClientsWithoutOne(HttpClient.Version v) throws Exception {
    assertThat(getWithout(v, "/open/1").statusCode()).isEqualTo(200);
    upstream.next();
  }
}
