package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.Caller;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.ContentDigest;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.store.NonceStore;
import dev.bulwark.store.memory.MemoryNonceStore;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request-signature credential against a fake exchange, hostile cases first: a signature over
 * another body, method, path or query; a replay; created out of the skew; an expired signature; a
 * required component not covered; an unknown key; algorithm confusion both ways; a nonce store that
 * fails; oversized and malformed headers. Keys are generated at test time.
 */
class RequestSignatureProviderTest {
  private static final String URI = "https://api.example.com/api/orders?page=1";
  private static final List<String> COVERED = List.of("@method", "@target-uri", "content-digest");
  private static final String BODY = "{\"item\":\"book\",\"quantity\":1}";

  private static String hmac;
  private static Key hmacKey;
  private static KeyPair ed;
  private static KeyPair ec;

  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private NonceStore nonces;

  @BeforeAll
  static void keys() throws Exception {
    hmac = SignedRequests.hmacSecret();
    hmacKey = SignatureAlgorithm.HMAC_SHA256.signingKey(hmac);
    ed = SignedRequests.ed25519();
    ec = SignedRequests.p256();
  }

  @BeforeEach
  void store() {
    nonces = new MemoryNonceStore(1000);
  }

  private static SignatureConfig.SigningKey key(String id, SignatureAlgorithm alg, String text) {
    return new SignatureConfig.SigningKey(id, "sig:" + id, alg, alg.verificationKey(text));
  }

  private static SignatureConfig config(boolean denyOnStoreFailure) {
    return new SignatureConfig(
        List.of(
            key("client-a", SignatureAlgorithm.HMAC_SHA256, hmac),
            key("client-b", SignatureAlgorithm.ED25519, SignedRequests.pem(ed.getPublic())),
            key(
                "client-c",
                SignatureAlgorithm.ECDSA_P256_SHA256,
                SignedRequests.pem(ec.getPublic()))),
        List.of("@method", "@target-uri"),
        Duration.ofSeconds(60),
        true,
        true,
        denyOnStoreFailure,
        "");
  }

  private AuthnPolicy policy(SignatureConfig config) {
    return new AuthnPolicy(
        "api",
        new Credentials(
            List.of(new RequestSignatureProvider(config, nonces, Clock.systemUTC(), 1024 * 1024))),
        SecurityEvents.of(new SecurityLog(events::add)));
  }

  private static Target post(String body) {
    return Target.of("POST", URI)
        .header("content-digest", ContentDigest.of(bytes(body), "sha-256"))
        .header("content-type", "application/json");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends a request with these headers (a signed one unless given null). */
  private FakeExchange send(
      String method, String target, RequestSigner.@Nullable Headers h, String digest, String body) {
    return send(method, target, h, digest, body, config(true));
  }

  private FakeExchange send(
      String method,
      String target,
      RequestSigner.@Nullable Headers h,
      String digest,
      String body,
      SignatureConfig config) {
    FakeExchange.Builder b = FakeExchange.request(method, target);
    if (h != null) {
      b.header("Signature-Input", h.signatureInput()).header("Signature", h.signature());
    }
    if (!digest.isEmpty()) {
      b.header("Content-Digest", digest);
    }
    if (!body.isEmpty()) {
      b.header("Content-Type", "application/json").body(body);
    }
    return b.run(policy(config));
  }

  private static RequestSigner.Parameters hmacNow() {
    return SignedRequests.now("client-a", SignatureAlgorithm.HMAC_SHA256, hmacKey);
  }

  private static String digest(String body) {
    return ContentDigest.of(bytes(body), "sha-256");
  }

  private void refused(FakeExchange fx, String event, String reason) {
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Signature realm=\"bulwark\"");
    assertThat(fx.attr(Caller.KEY)).isNull();
    assertThat(events)
        .last()
        .asString()
        .contains("\"event\":\"" + event + "\"", "\"route\":\"api\"", reason);
  }

  private static void authenticated(FakeExchange fx, String subject) {
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    Caller c = java.util.Objects.requireNonNull(fx.attr(Caller.KEY), "caller");
    assertThat(c.subject()).isEqualTo(subject);
    assertThat(c.issuer()).isEqualTo("signature");
    assertThat(fx.exchange().subject()).isEqualTo(subject);
  }

