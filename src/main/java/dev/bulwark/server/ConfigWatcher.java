package dev.bulwark.server;

import dev.bulwark.config.ClientCertificateDemand;
import dev.bulwark.config.Units;
import dev.bulwark.config.UpstreamConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reloads the gateway when SIGHUP arrives or when the configuration, certificate or key file
 * changes (size or modification time, polled), off the event loops. A change is applied once the
 * files have stopped changing for one interval; when only the certificate and key are wrong (a
 * renewal that has written one but not yet the other), the current pair keeps serving and the files
 * are checked again for up to {@link #PAIR_GRACE} before the reload counts as refused.
 */
final class ConfigWatcher {
  /** How long a certificate and key that do not form a valid pair are waited for. */
  static final Duration PAIR_GRACE = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Vertx vertx;
  private final Gateway gateway;
  private final Path configFile;
  private final Duration interval;
  private final Duration pairGrace;
  // Touched only by poll(), which runs on one worker at a time (ordered executeBlocking).
  private List<String> seen;
  private boolean pending;
  private long waitingSince = -1;
  private volatile long timerId = -1;

  ConfigWatcher(
      Vertx vertx, Gateway gateway, Path configFile, Duration interval, Duration pairGrace) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.configFile = configFile;
    this.interval = interval;
    this.pairGrace = pairGrace;
    this.seen = fingerprint();
  }

  void start() {
    timerId =
        vertx.setPeriodic(
            interval.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      poll();
                      return null;
                    }));
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("HUP"),
          sig ->
              vertx.executeBlocking(
                  () -> {
                    LOG.info("SIGHUP: reloading");
                    reloadNow();
                    return null;
                  }));
    } catch (IllegalArgumentException e) {
      LOG.warning("SIGHUP is not available on this platform; file changes still reload");
    }
  }

  void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  private synchronized void reloadNow() {
    seen = fingerprint();
    pending = false;
    waitingSince = -1;
    gateway.reload(false);
  }

  private synchronized void poll() {
    List<String> now = fingerprint();
    if (!now.equals(seen)) {
      // Wait one more interval: a file being written is read only once it stops changing.
      seen = now;
      pending = true;
      return;
    }
    if (!pending) {
      return;
    }
    boolean canWait = waitingSince < 0 || System.nanoTime() - waitingSince < pairGrace.toNanos();
    if (waitingSince < 0) {
      LOG.info("configuration or certificate files changed; reloading");
    }
    List<Path> watchedBefore = watched();
    Gateway.Reload r = gateway.reload(canWait);
    if (r.result() == Gateway.ReloadResult.WAITING_FOR_PAIR) {
      if (waitingSince < 0) {
        waitingSince = System.nanoTime();
        LOG.info(
            "the certificate and key do not form a valid pair yet ("
                + r.problems().get(0)
                + "); the current pair keeps serving, checking again for up to "
                + Units.formatDuration(pairGrace));
      }
      return;
    }
    pending = false;
    waitingSince = -1;
    if (!watched().equals(watchedBefore)) {
      // The reload named other certificate or key files: watch those from now on, without
      // taking their first sight for a change.
      seen = fingerprint();
    }
  }

  private List<Path> watched() {
    var config = gateway.config();
    List<Path> files =
        new ArrayList<>(List.of(configFile, config.tls().cert(), config.tls().key()));
    files.addAll(ClientCertificateDemand.filesOf(config)); // CA bundles and CRLs
    files.addAll(UpstreamConfig.clientCertificateFiles(config.routes()));
    var adminTls = config.admin().tls().own();
    if (adminTls != null) {
      files.addAll(List.of(adminTls.cert(), adminTls.key()));
    }
    return files;
  }

  private List<String> fingerprint() {
    List<String> parts = new ArrayList<>();
    for (Path p : watched()) {
      try {
        parts.add(p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis());
      } catch (IOException e) {
        parts.add(p + ":missing");
      }
    }
    return parts;
  }
}
