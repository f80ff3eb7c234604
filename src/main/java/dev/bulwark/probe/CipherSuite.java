package dev.bulwark.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A TLS 1.0-1.2 cipher suite by IANA code and name, with the weaknesses the transport check flags.
 *
 * @param code the two-byte IANA code
 * @param name the IANA name, e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
 */
public record CipherSuite(int code, String name) {

  /** Suites the probe offers; the modern ones first, so a plain offer finds the usual choice. */
  static final List<CipherSuite> CATALOG =
      List.of(
          new CipherSuite(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
          new CipherSuite(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
          new CipherSuite(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
          new CipherSuite(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
          new CipherSuite(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
          new CipherSuite(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
          new CipherSuite(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
          new CipherSuite(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
          new CipherSuite(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
          new CipherSuite(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
          new CipherSuite(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
          new CipherSuite(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
          new CipherSuite(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
          new CipherSuite(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
          new CipherSuite(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
          new CipherSuite(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
          new CipherSuite(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
          new CipherSuite(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
          new CipherSuite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
          new CipherSuite(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
          new CipherSuite(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
          new CipherSuite(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
          new CipherSuite(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
          new CipherSuite(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
          new CipherSuite(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
          new CipherSuite(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
          new CipherSuite(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
          new CipherSuite(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
          new CipherSuite(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
          new CipherSuite(0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
          new CipherSuite(0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
          new CipherSuite(0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
          new CipherSuite(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
          new CipherSuite(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
          new CipherSuite(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
          new CipherSuite(0x0001, "TLS_RSA_WITH_NULL_MD5"),
          new CipherSuite(0x0002, "TLS_RSA_WITH_NULL_SHA"),
          new CipherSuite(0x003B, "TLS_RSA_WITH_NULL_SHA256"),
          new CipherSuite(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
          new CipherSuite(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"));

  private static final Map<Integer, CipherSuite> BY_CODE =
      CATALOG.stream()
          .collect(Collectors.toUnmodifiableMap(CipherSuite::code, Function.identity()));

  /** Returns the catalogued suite with this code, or a placeholder naming the code. */
  static CipherSuite byCode(int code) {
    CipherSuite known = BY_CODE.get(code);
    return known != null ? known : new CipherSuite(code, String.format("0x%04X", code));
  }

  /** Returns the catalogued suites that have at least one weakness. */
  static List<CipherSuite> weakSuites() {
    return CATALOG.stream().filter(s -> !s.weaknesses().isEmpty()).toList();
  }

  /** Returns whether the suite encrypts with an AEAD construction (GCM, CCM, ChaCha20-Poly1305). */
  public boolean aead() {
    return name.contains("_GCM_") || name.contains("_CCM") || name.contains("CHACHA20_POLY1305");
  }

  /** Returns whether the key exchange is ephemeral, giving forward secrecy. */
  public boolean forwardSecret() {
    return (name.startsWith("TLS_ECDHE_") || name.startsWith("TLS_DHE_")) && !name.contains("anon");
  }

  /** Returns the weaknesses of this suite, empty for a modern suite. */
  public List<String> weaknesses() {
    List<String> weak = new ArrayList<>();
    if (name.contains("_NULL_")) {
      weak.add("no encryption");
    }
    if (name.contains("_anon_")) {
      weak.add("no authentication");
    }
    if (name.contains("EXPORT")) {
      weak.add("export-grade");
    }
    if (name.contains("RC4")) {
      weak.add("RC4");
    }
    if (name.contains("3DES") || name.contains("_DES_")) {
      weak.add("DES/3DES");
    }
    if (name.contains("_CBC_")) {
      weak.add("CBC");
    }
    if (!forwardSecret()) {
      weak.add("no forward secrecy");
    }
    if (!aead() && !name.contains("_NULL_")) {
      if (!name.contains("_CBC_") && !name.contains("RC4")) {
        weak.add("not AEAD");
      }
    }
    return weak;
  }
}
