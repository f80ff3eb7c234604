package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.secret.VaultSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Picks up rotated secrets without a restart: every refresh interval (off the event loops) it reads
 * the configuration's secret references again and, when one changed, runs the same validated reload
 * as a file change. A refused reload keeps the old values and is told as a {@code
 * secret-rotation-refused} event and a metric; Vault failing is told as {@code secret-unavailable}
 * and a metric while its last good values keep serving.
 */
final class SecretRotation implements VaultSession.Listener {
  private static final Logger LOG = Logger.getLogger(SecretRotation.class.getName());

  private final Gateway gateway;
  private final SecretResolver secrets;
  private final SecurityEvents security;
  private final Counter unavailable;
  private final Counter applied;
  private final Counter refused;
  private volatile long timerId = -1;

  SecretRotation(
      Gateway gateway, SecretResolver secrets, SecurityEvents security, MeterRegistry registry) {
    this.gateway = gateway;
    this.secrets = secrets;
    this.security = security;
    this.unavailable =
        Counter.builder("bulwark_secret_source_failures")
            .description("Reads of Vault that failed; the last good secret values kept serving")
            .register(registry);
    this.applied =
        Counter.builder("bulwark_secret_rotations")
            .description("Changed secrets picked up by a reload")
            .tag("result", "applied")
            .register(registry);
    this.refused =
        Counter.builder("bulwark_secret_rotations")
            .description("Changed secrets picked up by a reload")
            .tag("result", "refused")
            .register(registry);
    secrets.onVaultHealth(this);
  }

  /** Checks the secrets every {@code interval}, each check on a worker. */
  void start(Vertx vertx, Duration interval) {
    timerId =
        vertx.setPeriodic(
            interval.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      check();
                      return null;
                    }));
  }

  void stop(Vertx vertx) {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /**
   * Reads every referenced secret again and reloads when one changed; returns the reload, or null
   * when nothing changed.
   */
  Gateway.@Nullable Reload check() {
    List<String> changed = secrets.changed();
    if (changed.isEmpty()) {
      return null;
    }
    LOG.info("secret changed: " + String.join(", ", changed) + "; reloading");
    Gateway.Reload r = gateway.reload(false);
    if (r.result() == Gateway.ReloadResult.APPLIED) {
      applied.increment();
      security.publish(SecurityEvent.secretRotation(true, changed, null));
    } else {
      refused.increment();
      Problem first = r.problems().isEmpty() ? null : r.problems().get(0);
      String reason = first == null ? "refused" : first.toString();
      LOG.warning(
          "secret changed but the configuration with its new value is refused; the old value keeps"
              + " serving: "
              + reason);
      security.publish(SecurityEvent.secretRotation(false, changed, reason));
    }
    return r;
  }

  @Override
  public void unavailable(String address, String reason) {
    unavailable.increment();
    LOG.warning(reason + " (the last good secret values keep serving)");
    security.publish(SecurityEvent.secretUnavailable(address, reason));
  }

  @Override
  public void recovered(String address) {
    LOG.info("Vault at " + address + " answers again");
  }
}