  @Test
  void aSignatureOverAnotherBodyIsRefusedAsADigestMismatch() throws Exception {
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    FakeExchange fx =
        send("POST", "/api/orders?page=1", h, digest(BODY), "{\"item\":\"car\",\"quantity\":9}");
    refused(fx, "digest-mismatch", "content-digest does not match the body");
    assertThat(fx.responseBody()).contains("\"problem\":\"digest\"");
  }

  @Test
  void aSignatureWhoseDigestHeaderWasSwappedForTheNewBodyDoesNotVerify() throws Exception {
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    String other = "{\"item\":\"car\",\"quantity\":9}";
    refused(
        send("POST", "/api/orders?page=1", h, digest(other), other),
        "signature-invalid",
        "signature does not verify with key client-a");
  }

  @Test
  void aSignatureForAnotherMethodIsRefused() throws Exception {
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    refused(
        send("PUT", "/api/orders?page=1", h, digest(BODY), BODY),
        "signature-invalid",
        "signature does not verify");
  }

  @Test
  void aSignatureForAnotherPathOrQueryIsRefused() throws Exception {
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    refused(
        send("POST", "/api/admin?page=1", h, digest(BODY), BODY),
        "signature-invalid",
        "signature does not verify");
    RequestSigner.Headers h2 = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    refused(
        send("POST", "/api/orders?page=2", h2, digest(BODY), BODY),
        "signature-invalid",
        "signature does not verify");
  }

  @Test
  void oneKeyProvesOneCallerObjectSoTheUpstreamAssertionIsSignedOnce() throws Exception {
    AuthnPolicy one = policy(config(true));
    Caller[] seen = new Caller[2];
    for (int i = 0; i < 2; i++) {
      RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
      FakeExchange fx =
          FakeExchange.request("POST", "/api/orders?page=1")
              .header("Signature-Input", h.signatureInput())
              .header("Signature", h.signature())
              .header("Content-Digest", digest(BODY))
              .header("Content-Type", "application/json")
              .body(BODY)
              .run(one);
      authenticated(fx, "sig:client-a");
      seen[i] = java.util.Objects.requireNonNull(fx.attr(Caller.KEY));
    }
    // the assertion cache is keyed by caller identity: a new object per request re-signs
    assertThat(seen[1]).isSameAs(seen[0]);
  }

