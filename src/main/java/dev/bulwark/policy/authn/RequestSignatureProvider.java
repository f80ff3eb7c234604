package dev.bulwark.policy.authn;

import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.identity.Caller;
import dev.bulwark.policy.authn.signature.ContentDigest;
import dev.bulwark.policy.authn.signature.MessageComponents;
import dev.bulwark.policy.authn.signature.RequestSignature;
import dev.bulwark.policy.authn.signature.SignatureBase;
import dev.bulwark.policy.authn.signature.StructuredFields;
import dev.bulwark.store.NonceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The request-signature credential (HTTP Message Signatures, RFC 9421): a request without {@code
 * Signature-Input} and {@code Signature} is not its business; one with them must carry a signature
 * by a configured key, with that key's algorithm only, covering every required component (and the
 * {@code Content-Digest} of any body, which must match the body received), created within the
 * allowed skew and not expired, and with a nonce never seen before on any gateway sharing the
 * store. The caller is {@code sig:} and the key's subject, vouched for by {@code signature}.
 */
final class RequestSignatureProvider implements CredentialProvider {
  /** The challenge sent with a refusal (RFC 9421 defines none; this names the scheme). */
  static final String CHALLENGE = "Signature realm=\"bulwark\"";

  /** The longest {@code Signature-Input} or {@code Signature} accepted, in characters. */
  static final int MAX_HEADER_CHARS = 4096;

  /** The most signatures (labels) one request may carry. */
  static final int MAX_LABELS = 4;

  /** Nonces longer than this are refused (they are stored). */
  static final int MAX_NONCE_CHARS = 128;

  /** Remembered this much past {@code created + max-skew}, for clocks that differ a little. */
  static final Duration CLOCK_MARGIN = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(RequestSignatureProvider.class.getName());
  private static final CharSequence SIGNATURE_INPUT = HeaderMap.constant("signature-input");
  private static final CharSequence SIGNATURE = HeaderMap.constant("signature");
  private static final CharSequence CONTENT_DIGEST = HeaderMap.constant("content-digest");
  private static final Denial MISSING = Denial.of(401, "unauthorized", "no request signature");
  private static final Denial UNAVAILABLE =
      Denial.of(503, "service unavailable", "nonce store unavailable (on-store-failure: deny)");

  private final SignatureConfig config;
  private final Map<String, SignatureConfig.SigningKey> byId;
  private final NonceStore nonces;
  private final Clock clock;

  /**
   * The caller each key proves (as a verdict) when a signature has no {@code expires}, kept for
   * half its hour: the identity assertion sent upstream is cached per caller object, so one caller
   * per key spares an ES256 signature on every request (measured: 280 instead of ~5,000 requests a
   * second).
   */
  private final Map<String, Verdict.Authenticated> callers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final long maxBody;

  RequestSignatureProvider(SignatureConfig config, NonceStore nonces, Clock clock, long maxBody) {
    this.config = config;
    java.util.HashMap<String, SignatureConfig.SigningKey> ids = new java.util.HashMap<>();
    for (SignatureConfig.SigningKey k : config.keys()) {
      ids.put(k.id(), k);
    }
    this.byId = Map.copyOf(ids);
    this.nonces = nonces;
    this.clock = clock;
    this.maxBody = maxBody;
  }

  @Override
  public String name() {
    return "signature";
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder("signature (keys: ");
    for (int i = 0; i < config.keys().size(); i++) {
      SignatureConfig.SigningKey k = config.keys().get(i);
      sb.append(i == 0 ? "" : ", ").append(k.id()).append(' ').append(k.algorithm().registryName());
    }
    sb.append("; covers ").append(String.join(" ", config.covered()));
    sb.append("; max-skew ").append(config.maxSkew().toSeconds()).append('s');
    sb.append(config.requireNonce() ? "; nonce" : "; no nonce");
    sb.append(config.requireDigest() ? "; digest" : "; no digest").append(')');
    return sb.toString();
  }

  @Override
  public String challenge() {
    return CHALLENGE;
  }

  @Override
  public Denial missing() {
    return MISSING;
  }

