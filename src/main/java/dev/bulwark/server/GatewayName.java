package dev.bulwark.server;

/** The name a gateway goes by in alerts when {@code audit.alerts.gateway-id} does not say. */
final class GatewayName {
  private GatewayName() {}

  /** Returns the host's name from {@code HOSTNAME} (no DNS look-up), else {@code bulwark}. */
  static String of() {
    String h = System.getenv("HOSTNAME");
    return h == null || h.isBlank() || h.length() > 255 ? "bulwark" : h;
  }
}