  @Test
  void aReplayedSignatureIsRefusedTheSecondTime() throws Exception {
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, hmacNow());
    authenticated(send("POST", "/api/orders?page=1", h, digest(BODY), BODY), "sig:client-a");
    FakeExchange again = send("POST", "/api/orders?page=1", h, digest(BODY), BODY);
    refused(again, "signature-replayed", "nonce already seen for key client-a");
    assertThat(again.responseBody()).contains("\"problem\":\"replayed\"", "req-fake-1");
  }

  @Test
  void createdBeyondTheSkewInTheFutureOrThePastIsRefused() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    RequestSigner.Headers future =
        SignedRequests.sign(post(BODY), COVERED, SignedRequests.created(hmacNow(), now + 120));
    refused(
        send("POST", "/api/orders?page=1", future, digest(BODY), BODY),
        "signature-invalid",
        "in the future (max-skew 60s)");
    RequestSigner.Headers old =
        SignedRequests.sign(post(BODY), COVERED, SignedRequests.created(hmacNow(), now - 120));
    refused(
        send("POST", "/api/orders?page=1", old, digest(BODY), BODY),
        "signature-invalid",
        "ago (max-skew 60s)");
    RequestSigner.Headers slightlyAhead =
        SignedRequests.sign(post(BODY), COVERED, SignedRequests.created(hmacNow(), now + 20));
    authenticated(
        send("POST", "/api/orders?page=1", slightlyAhead, digest(BODY), BODY), "sig:client-a");
  }

  @Test
  void anExpiredSignatureIsRefused() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    RequestSigner.Parameters p = hmacNow();
    RequestSigner.Parameters expired =
        new RequestSigner.Parameters(
            p.label(), p.algorithm(), p.key(), p.keyId(), now - 10, now - 1, p.nonce(), null, true);
    refused(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, expired),
            digest(BODY),
            BODY),
        "signature-invalid",
        "expired");
  }

  @Test
  void aRequiredComponentNotCoveredIsRefused() throws Exception {
    RequestSigner.Headers h =
        SignedRequests.sign(post(BODY), List.of("@method", "content-digest"), hmacNow());
    refused(
        send("POST", "/api/orders?page=1", h, digest(BODY), BODY),
        "signature-invalid",
        "required component @target-uri not covered");
  }

  @Test
  void aBodyWhoseDigestIsNotCoveredIsRefused() throws Exception {
    RequestSigner.Headers h =
        SignedRequests.sign(post(BODY), List.of("@method", "@target-uri"), hmacNow());
    refused(
        send("POST", "/api/orders?page=1", h, digest(BODY), BODY),
        "signature-invalid",
        "a body without a covered content-digest");
  }

  @Test
  void anUnknownKeyIdIsRefused() throws Exception {
    RequestSigner.Headers h =
        SignedRequests.sign(
            post(BODY),
            COVERED,
            SignedRequests.now("client-z", SignatureAlgorithm.HMAC_SHA256, hmacKey));
    refused(
        send("POST", "/api/orders?page=1", h, digest(BODY), BODY),
        "signature-invalid",
        "no signature by a known key id");
  }

  @Test
  void anHmacKeyPresentedWithAlgEd25519IsRefused() throws Exception {
    // Signed with the real secret, but claiming ed25519: the key is bound to hmac-sha256.
    RequestSigner.Parameters p = hmacNow();
    RequestSigner.Headers h = SignedRequests.sign(post(BODY), COVERED, p);
    String lying = h.signatureInput().replace("alg=\"hmac-sha256\"", "alg=\"ed25519\"");
    assertThat(lying).isNotEqualTo(h.signatureInput());
    refused(
        send(
            "POST",
            "/api/orders?page=1",
            new RequestSigner.Headers(lying, h.signature()),
            digest(BODY),
            BODY),
        "signature-invalid",
        "alg ed25519 for key client-a (bound to hmac-sha256)");
  }

  @Test
  void anEd25519PublicKeyUsedAsAnHmacSecretNeverVerifies() throws Exception {
    // Anyone knows client-b's public key: an HMAC keyed with it must not pass as client-b.
    Key forged =
        new javax.crypto.spec.SecretKeySpec(
            SignedRequests.pem(ed.getPublic()).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    RequestSigner.Parameters withAlg =
        SignedRequests.now("client-b", SignatureAlgorithm.HMAC_SHA256, forged);
    refused(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, withAlg),
            digest(BODY),
            BODY),
        "signature-invalid",
        "alg hmac-sha256 for key client-b (bound to ed25519)");
    RequestSigner.Parameters noAlg =
        new RequestSigner.Parameters(
            "sig1",
            SignatureAlgorithm.HMAC_SHA256,
            forged,
            "client-b",
            System.currentTimeMillis() / 1000,
            null,
            "n-" + System.nanoTime(),
            null,
            false);
    refused(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, noAlg),
            digest(BODY),
            BODY),
        "signature-invalid",
        "signature does not verify with key client-b");
  }

  @Test
  void ed25519AndP256SignaturesAreAccepted() throws Exception {
    authenticated(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(
                post(BODY),
                COVERED,
                SignedRequests.now("client-b", SignatureAlgorithm.ED25519, ed.getPrivate())),
            digest(BODY),
            BODY),
        "sig:client-b");
    authenticated(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(
                post(BODY),
                COVERED,
                SignedRequests.now(
                    "client-c", SignatureAlgorithm.ECDSA_P256_SHA256, ec.getPrivate())),
            digest(BODY),
            BODY),
        "sig:client-c");
  }

  @Test
  void aNonceStoreThatFailsDeniesWith503ByDefaultAndAuthenticatesWhenAllowed() throws Exception {
    nonces = (key, lifetime) -> CompletableFuture.failedFuture(new IllegalStateException("down"));
    FakeExchange fx =
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, hmacNow()),
            digest(BODY),
            BODY);
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(503);
    assertThat(fx.responseBody()).contains("req-fake-1");
    authenticated(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, hmacNow()),
            digest(BODY),
            BODY,
            config(false)),
        "sig:client-a");
  }

  @Test
  void twoKeysOfOneClientAreAcceptedDuringARotation() throws Exception {
    String next = SignedRequests.hmacSecret();
    SignatureConfig rotating =
        new SignatureConfig(
            List.of(
                new SignatureConfig.SigningKey(
                    "client-a-2026-01",
                    "sig:client-a",
                    SignatureAlgorithm.HMAC_SHA256,
                    SignatureAlgorithm.HMAC_SHA256.verificationKey(hmac)),
                new SignatureConfig.SigningKey(
                    "client-a-2026-07",
                    "sig:client-a",
                    SignatureAlgorithm.HMAC_SHA256,
                    SignatureAlgorithm.HMAC_SHA256.verificationKey(next))),
            List.of("@method", "@target-uri"),
            Duration.ofSeconds(60),
            true,
            true,
            true,
            "");
    for (String[] k : new String[][] {{"client-a-2026-01", hmac}, {"client-a-2026-07", next}}) {
      RequestSigner.Parameters p =
          SignedRequests.now(
              k[0],
              SignatureAlgorithm.HMAC_SHA256,
              SignatureAlgorithm.HMAC_SHA256.signingKey(k[1]));
      authenticated(
          send(
              "POST",
              "/api/orders?page=1",
              SignedRequests.sign(post(BODY), COVERED, p),
              digest(BODY),
              BODY,
              rotating),
          "sig:client-a");
    }
  }

  @Test
  void aHugeSignatureInputIsRefusedWithoutParsingIt() throws Exception {
    String huge = "sig1=(" + "\"x-a\" ".repeat(20_000) + ");created=1";
    FakeExchange fx =
        FakeExchange.get("/api/orders")
            .header("Signature-Input", huge)
            .header("Signature", "sig1=:AAAA:")
            .run(policy(config(true)));
    refused(fx, "signature-invalid", "longer than 4096 characters");
  }

  @Test
  void malformedSignatureHeadersAreRefused() {
    String[][] cases = {
      {"sig1=(\"@method\";created=1", "sig1=:AAAA:"},
      {"sig1=(\"@method\");created=1", "sig2=:AAAA:"},
      {"sig1=(\"@method\");created=1, sig1=(\"@path\");created=1", "sig1=:AAAA:"},
      {"sig1=(\"@method\");created=1,", "sig1=:AAAA:"},
      {"sig1=(@method);created=1", "sig1=:AAAA:"},
      {"sig1=(\"@method\");created=1", "sig1=:A$AA:"},
      {"sig1=(\"@method\" \"@method\");created=1;keyid=\"client-a\"", "sig1=:AAAA:"},
    };
    for (String[] c : cases) {
      events.clear();
      FakeExchange fx =
          FakeExchange.get("/api/orders")
              .header("Signature-Input", c[0])
              .header("Signature", c[1])
              .run(policy(config(true)));
      assertThat(fx.status()).as(c[0] + " / " + c[1]).isEqualTo(401);
      assertThat(events).singleElement().asString().contains("signature-invalid");
    }
  }

  @Test
  void aSignatureWithoutNonceIsRefusedWhenNoncesAreRequired() throws Exception {
    RequestSigner.Parameters p = hmacNow();
    RequestSigner.Parameters noNonce =
        new RequestSigner.Parameters(
            p.label(), p.algorithm(), p.key(), p.keyId(), p.created(), null, null, null, true);
    refused(
        send(
            "POST",
            "/api/orders?page=1",
            SignedRequests.sign(post(BODY), COVERED, noNonce),
            digest(BODY),
            BODY),
        "signature-invalid",
        "no nonce parameter");
  }

  @Test
  void aSha512DigestIsCheckedAndAnMd5OnlyDigestIsRefused() throws Exception {
    String sha512 = ContentDigest.of(bytes(BODY), "sha-512");
    Target t = Target.of("POST", URI).header("content-digest", sha512);
    authenticated(
        send(
            "POST", "/api/orders?page=1", SignedRequests.sign(t, COVERED, hmacNow()), sha512, BODY),
        "sig:client-a");
    String md5 = "md5=:" + java.util.Base64.getEncoder().encodeToString(new byte[16]) + ":";
    Target m = Target.of("POST", URI).header("content-digest", md5);
    refused(
        send("POST", "/api/orders?page=1", SignedRequests.sign(m, COVERED, hmacNow()), md5, BODY),
        "digest-mismatch",
        "content-digest has no sha-256 or sha-512");
  }

  @Test
  void aRequestWithoutSignatureHeadersIsAskedForOne() {
    FakeExchange fx = FakeExchange.get("/api/orders").run(policy(config(true)));
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Signature realm=\"bulwark\"");
    assertThat(events).isEmpty();
  }

  @Test
  void aGetWithoutBodyNeedsNoDigest() throws Exception {
    RequestSigner.Headers h =
        SignedRequests.sign(
            Target.of("GET", "https://api.example.com/api/orders"),
            List.of("@method", "@target-uri"),
            hmacNow());
    authenticated(send("GET", "/api/orders", h, "", ""), "sig:client-a");
  }
}
