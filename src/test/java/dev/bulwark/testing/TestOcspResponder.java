package dev.bulwark.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A tiny OCSP responder (RFC 6960 over HTTP, GET and POST) for one test CA: it signs with the CA's
 * own key, answers "good" unless a serial is revoked (then "revoked" as of the time it was), and
 * can be taken down (it then answers 500).
 */
public final class TestOcspResponder implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final TestCertificates.Issued ca;
  private final Map<BigInteger, Date> revoked = new ConcurrentHashMap<>();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger asked = new AtomicInteger();
  private final HttpServer server;

  public TestOcspResponder(TestCertificates.Issued ca) throws Exception {
    this.ca = ca;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  /** Returns the responder's URL, for a certificate's AIA extension. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/";
  }

  /**
   * Revokes a serial as of now, as a CA does before any responder is asked: the answers give that
   * time, not the time of answering. (A revocation dated after the question, which no real CA
   * writes, is one the JDK's checker must ignore: the certificate was still good when its
   * validation began. With the answer's time in whole seconds, a question asked just before a
   * second ended then got a revocation dated after it, and the test saw 200 now and then.)
   */
  public void revoke(BigInteger serial) {
    // a second back: the ASN.1 time carries whole seconds, and must be before the question
    revoked.putIfAbsent(serial, new Date(System.currentTimeMillis() - 1000));
  }

  public void down(boolean isDown) {
    down.set(isDown);
  }

  /** Returns how many requests it has received. */
  public int asked() {
    return asked.get();
  }

  private void handle(HttpServerRequest req) {
    asked.incrementAndGet();
    if (down.get()) {
      req.response().setStatusCode(500).end();
      return;
    }
    if (req.method() == HttpMethod.GET) {
      String encoded = URLDecoder.decode(req.path().substring(1), StandardCharsets.US_ASCII);
      answer(req, Base64.getDecoder().decode(encoded));
    } else {
      req.body().onSuccess(b -> answer(req, b.getBytes()));
    }
  }

  private void answer(HttpServerRequest req, byte[] der) {
    try {
      OCSPReq ocsp = new OCSPReq(der);
      X509CertificateHolder issuer = new JcaX509CertificateHolder(ca.certificate());
      BasicOCSPRespBuilder b =
          new BasicOCSPRespBuilder(
              new RespID(
                  issuer.getSubjectPublicKeyInfo(),
                  new JcaDigestCalculatorProviderBuilder()
                      .build()
                      .get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1)));
      Date now = new Date();
      Date next = new Date(now.getTime() + 3_600_000);
      for (Req r : ocsp.getRequestList()) {
        Date revokedAt = revoked.get(r.getCertID().getSerialNumber());
        CertificateStatus status =
            revokedAt == null
                ? CertificateStatus.GOOD
                : new RevokedStatus(revokedAt, CRLReason.keyCompromise);
        b.addResponse(r.getCertID(), status, now, next);
      }
      BasicOCSPResp basic =
          b.build(
              new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()),
              new X509CertificateHolder[] {issuer},
              now);
      byte[] body = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
      req.response()
          .putHeader("content-type", "application/ocsp-response")
          .end(Buffer.buffer(body));
    } catch (Exception e) {
      req.response().setStatusCode(400).end();
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
