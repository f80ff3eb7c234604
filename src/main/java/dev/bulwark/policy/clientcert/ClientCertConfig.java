package dev.bulwark.policy.clientcert;

import dev.bulwark.config.ClientCertificateDemand;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.KeyCertificatePair;
import dev.bulwark.config.ReadableFile;
import dev.bulwark.identity.SanPattern;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Whether a route asks clients for a certificate ({@code required} or {@code optional}), the CAs
 * that issue them ({@code ca}, every certificate of the bundle trusted as an anchor), the names a
 * certificate must carry ({@code allow}: any one of the listed patterns), the revocation lists
 * ({@code crl}) and OCSP ({@code off}, {@code soft-fail}, {@code hard-fail}), and the longest chain
 * accepted ({@code max-chain}: certificates from the client's own to the CA, the CA not counted). A
 * route's {@code client-cert} replaces the one in {@code defaults}.
 */
public record ClientCertConfig(
    Mode mode,
    @Nullable Path caFile,
    List<X509Certificate> cas,
    List<SanPattern> allow,
    List<Path> crlFiles,
    List<X509CRL> crls,
    Ocsp ocsp,
    int maxChain)
    implements ClientCertificateDemand {

  /** Whether the route asks for a certificate. */
  public enum Mode {
    OFF,
    OPTIONAL,
    REQUIRED
  }

  /**
   * Whether revocation is also checked with the CA's OCSP responder, and what its silence means.
   */
  public enum Ocsp {
    OFF,
    /** A revoked answer refuses; no answer (responder down or slow) lets the certificate pass. */
    SOFT_FAIL,
    /** Only a good answer passes. */
    HARD_FAIL
  }

  /** Certificates from the client's own to the CA (not counted): a leaf and one intermediate. */
  static final int DEFAULT_MAX_CHAIN = 2;

  /** No client certificate asked for. */
  public static final ClientCertConfig NONE =
      new ClientCertConfig(
          Mode.OFF, null, List.of(), List.of(), List.of(), List.of(), Ocsp.OFF, DEFAULT_MAX_CHAIN);

  static final Set<String> KEYS = Set.of("mode", "ca", "allow", "crl", "ocsp", "max-chain");
  private static final Set<String> ALLOW_KEYS =
      Set.of("san-uri", "san-dns", "san-email", "subject");
  private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  public ClientCertConfig {
    cas = List.copyOf(cas);
    allow = List.copyOf(allow);
    crlFiles = List.copyOf(crlFiles);
    crls = List.copyOf(crls);
  }

  @Override
  public boolean requestsClientCertificate() {
    return mode != Mode.OFF;
  }

  @Override
  public List<X509Certificate> acceptedIssuers() {
    return mode == Mode.OFF ? List.of() : cas;
  }

  @Override
  public List<Path> watchedFiles() {
    List<Path> out = new ArrayList<>();
    if (mode != Mode.OFF && caFile != null) {
      out.add(caFile);
    }
    if (mode != Mode.OFF) {
      out.addAll(crlFiles);
    }
    return out;
  }

  /** Returns the setting in words for summaries. */
  String describe() {
    StringBuilder sb = new StringBuilder(mode.name().toLowerCase(Locale.ROOT));
    sb.append("; ").append(cas.size()).append(cas.size() == 1 ? " CA" : " CAs");
    if (!allow.isEmpty()) {
      sb.append("; allow ");
      for (int i = 0; i < allow.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(allow.get(i).describe());
      }
    }
    if (!crls.isEmpty()) {
      sb.append("; ").append(crls.size()).append(crls.size() == 1 ? " CRL" : " CRLs");
    }
    if (ocsp != Ocsp.OFF) {
      sb.append("; ocsp ").append(ocsp.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return sb.append("; max-chain ").append(maxChain).toString();
  }

  /** Reads {@code client-cert: {...}} (or {@code off}) over the inherited setting. */
  static ClientCertConfig read(ConfigNode n, ClientCertConfig inherited, Path baseDir) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isOff()) {
      if (inherited.mode() != Mode.OFF) {
        n.warning(
            "off: this route drops the client certificate check that defaults set for every route");
      }
      return NONE;
    }
    if (!n.expectMapping(KEYS)) {
      return NONE;
    }
    ConfigNode modeNode = n.get("mode");
    if (!modeNode.present()) {
      modeNode.error("missing (expected: required or optional)");
    }
    Mode mode =
        switch (modeNode.choice(List.of("required", "optional"), "required")) {
          case "optional" -> Mode.OPTIONAL;
          default -> Mode.REQUIRED;
        };
    ConfigNode caNode = n.get("ca");
    Path caFile = null;
    List<X509Certificate> cas = List.of();
    if (!caNode.present()) {
      caNode.error(
          "missing (expected: a PEM bundle of the CAs that issue client certificates; without"
              + " it no certificate can be trusted)");
    } else {
      String name = caNode.requiredString("a path to a PEM bundle of CA certificates");
      if (name != null) {
        caFile = baseDir.resolve(name).normalize();
        cas = KeyCertificatePair.readChain(caNode, name, caFile);
      }
    }
    List<SanPattern> allow = allow(n.get("allow"));
    List<Path> crlFiles = new ArrayList<>();
    List<X509CRL> crls = new ArrayList<>();
    ConfigNode crlNode = n.get("crl");
    List<ConfigNode> crlEntries =
        crlNode.present() && crlNode.isScalar() ? List.of(crlNode) : crlNode.elements();
    for (ConfigNode c : crlEntries) {
      String name = c.requiredString("a path to a CRL file (PEM or DER)");
      if (name != null) {
        Path file = baseDir.resolve(name).normalize();
        crlFiles.add(file);
        crls.addAll(readCrls(c, name, file));
      }
    }
    ConfigNode ocspNode = n.get("ocsp");
    Ocsp ocsp =
        ocspNode.isOff() // YAML 1.1 reads a bare off as false
            ? Ocsp.OFF
            : switch (ocspNode.choice(List.of("off", "soft-fail", "hard-fail"), "off")) {
              case "soft-fail" -> Ocsp.SOFT_FAIL;
              case "hard-fail" -> Ocsp.HARD_FAIL;
              default -> Ocsp.OFF;
            };
    if (ocsp == Ocsp.SOFT_FAIL) {
      n.get("ocsp")
          .warning(
              "soft-fail: while the OCSP responder cannot be reached, revoked certificates pass"
                  + " (hard-fail refuses them, and with them every client)");
    }
    int maxChain = n.get("max-chain").integer(DEFAULT_MAX_CHAIN, 1, 8);
    return new ClientCertConfig(mode, caFile, cas, allow, crlFiles, crls, ocsp, maxChain);
  }

  private static List<SanPattern> allow(ConfigNode n) {
    List<SanPattern> out = new ArrayList<>();
    if (!n.present() || !n.expectMapping(ALLOW_KEYS)) {
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : n.entries().entrySet()) {
      SanPattern.Kind kind =
          switch (e.getKey()) {
            case "san-uri" -> SanPattern.Kind.URI;
            case "san-dns" -> SanPattern.Kind.DNS;
            case "san-email" -> SanPattern.Kind.EMAIL;
            case "subject" -> SanPattern.Kind.SUBJECT;
            default -> null; // reported as an unknown key already
          };
      if (kind == null) {
        continue;
      }
      ConfigNode list = e.getValue();
      List<ConfigNode> entries = list.isScalar() ? List.of(list) : list.elements();
      for (ConfigNode p : entries) {
        String s = p.requiredString("a name pattern");
        if (s == null) {
          continue;
        }
        String problem = SanPattern.problem(kind, s);
        if (problem != null) {
          p.invalid(problem);
        } else {
          out.add(new SanPattern(kind, s));
        }
      }
    }
    return out;
  }

  private static List<X509CRL> readCrls(ConfigNode n, String name, Path file) {
    String problem = ReadableFile.problem(file, MAX_FILE_BYTES);
    if (problem != null) {
      n.error(name + ": " + problem);
      return List.of();
    }
    List<X509CRL> out = new ArrayList<>();
    try {
      byte[] bytes = Files.readAllBytes(file);
      for (CRL c :
          CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes))) {
        if (c instanceof X509CRL x) {
          out.add(x);
        }
      }
    } catch (IOException e) {
      n.error(name + ": " + ReadableFile.describe(e));
      return List.of();
    } catch (CRLException | CertificateException | RuntimeException e) {
      n.error(name + ": not a certificate revocation list (expected: PEM X509 CRL blocks or DER)");
      return List.of();
    }
    if (out.isEmpty()) {
      n.error(name + ": no certificate revocation list found (expected: PEM X509 CRL or DER)");
    }
    return out;
  }
}
