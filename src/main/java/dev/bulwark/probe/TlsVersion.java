package dev.bulwark.probe;

import org.jspecify.annotations.Nullable;

/** A TLS protocol version as the probe offers it. */
public enum TlsVersion {
  TLS_1_0(0x0301, "TLSv1"),
  TLS_1_1(0x0302, "TLSv1.1"),
  TLS_1_2(0x0303, "TLSv1.2"),
  TLS_1_3(0x0304, "TLSv1.3");

  private final int wire;
  private final String jdkName;

  TlsVersion(int wire, String jdkName) {
    this.wire = wire;
    this.jdkName = jdkName;
  }

  /** Returns the two-byte version as it appears in a hello. */
  public int wire() {
    return wire;
  }

  /** Returns the JDK's name for this version, e.g. {@code TLSv1.2}. */
  public String jdkName() {
    return jdkName;
  }

  /** Returns the version with the given wire value, or {@code null} for an unknown one. */
  static @Nullable TlsVersion fromWire(int wire) {
    for (TlsVersion v : values()) {
      if (v.wire == wire) {
        return v;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return jdkName;
  }
}
