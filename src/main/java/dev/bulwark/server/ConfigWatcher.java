package dev.bulwark.server;

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
 * changes (size or modification time, polled), off the event loops.
 */
final class ConfigWatcher {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

  private final Vertx vertx;
  private final Gateway gateway;
  private final Path configFile;
  private final Duration interval;
  private volatile List<String> fingerprint;
  private volatile long timerId = -1;

  ConfigWatcher(Vertx vertx, Gateway gateway, Path configFile, Duration interval) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.configFile = configFile;
    this.interval = interval;
    this.fingerprint = fingerprint();
  }

  void start() {
    timerId =
        vertx.setPeriodic(
            interval.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      List<String> now = fingerprint();
                      if (!now.equals(fingerprint)) {
                        fingerprint = now;
                        LOG.info("configuration or certificate files changed; reloading");
                        gateway.reload();
                      }
                      return null;
                    }));
    try {
      sun.misc.Signal.handle(
          new sun.misc.Signal("HUP"),
          sig ->
              vertx.executeBlocking(
                  () -> {
                    LOG.info("SIGHUP: reloading");
                    fingerprint = fingerprint();
                    gateway.reload();
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

  private List<String> fingerprint() {
    List<String> parts = new ArrayList<>();
    List<Path> files = new ArrayList<>(List.of(configFile));
    var tls = gateway.config().tls();
    files.add(tls.cert());
    files.add(tls.key());
    for (Path p : files) {
      try {
        parts.add(p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis());
      } catch (IOException e) {
        parts.add(p + ":missing");
      }
    }
    return parts;
  }
}
