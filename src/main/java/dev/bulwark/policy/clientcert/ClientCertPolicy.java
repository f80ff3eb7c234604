package dev.bulwark.policy.clientcert;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Verifies the client certificate of a route that asks for one, per route since every route shares
 * the HTTPS listener (which requests a certificate and never fails the handshake for it): no
 * certificate on a {@code required} route is 496, a certificate that does not verify is 495 (also
 * on an {@code optional} route), each with a security event; a verified certificate becomes the
 * request's {@link CertificateIdentity}. Outcomes are remembered per presented chain for a few
 * minutes (never past the certificate's expiry), so steady traffic costs no validation.
 */
public final class ClientCertPolicy implements Policy {
  static final Denial REQUIRED =
      Denial.of(496, "certificate required", "no client certificate presented");
  private static final Denial BUSY =
      Denial.of(503, "service unavailable", "certificate revocation checks are saturated");

  /**
   * OCSP waits on the network: at most four checks at once, off the event loops (threads that stay
   * idle for 30 seconds end), 256 more waiting.
   */
  private static final ThreadPoolExecutor OCSP = ocspExecutor();

  private final String route;
  private final ClientCertConfig config;
  private final ChainVerifier verifier;
  private final SecurityEvents security;
  private final String description;
  private final Cache<List<X509Certificate>, Remembered> outcomes;

  private record Remembered(ChainVerifier.Outcome outcome, Denial denial, long validUntilMillis) {}

  ClientCertPolicy(
      String route, ClientCertConfig config, SecurityEvents security, Duration remember) {
    this.route = route;
    this.config = config;
    this.verifier = new ChainVerifier(config);
    this.security = security;
    this.description = config.describe();
    this.outcomes =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(remember)
            .executor(Runnable::run)
            .build();
  }

  @Override
  public Stage stage() {
    return Stage.CLIENT_CERT;
  }

  @Override
  public String name() {
    return "client-cert";
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void onRequest(Exchange exchange) {
    List<X509Certificate> chain = exchange.request().peerCertificates();
    if (chain.isEmpty()) {
      if (config.mode() == ClientCertConfig.Mode.REQUIRED) {
        refuse(exchange, 496, REQUIRED, "no client certificate presented");
      } else {
        exchange.proceed();
      }
      return;
    }
    Remembered known = outcomes.getIfPresent(chain);
    long now = System.currentTimeMillis();
    if (known != null && now < known.validUntilMillis()) {
      decide(exchange, known);
      return;
    }
    if (!verifier.blocking()) {
      decide(exchange, remember(chain, verifier.verify(chain), now));
      return;
    }
    try {
      OCSP.execute(
          () -> {
            Remembered r = remember(chain, verifier.verify(chain), System.currentTimeMillis());
            exchange.resume(() -> decide(exchange, r));
          });
    } catch (RejectedExecutionException e) {
      exchange.deny(BUSY);
    }
  }

  private static ThreadPoolExecutor ocspExecutor() {
    ThreadPoolExecutor e =
        new ThreadPoolExecutor(
            4,
            4,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "bulwark-ocsp");
              t.setDaemon(true);
              return t;
            });
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  private Remembered remember(List<X509Certificate> chain, ChainVerifier.Outcome o, long now) {
    long until = Long.MAX_VALUE;
    Denial denial = REQUIRED;
    if (o instanceof ChainVerifier.Outcome.Verified v) {
      until = v.notAfterMillis();
    } else if (o instanceof ChainVerifier.Outcome.Refused r) {
      denial = Denial.of(495, "certificate error", "client certificate refused: " + r.reason());
      until = r.lasting() ? until : now; // not remembered: the next request asks again
    }
    Remembered remembered = new Remembered(o, denial, until);
    if (until > now) {
      outcomes.put(chain, remembered);
    }
    return remembered;
  }

  private void decide(Exchange exchange, Remembered r) {
    if (exchange.finishedOrResponded()) {
      return; // the client left, or a deadline answered, during an OCSP check
    }
    if (r.outcome() instanceof ChainVerifier.Outcome.Verified v) {
      exchange.attr(CertificateIdentity.KEY, v.identity());
      DecisionTrace trace = exchange.trace();
      if (trace != null) {
        trace.note("client-cert", "verified " + v.identity().principal());
      }
      exchange.proceed();
      return;
    }
    String reason = ((ChainVerifier.Outcome.Refused) r.outcome()).reason();
    refuse(exchange, 495, r.denial(), reason);
  }

  private void refuse(Exchange exchange, int status, Denial denial, String reason) {
    security.publish(
        SecurityEvent.certificateRefused(
            exchange.requestId(), exchange.clientAddress(), route, status, reason));
    exchange.deny(denial);
  }
}