  static Verdict invalid(SecurityEventKind kind, String reason) {
    String problem =
        switch (kind) {
          case SIGNATURE_REPLAYED -> "replayed";
          case DIGEST_MISMATCH -> "digest";
          default -> "signature";
        };
    return new Verdict.Invalid(
        kind,
        reason,
        Denial.of(401, "unauthorized", "invalid request signature: " + reason)
            .withDetails("\"problem\":\"" + problem + "\""),
        CHALLENGE);
  }

  private static Verdict bad(String reason) {
    return invalid(SecurityEventKind.SIGNATURE_INVALID, reason);
  }

  @Override
  public void authenticate(Exchange exchange, Consumer<Verdict> done) {
    RequestView request = exchange.request();
    List<String> inputs = request.headers(SIGNATURE_INPUT);
    List<String> signatures = request.headers(SIGNATURE);
    if (inputs.isEmpty() && signatures.isEmpty()) {
      done.accept(Verdict.notMine());
      return;
    }
    List<RequestSignature> all;
    try {
      all = RequestSignature.parse(inputs, signatures, MAX_HEADER_CHARS, MAX_LABELS);
    } catch (StructuredFields.Malformed e) {
      done.accept(bad("malformed Signature-Input or Signature: " + e.getMessage()));
      return;
    }
    RequestSignature sig = null;
    SignatureConfig.SigningKey key = null;
    for (RequestSignature s : all) {
      String id = s.keyId();
      key = id == null ? null : byId.get(id);
      if (key != null) {
        sig = s;
        break;
      }
    }
    if (sig == null || key == null) {
      done.accept(bad("no signature by a known key id"));
      return;
    }
    long now = clock.millis() / 1000;
    String problem = checkParameters(sig, key, now, request);
    if (problem != null) {
      done.accept(bad(problem));
      return;
    }
    SignatureBase.Bytes base;
    try {
      base = SignatureBase.build(sig, new Components(exchange));
    } catch (SignatureBase.Unusable e) {
      done.accept(bad(e.getMessage()));
      return;
    }
    if (!sig.verifiedBy(key.algorithm(), key.key(), base)) {
      done.accept(bad("signature does not verify with key " + key.id()));
      return;
    }
    RequestSignature verified = sig;
    SignatureConfig.SigningKey signer = key;
    if (!sig.covered().contains("content-digest")) {
      remember(verified, signer, now, done);
      return;
    }
    if (!request.hasBody()) {
      digestChecked(verified, signer, now, new byte[0], request, done);
      return;
    }
    exchange.readBody(maxBody, body -> digestChecked(verified, signer, now, body, request, done));
  }

  /** Returns why the signature's parameters and coverage are refused, or null. */
  private @Nullable String checkParameters(
      RequestSignature sig, SignatureConfig.SigningKey key, long now, RequestView request) {
    String alg = sig.alg();
    if (alg != null && !alg.equals(key.algorithm().registryName())) {
      return "alg "
          + alg
          + " for key "
          + key.id()
          + " (bound to "
          + key.algorithm().registryName()
          + ")";
    }
    if (!config.tag().isEmpty() && !config.tag().equals(sig.tag())) {
      return "tag is not " + config.tag();
    }
    Long created = sig.created();
    if (created == null) {
      return "no created parameter";
    }
    long skew = config.maxSkew().toSeconds();
    if (created > now + skew) {
      return "created " + (created - now) + "s in the future (max-skew " + skew + "s)";
    }
    if (created < now - skew) {
      return "created " + (now - created) + "s ago (max-skew " + skew + "s)";
    }
    Long expires = sig.expires();
    if (expires != null && (expires <= now || expires < created)) {
      return "expired";
    }
    String nonce = sig.nonce();
    if (nonce == null && config.requireNonce()) {
      return "no nonce parameter";
    }
    if (nonce != null && (nonce.isEmpty() || nonce.length() > MAX_NONCE_CHARS)) {
      return "nonce of " + nonce.length() + " characters (expected: 1 to " + MAX_NONCE_CHARS + ")";
    }
    List<String> covered = sig.covered();
    for (String c : config.covered()) {
      if (!covered.contains(c)) {
        return "required component " + c + " not covered";
      }
    }
    if (config.requireDigest() && request.hasBody() && !covered.contains("content-digest")) {
      return "a body without a covered content-digest";
    }
    return null;
  }

