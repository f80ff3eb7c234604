package dev.bulwark.policy.headers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The header sets behind the {@code strict} (APIs) and {@code web} (HTML apps) presets. */
final class HeaderPresets {
  private static final String HSTS = "max-age=31536000; includeSubDomains";
  private static final String PERMISSIONS =
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

  /** Response headers that reveal the upstream's software; removed by every preset but off. */
  static final List<String> BANNERS =
      List.of(
          "server",
          "x-powered-by",
          "x-aspnet-version",
          "x-aspnetmvc-version",
          "x-runtime",
          "x-version",
          "x-generator",
          "x-backend-server",
          "via");

  private HeaderPresets() {}

  static Map<String, String> headers(HeadersConfig.Preset preset) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (preset) {
      case STRICT -> {
        m.put("strict-transport-security", HSTS);
        m.put("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
        m.put("x-content-type-options", "nosniff");
        m.put("x-frame-options", "DENY");
        m.put("referrer-policy", "no-referrer");
        m.put("permissions-policy", PERMISSIONS);
        m.put("cross-origin-opener-policy", "same-origin");
        m.put("cross-origin-resource-policy", "same-origin");
      }
      case WEB -> {
        m.put("strict-transport-security", HSTS);
        m.put(
            "content-security-policy",
            "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'");
        m.put("x-content-type-options", "nosniff");
        m.put("x-frame-options", "DENY");
        m.put("referrer-policy", "strict-origin-when-cross-origin");
        m.put("permissions-policy", PERMISSIONS);
        m.put("cross-origin-opener-policy", "same-origin");
        m.put("cross-origin-resource-policy", "same-origin");
      }
      case OFF -> {}
    }
    return m;
  }

  static List<String> banners(HeadersConfig.Preset preset) {
    return preset == HeadersConfig.Preset.OFF ? List.of() : BANNERS;
  }
}
