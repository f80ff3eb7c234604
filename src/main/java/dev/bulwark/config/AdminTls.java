package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's TLS ({@code admin.tls}): none (plain HTTP, the default), {@code same} (the
 * gateway's own certificate and key from {@code tls}, reloaded with them), or a mapping of its own
 * shaped like {@code tls} ({@code cert}, {@code key}, {@code min-version}, {@code engine}).
 *
 * @param mode which of the three
 * @param own the listener's own certificate and key, for {@link Mode#OWN} only
 */
public record AdminTls(Mode mode, @Nullable TlsConfig own) {
  /** Plain HTTP. */
  public static final AdminTls PLAIN = new AdminTls(Mode.PLAIN, null);

  /** The gateway's certificate and key. */
  public static final AdminTls SAME = new AdminTls(Mode.SAME, null);

  private static final String EXPECTED =
      "same (the certificate of tls), or a mapping with cert and key (PEM files)";

  /** How the admin listener speaks. */
  public enum Mode {
    /** Plain HTTP. */
    PLAIN,
    /** TLS with the gateway's certificate and key. */
    SAME,
    /** TLS with a certificate and key of its own. */
    OWN
  }

  public AdminTls {
    requireNonNull(mode, "mode");
    if ((mode == Mode.OWN) != (own != null)) {
      throw new IllegalArgumentException("own: " + own + " (expected: a pair only for OWN)");
    }
  }

  /** Returns whether the admin listener speaks TLS. */
  public boolean enabled() {
    return mode != Mode.PLAIN;
  }

  /**
   * Returns the TLS the admin listener serves beside the gateway's {@code tls}, or null (plain).
   */
  public @Nullable TlsConfig served(TlsConfig gateway) {
    return switch (mode) {
      case PLAIN -> null;
      case SAME -> gateway;
      case OWN -> own;
    };
  }

  /** Reads {@code admin.tls} (absent: plain HTTP). */
  static AdminTls read(ConfigNode n, Path baseDir) {
    if (!n.present()) {
      return PLAIN;
    }
    if (n.isScalar()) {
      String s = n.string(EXPECTED);
      if ("same".equals(s)) {
        return SAME;
      }
      if (s != null) {
        n.invalid(EXPECTED);
      }
      return PLAIN;
    }
    if (!n.isMapping()) {
      n.invalid(EXPECTED);
      return PLAIN;
    }
    return new AdminTls(Mode.OWN, TlsConfig.read(n, baseDir));
  }

  @Override
  public String toString() {
    return switch (mode) {
      case PLAIN -> "plain";
      case SAME -> "same";
      case OWN -> "cert " + requireNonNull(own).cert();
    };
  }
}
