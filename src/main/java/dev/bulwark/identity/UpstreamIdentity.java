package dev.bulwark.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.exchange.HeaderMap;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What upstreams learn about the caller, and only from the gateway: every incoming {@code
 * X-Bulwark-*} header is removed from every request (other identity headers, such as {@code
 * Remote-User}, are dropped with the client's headers by the proxy's request-header rules); an
 * authenticated request gets the subject, issuer, roles and organisations headers and a short-lived
 * signed assertion (a JWT the backend verifies against the admin JWKS).
 */
public final class UpstreamIdentity {
  public static final String SUBJECT = "X-Bulwark-Subject";
  public static final String ISSUER = "X-Bulwark-Issuer";
  public static final String ROLES = "X-Bulwark-Roles";
  public static final String ORGS = "X-Bulwark-Orgs";
  public static final String ASSERTION = "X-Bulwark-Assertion";

  private final boolean forwardToken;
  private final AssertionKeys keys;
  private final String audience;
  private final long ttlSeconds;

  /**
   * Assertions already signed, per caller (by identity: the verified-token cache hands the same
   * {@link Caller} to every request with the same token), reused for half their lifetime so that
   * steady traffic costs no signature per request (an ES256 signature is ~0.5 ms on JDK 17).
   */
  private final Cache<Caller, Signed> signed;

  /** An assertion signed for a caller, kept with the caller's header values (made once each). */
  private record Signed(
      String keyId,
      @Nullable CertificateIdentity certificate,
      String jwt,
      String subject,
      String issuer,
      String roles,
      String orgs) {}

  public UpstreamIdentity(
      boolean forwardToken, AssertionKeys keys, String audience, long ttlSeconds) {
    this.forwardToken = forwardToken;
    this.keys = keys;
    this.audience = audience;
    this.ttlSeconds = ttlSeconds;
    this.signed =
        Caffeine.newBuilder()
            .weakKeys()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMillis(Math.max(500, ttlSeconds * 500)))
            .executor(Runnable::run)
            .build();
  }

  /** Removes incoming identity headers and adds the caller's, when there is one. */
  public void apply(MultiMap headers, @Nullable Caller caller, String requestId) {
    apply(headers, caller, null, requestId);
  }

  /**
   * Removes incoming identity headers and adds the caller's; a client certificate that the route
   * verified goes into the signed assertion only (the caller it stands for when no other credential
   * authenticated the request).
   */
  public void apply(
      MultiMap headers,
      @Nullable Caller caller,
      @Nullable CertificateIdentity certificate,
      String requestId) {
    if (caller == null && certificate != null) {
      caller = certificate.caller();
    }
    dropIdentityHeaders(headers);
    if (caller == null) {
      return;
    }
    if (!forwardToken) {
      headers.remove("authorization");
    }
    Signed s = signedFor(caller, certificate, requestId);
    // Every X-Bulwark- header is gone by now: add, without looking for one to replace.
    headers.add(SUBJECT, s.subject());
    headers.add(ISSUER, s.issuer());
    headers.add(ROLES, s.roles());
    headers.add(ORGS, s.orgs());
    headers.add(ASSERTION, s.jwt());
  }

  /** Removes every header named {@code X-Bulwark-*} (any case) that came with the request. */
  private static void dropIdentityHeaders(MultiMap headers) {
    DroppedNames found = new DroppedNames();
    headers.forEach(found); // the map's own walk: no entry objects, unlike its iterator
    if (found.names != null) {
      found.names.forEach(headers::remove);
    }
  }

  /** Collects the names of identity headers while the request's headers are walked. */
  private static final class DroppedNames implements BiConsumer<String, String> {
    private @Nullable List<String> names;

    @Override
    public void accept(String name, String value) {
      if (name.regionMatches(true, 0, "x-bulwark-", 0, 10)) {
        if (names == null) {
          names = new ArrayList<>(2);
        }
        names.add(name);
      }
    }
  }

  /** Sets the identity headers of a caller on a response (forward-auth answers). */
  public static void set(HeaderMap headers, Caller caller, String assertion) {
    headers.set(SUBJECT, headerValue(caller.subject()));
    headers.set(ISSUER, headerValue(caller.issuer()));
    headers.set(ROLES, join(caller.roles()));
    headers.set(ORGS, join(caller.organisations()));
    headers.set(ASSERTION, assertion);
  }

  /**
   * Returns the assertion for a caller: the one signed for it less than half a lifetime ago with
   * the current key, else a new one. Its {@code jti} names the assertion; the request is named by
   * {@code X-Request-Id}.
   */
  public String assertion(Caller caller, String requestId) {
    return assertion(caller, null, requestId);
  }

  /** Returns the assertion for a caller over a verified client certificate (or none). */
  public String assertion(
      Caller caller, @Nullable CertificateIdentity certificate, String requestId) {
    return signedFor(caller, certificate, requestId).jwt();
  }

  private Signed signedFor(
      Caller caller, @Nullable CertificateIdentity certificate, String requestId) {
    String kid = keys.currentKeyId();
    Signed s = signed.getIfPresent(caller);
    if (s != null && s.keyId().equals(kid) && s.certificate() == certificate) {
      return s;
    }
    String jwt = keys.sign(caller, certificate, audience, requestId, ttlSeconds);
    Signed made =
        new Signed(
            kid,
            certificate,
            jwt,
            headerValue(caller.subject()),
            headerValue(caller.issuer()),
            join(caller.roles()),
            join(caller.organisations()));
    signed.put(caller, made);
    return made;
  }

  private static String join(Collection<String> values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(headerValue(v));
    }
    return sb.toString();
  }

  /**
   * Returns a value safe in a header and unambiguous in a comma list: visible ASCII other than
   * {@code ,} and {@code %} stays, anything else is percent-encoded as UTF-8.
   */
  static String headerValue(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) {
      char c = s.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != ',' && c != '%';
    }
    if (plain) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f && c != ',' && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }
}
