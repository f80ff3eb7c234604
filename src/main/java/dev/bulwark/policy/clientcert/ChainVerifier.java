package dev.bulwark.policy.clientcert;

import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.identity.SanPattern;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * Verifies one presented chain against a route's setting, the JDK's PKIX validator doing the
 * cryptography: the path from the client's certificate up to a CA of the bundle is assembled from
 * what the client sent (extra certificates ignored), its length checked against {@code max-chain},
 * then signatures, validity, CA constraints, revocation (CRLs, OCSP for the client's certificate),
 * extended key usage and the allowed names. Thread-safe; blocking only when OCSP is on.
 */
final class ChainVerifier {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";
  private static final String UNDETERMINED = "revocation status unknown";

  private final ClientCertConfig config;
  private final Set<TrustAnchor> anchors;
  private final Set<X500Principal> anchorNames;
  private final CertStore crls;

  ChainVerifier(ClientCertConfig config) {
    this.config = config;
    Set<TrustAnchor> a = new HashSet<>();
    Set<X500Principal> names = new HashSet<>();
    for (X509Certificate ca : config.cas()) {
      a.add(new TrustAnchor(ca, null));
      names.add(ca.getSubjectX500Principal());
    }
    this.anchors = Set.copyOf(a);
    this.anchorNames = Set.copyOf(names);
    try {
      this.crls =
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(config.crls()));
    } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK's collection cert store is missing", e);
    }
  }

  /** Returns whether verifying may wait on the network (OCSP), so it must leave the event loop. */
  boolean blocking() {
    return config.ocsp() != ClientCertConfig.Ocsp.OFF;
  }

  /** Verifies a chain as the client presented it (its certificate first). */
  Outcome verify(List<X509Certificate> presented) {
    if (anchors.isEmpty()) {
      return Outcome.refused("untrusted: the route has no usable CA bundle");
    }
    // Not one certificate more than a chain of max-chain and its CA could need.
    if (presented.size() > config.maxChain() + 1) {
      return Outcome.refused(
          "chain of "
              + presented.size()
              + " certificates, longer than max-chain "
              + config.maxChain());
    }
    X509Certificate leaf = presented.get(0);
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    X509Certificate current = leaf;
    while (!anchorNames.contains(current.getIssuerX500Principal())) {
      X509Certificate issuer = issuerOf(current, presented, path);
      if (issuer == null) {
        return Outcome.refused(
            "untrusted: issued by "
                + current.getIssuerX500Principal().getName()
                + ", not by a CA of the route's bundle");
      }
      path.add(issuer);
      if (path.size() > config.maxChain()) {
        return Outcome.refused("chain longer than max-chain " + config.maxChain());
      }
      current = issuer;
    }
    String failure = validate(path);
    if (failure != null) {
      // a responder or CRL that could not say is a passing state: not remembered
      return failure.startsWith(UNDETERMINED)
          ? new Outcome.Refused(failure, false)
          : Outcome.refused(failure);
    }
    String usage = usageProblem(leaf);
    if (usage != null) {
      return Outcome.refused(usage);
    }
    CertificateIdentity identity = CertificateIdentity.of(leaf);
    if (!config.allow().isEmpty() && !allowed(identity)) {
      return Outcome.refused("name mismatch: " + identity.principal() + " matches no allow rule");
    }
    return Outcome.verified(identity, leaf.getNotAfter().getTime());
  }

  private boolean allowed(CertificateIdentity identity) {
    for (SanPattern p : config.allow()) {
      if (p.matches(identity)) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable X509Certificate issuerOf(
      X509Certificate cert, List<X509Certificate> presented, List<X509Certificate> path) {
    for (X509Certificate c : presented) {
      if (!path.contains(c) && c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        return c;
      }
    }
    return null;
  }

  /** Returns why the PKIX validator refuses the path, or null when it accepts it. */
  private @Nullable String validate(List<X509Certificate> path) {
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setDate(new Date());
      boolean revocation = !config.crls().isEmpty() || config.ocsp() != ClientCertConfig.Ocsp.OFF;
      params.setRevocationEnabled(false);
      CertPathValidator validator = CertPathValidator.getInstance("PKIX");
      if (revocation) {
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        EnumSet<PKIXRevocationChecker.Option> options =
            EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY);
        if (config.ocsp() == ClientCertConfig.Ocsp.OFF) {
          options.add(PKIXRevocationChecker.Option.PREFER_CRLS);
          options.add(PKIXRevocationChecker.Option.NO_FALLBACK);
        } else if (config.crls().isEmpty()) {
          options.add(PKIXRevocationChecker.Option.NO_FALLBACK);
        }
        if (config.ocsp() == ClientCertConfig.Ocsp.SOFT_FAIL) {
          options.add(PKIXRevocationChecker.Option.SOFT_FAIL);
        }
        checker.setOptions(options);
        params.addCertPathChecker(checker);
        params.addCertStore(crls);
      }
      validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return null;
    } catch (CertPathValidatorException e) {
      return reason(e);
    } catch (GeneralSecurityException e) {
      return "invalid: " + e.getMessage();
    }
  }

  private static String reason(CertPathValidatorException e) {
    CertPathValidatorException.Reason r = e.getReason();
    if (r == CertPathValidatorException.BasicReason.EXPIRED) {
      return "expired";
    }
    if (r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      return "not yet valid";
    }
    if (r == CertPathValidatorException.BasicReason.REVOKED) {
      return "revoked";
    }
    if (r == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
      return UNDETERMINED + " (" + e.getMessage() + ")";
    }
    if (r == CertPathValidatorException.BasicReason.INVALID_SIGNATURE
        || r == PKIXReason.NO_TRUST_ANCHOR) {
      return "untrusted: not signed by a CA of the route's bundle";
    }
    if (r == PKIXReason.PATH_TOO_LONG) {
      return "chain longer than its CA allows";
    }
    if (r == PKIXReason.NOT_CA_CERT) {
      return "untrusted: an intermediate is not a CA certificate";
    }
    return "invalid: " + e.getMessage();
  }

  private static @Nullable String usageProblem(X509Certificate leaf) {
    List<String> usage;
    try {
      usage = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      return "invalid: unreadable extended key usage";
    }
    if (usage != null && !usage.contains(CLIENT_AUTH) && !usage.contains(ANY_USAGE)) {
      return "not issued for client authentication (extended key usage without clientAuth)";
    }
    return null;
  }

  /** What verifying one chain concluded, and until when that stays true. */
  sealed interface Outcome {
    static Outcome verified(CertificateIdentity identity, long notAfterMillis) {
      return new Verified(identity, notAfterMillis);
    }

    static Outcome refused(String reason) {
      return new Refused(reason, true);
    }

    /** The chain is good for the route; the identity holds until the certificate expires. */
    record Verified(CertificateIdentity identity, long notAfterMillis) implements Outcome {}

    /**
     * The chain is refused, for a reason logged and written in the security event; {@code lasting}
     * unless it depends on a revocation source that may answer next time.
     */
    record Refused(String reason, boolean lasting) implements Outcome {}
  }
}
