package dev.bulwark.policy.clientcert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.identity.SanPattern;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client-certificate stage against a fake exchange: each refusal and its reason. */
class ClientCertPolicyTest {
  static final String ORDERS = "spiffe://example.org/ns/prod/sa/orders";
  static final Issued CA = TestCertificates.ca("Clients CA");

  private final List<String> events = new ArrayList<>();

  private ClientCertPolicy policy(
      ClientCertConfig.Mode mode, List<SanPattern> allow, List<X509CRL> crls, int maxChain) {
    ClientCertConfig config =
        new ClientCertConfig(
            mode,
            null,
            List.of(CA.certificate()),
            allow,
            List.of(),
            crls,
            ClientCertConfig.Ocsp.OFF,
            maxChain);
    return new ClientCertPolicy(
        "orders", config, SecurityEvents.of(new SecurityLog(events::add)), Duration.ofMinutes(5));
  }

  private ClientCertPolicy required() {
    return policy(ClientCertConfig.Mode.REQUIRED, List.of(), List.of(), 2);
  }

  private static FakeExchange run(ClientCertPolicy p, X509Certificate... chain) {
    return FakeExchange.get("/orders/1").peerCertificates(chain).run(p);
  }

  private void refusedWith(FakeExchange fx, int status, String reason) {
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(status);
    assertThat(fx.attr(CertificateIdentity.KEY)).isNull();
    assertThat(events).singleElement().asString().contains("certificate-refused", reason);
  }

  @Test
  void aVerifiedCertificateBecomesTheRequestsIdentity() {
    Issued good = TestCertificates.client("orders", CA, "uri:" + ORDERS, "dns:orders.svc");
    FakeExchange fx = run(required(), good.certificate());
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    CertificateIdentity id = java.util.Objects.requireNonNull(fx.attr(CertificateIdentity.KEY));
    assertThat(id.principal()).isEqualTo(ORDERS);
    assertThat(id.dnsNames()).containsExactly("orders.svc");
    assertThat(events).isEmpty();
  }

  @Test
  void noCertificateIs496OnARequiredRouteAndNothingOnAnOptionalOne() {
    refusedWith(run(required()), 496, "no client certificate presented");
    FakeExchange optional = run(policy(ClientCertConfig.Mode.OPTIONAL, List.of(), List.of(), 2));
    assertThat(optional.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(optional.attr(CertificateIdentity.KEY)).isNull();
  }

  @Test
  void aBadCertificateIsRefusedOnAnOptionalRouteToo() {
    Issued foreign =
        TestCertificates.client("x", TestCertificates.ca("Clients CA"), "uri:" + ORDERS);
    refusedWith(
        run(policy(ClientCertConfig.Mode.OPTIONAL, List.of(), List.of(), 2), foreign.certificate()),
        495,
        "untrusted");
  }

  @Test
  void aSelfSignedCertificateCopyingTheCasNameIsUntrusted() {
    Issued impostor = TestCertificates.ca("Clients CA");
    refusedWith(run(required(), impostor.certificate()), 495, "untrusted");
  }

  @Test
  void notYetValidIsRefused() {
    Issued early =
        TestCertificates.issuedBy(
            "orders",
            CA,
            Instant.now().plus(Duration.ofDays(1)),
            Instant.now().plus(Duration.ofDays(30)),
            "uri:" + ORDERS);
    refusedWith(run(required(), early.certificate()), 495, "not yet valid");
  }

  @Test
  void aCrlRevokesOnlyTheCertificatesItLists() throws Exception {
    Issued good = TestCertificates.client("a", CA, "uri:" + ORDERS);
    Issued bad = TestCertificates.client("b", CA, "uri:" + ORDERS);
    Path file =
        TestCertificates.writeCrl(Files.createTempFile("crl", ".pem"), CA, bad.certificate());
    X509CRL crl;
    try (var in = Files.newInputStream(file)) {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    }
    ClientCertPolicy p = policy(ClientCertConfig.Mode.REQUIRED, List.of(), List.of(crl), 2);
    assertThat(run(p, good.certificate()).outcome()).isEqualTo(Outcome.PROCEEDED);
    refusedWith(run(p, bad.certificate()), 495, "revoked");
  }

  @Test
  void aCrlOfAnotherCaLeavesTheRevocationStatusUnknownAndRefuses() throws Exception {
    Issued other = TestCertificates.ca("Other CA");
    Path file = TestCertificates.writeCrl(Files.createTempFile("crl", ".pem"), other);
    X509CRL crl;
    try (var in = Files.newInputStream(file)) {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    }
    ClientCertPolicy p = policy(ClientCertConfig.Mode.REQUIRED, List.of(), List.of(crl), 2);
    Issued good = TestCertificates.client("a", CA, "uri:" + ORDERS);
    refusedWith(run(p, good.certificate()), 495, "revocation status unknown");
  }

  @Test
  void namesOutsideTheAllowListAreRefused() {
    ClientCertPolicy p =
        policy(
            ClientCertConfig.Mode.REQUIRED,
            List.of(new SanPattern(SanPattern.Kind.URI, "spiffe://example.org/ns/prod/sa/*")),
            List.of(),
            2);
    Issued other = TestCertificates.client("x", CA, "uri:spiffe://example.org/ns/dev/sa/orders");
    refusedWith(run(p, other.certificate()), 495, "name mismatch");
  }

  @Test
  void anIntermediateWithinMaxChainIsAcceptedAndOneBeyondIsRefused() {
    Issued intermediate = TestCertificates.issuedBy("Int", CA, true);
    Issued leaf = TestCertificates.client("orders", intermediate, "uri:" + ORDERS);
    assertThat(run(required(), leaf.certificate(), intermediate.certificate()).outcome())
        .isEqualTo(Outcome.PROCEEDED);
    refusedWith(
        run(
            policy(ClientCertConfig.Mode.REQUIRED, List.of(), List.of(), 1),
            leaf.certificate(),
            intermediate.certificate()),
        495,
        "longer than max-chain");
  }

  @Test
  void aLeafThatIsNotACaCannotIssueAnother() {
    Issued leaf = TestCertificates.client("orders", CA, "uri:" + ORDERS);
    Issued child = TestCertificates.client("child", leaf, "uri:" + ORDERS);
    refusedWith(run(required(), child.certificate(), leaf.certificate()), 495, "untrusted");
  }

  @Test
  void aFloodOfExtraCertificatesIsRefusedBeforeAnyPathIsBuilt() {
    Issued good = TestCertificates.client("orders", CA, "uri:" + ORDERS);
    X509Certificate[] chain = new X509Certificate[6];
    chain[0] = good.certificate();
    for (int i = 1; i < chain.length; i++) {
      chain[i] = TestCertificates.ca("noise " + i).certificate();
    }
    refusedWith(run(required(), chain), 495, "longer than max-chain");
  }
}
