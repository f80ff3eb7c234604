package dev.bulwark.policy.authn;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.CertificateIdentity;
import java.util.function.Consumer;

/**
 * Takes the client certificate that the route's client-certificate stage verified as the request's
 * credential: the caller is the certificate's first URI, DNS or email name (else its subject),
 * vouched for by {@code client-cert}. A certificate on a route that does not ask for one was never
 * verified, so it is no credential here.
 */
final class ClientCertificateProvider implements CredentialProvider {
  private static final Denial MISSING =
      Denial.of(401, "unauthorized", "no verified client certificate");

  @Override
  public String name() {
    return "client-cert";
  }

  @Override
  public String challenge() {
    return ""; // TLS client authentication has no HTTP challenge
  }

  @Override
  public Denial missing() {
    return MISSING;
  }

  @Override
  public void authenticate(Exchange exchange, Consumer<Verdict> done) {
    CertificateIdentity c = exchange.attr(CertificateIdentity.KEY);
    done.accept(c == null ? Verdict.notMine() : new Verdict.Authenticated(c.caller()));
  }
}