  private void digestChecked(
      RequestSignature sig,
      SignatureConfig.SigningKey key,
      long now,
      byte[] body,
      RequestView request,
      Consumer<Verdict> done) {
    ContentDigest.Check check = ContentDigest.check(request.headers(CONTENT_DIGEST), body);
    if (check != ContentDigest.Check.MATCH) {
      done.accept(
          invalid(
              SecurityEventKind.DIGEST_MISMATCH,
              switch (check) {
                case MISMATCH -> "content-digest does not match the body";
                case NO_SUPPORTED_ALGORITHM -> "content-digest has no sha-256 or sha-512";
                default -> "malformed content-digest";
              }));
      return;
    }
    remember(sig, key, now, done);
  }

  /** Remembers the nonce (the last check, so forged requests never fill the store). */
  private void remember(
      RequestSignature sig, SignatureConfig.SigningKey key, long now, Consumer<Verdict> done) {
    String nonce = sig.nonce();
    Verdict ok = authenticated(key, sig, now);
    if (nonce == null) {
      done.accept(ok);
      return;
    }
    long created = sig.created() == null ? now : sig.created();
    Duration lifetime =
        Duration.ofSeconds(
            Math.max(1, created + config.maxSkew().toSeconds() - now) + CLOCK_MARGIN.toSeconds());
    nonces
        .remember(key.id() + ":" + nonce, lifetime)
        .whenComplete(
            (fresh, failure) -> {
              if (failure != null) {
                if (config.denyOnStoreFailure()) {
                  done.accept(
                      new Verdict.Invalid(
                          SecurityEventKind.SIGNATURE_INVALID,
                          "nonce store unavailable, refused (on-store-failure: deny)",
                          UNAVAILABLE,
                          CHALLENGE));
                } else {
                  LOG.fine("nonce store unavailable, nonce not checked (on-store-failure: allow)");
                  done.accept(ok);
                }
              } else if (Boolean.TRUE.equals(fresh)) {
                done.accept(ok);
              } else {
                done.accept(
                    invalid(
                        SecurityEventKind.SIGNATURE_REPLAYED,
                        "nonce already seen for key " + key.id()));
              }
            });
  }

  /**
   * Returns the verdict of a key's signature: the key's kept one (its caller) while it has half an
   * hour left.
   */
  private Verdict.Authenticated authenticated(
      SignatureConfig.SigningKey key, RequestSignature sig, long now) {
    if (sig.expires() != null) {
      return new Verdict.Authenticated(caller(key, sig, now));
    }
    Verdict.Authenticated kept = callers.get(key.id());
    if (kept != null && kept.caller().expiresAt() - now > 1800) {
      return kept;
    }
    Verdict.Authenticated fresh = new Verdict.Authenticated(caller(key, sig, now));
    callers.put(key.id(), fresh);
    return fresh;
  }

  /**
   * Returns the caller a key proves; it "expires" (for the identity assertion sent upstream) with
   * the signature's {@code expires}, else an hour from now.
   */
  private static Caller caller(SignatureConfig.SigningKey key, RequestSignature sig, long now) {
    Long expires = sig.expires();
    return new Caller(
        key.subject(),
        "signature",
        Set.of(),
        Set.of(),
        Set.of(),
        Map.of("keyid", List.of(key.id())),
        expires != null ? expires : now + 3600);
  }

  /** The request as the signature base reads it (the target as the gateway received it). */
  private record Components(Exchange exchange) implements MessageComponents {
    @Override
    public String method() {
      return exchange.request().method();
    }

    @Override
    public String scheme() {
      return exchange.request().tlsProtocol() != null ? "https" : "http";
    }

    @Override
    public String authority() {
      String host = exchange.host();
      if (host.indexOf(':') >= 0) {
        host = "[" + host + "]";
      }
      int port = exchange.hostPort();
      boolean standard = port == -1 || port == (scheme().equals("https") ? 443 : 80);
      return standard ? host : host + ":" + port;
    }

    @Override
    public String path() {
      return exchange.path();
    }

    @Override
    public @Nullable String query() {
      return exchange.request().query();
    }

    @Override
    public List<String> header(String lowerCaseName) {
      return exchange.request().headers(lowerCaseName.toLowerCase(Locale.ROOT));
    }
  }
}
