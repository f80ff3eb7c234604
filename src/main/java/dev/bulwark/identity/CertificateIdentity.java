package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.AttributeKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The names of a client certificate that a route verified: its subject, its URI, DNS and email
 * SANs, its SHA-256 thumbprint ({@code x5t#S256}), and the caller it stands for when it is the
 * request's credential. Only the client-certificate stage of a route that asks for certificates
 * sets it; a certificate on any other route is no identity.
 */
public record CertificateIdentity(
    String subject,
    List<String> uris,
    List<String> dnsNames,
    List<String> emails,
    String thumbprint,
    long notAfter,
    Caller caller) {

  /** The certificate a request's route verified; read by authentication, rules and upstreams. */
  public static final AttributeKey<CertificateIdentity> KEY = AttributeKey.of("client-cert");

  /** The issuer name of callers authenticated by a client certificate. */
  public static final String ISSUER = "client-cert";

  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public CertificateIdentity {
    requireNonNull(subject, "subject");
    uris = List.copyOf(uris);
    dnsNames = List.copyOf(dnsNames);
    emails = List.copyOf(emails);
    requireNonNull(thumbprint, "thumbprint");
    requireNonNull(caller, "caller");
  }

  /** Returns the names of a certificate (its chain already verified). */
  public static CertificateIdentity of(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    List<String> emails = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      sans = null; // a malformed SAN extension names nothing
    }
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
          continue;
        }
        if (!(san.get(1) instanceof String value)) {
          continue;
        }
        switch (type) {
          case SAN_URI -> uris.add(value);
          case SAN_DNS -> dns.add(value);
          case SAN_EMAIL -> emails.add(value);
          default -> {}
        }
      }
    }
    String subject = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
    String thumbprint = thumbprint(leaf);
    long notAfter = leaf.getNotAfter().getTime() / 1000;
    String principal =
        !uris.isEmpty()
            ? uris.get(0)
            : !dns.isEmpty() ? dns.get(0) : !emails.isEmpty() ? emails.get(0) : subject;
    Map<String, List<String>> claims = new LinkedHashMap<>();
    claims.put("san-uri", uris);
    claims.put("san-dns", dns);
    claims.put("san-email", emails);
    claims.put("x5t#S256", List.of(thumbprint));
    Caller caller = new Caller(principal, ISSUER, Set.of(), Set.of(), Set.of(), claims, notAfter);
    return new CertificateIdentity(subject, uris, dns, emails, thumbprint, notAfter, caller);
  }

  /**
   * Returns the name that identifies the certificate: its first URI, DNS or email SAN, or subject.
   */
  public String principal() {
    return caller.subject();
  }

  /** Returns the base64url SHA-256 of the certificate's DER encoding (RFC 8705's x5t#S256). */
  static String thumbprint(X509Certificate c) {
    try {
      byte[] der = c.getEncoded();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("certificate thumbprint", e);
    }
  }

  /** Returns the certificate's names as the claim set of an identity assertion. */
  public Map<String, Object> claims() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sub", subject);
    out.put("san-uri", uris);
    out.put("san-dns", dnsNames);
    out.put("san-email", emails);
    out.put("x5t#S256", thumbprint);
    return out;
  }
}
