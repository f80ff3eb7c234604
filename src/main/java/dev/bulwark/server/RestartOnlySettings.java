package dev.bulwark.server;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings a reload cannot apply (the listeners are bound and built with them), named with
 * their old and new values so that the notice says which one to restart for.
 */
final class RestartOnlySettings {
  private RestartOnlySettings() {}

  /** Returns each restart-only setting that differs, as {@code path (old -> new)}. */
  static List<String> changed(BulwarkConfig previous, BulwarkConfig next) {
    List<String> out = new ArrayList<>();
    compare(out, "listen.https", previous.listen().https(), next.listen().https());
    compare(out, "listen.http", previous.listen().http(), next.listen().http());
    compare(out, "listen.admin", previous.listen().admin(), next.listen().admin());
    compare(
        out,
        "server.event-loops",
        loops(previous.server().eventLoops()),
        loops(next.server().eventLoops()));
    compare(
        out,
        "server.explain-recent",
        previous.server().explainRecent(),
        next.server().explainRecent());
    compare(
        out,
        "server.blocking.threads",
        previous.server().blockingThreads(),
        next.server().blockingThreads());
    compare(
        out,
        "server.blocking.queue",
        previous.server().blockingQueue(),
        next.server().blockingQueue());
    compare(
        out,
        "defaults.limits.uri",
        Units.formatSize(previous.server().maxUriLength()),
        Units.formatSize(next.server().maxUriLength()));
    compare(
        out,
        "defaults.limits.header",
        Units.formatSize(previous.server().maxHeaderSize()),
        Units.formatSize(next.server().maxHeaderSize()));
    compare(
        out,
        "tls.engine",
        previous.tls().engine().name().toLowerCase(java.util.Locale.ROOT),
        next.tls().engine().name().toLowerCase(java.util.Locale.ROOT));
    compare(out, "tls.min-version", previous.tls().minVersion(), next.tls().minVersion());
    compare(
        out,
        "admin.tls",
        previous.admin().tls().enabled() ? "on" : "off",
        next.admin().tls().enabled() ? "on" : "off");
    if (!previous.store().equals(next.store())) {
      // No values: a store address can carry credentials.
      out.add("store");
    }
    if (!previous.alerts().equals(next.alerts())) {
      // No values: a webhook has a secret and its URL may carry a token.
      out.add("audit.alerts");
    }
    return out;
  }

  private static String loops(int n) {
    return n == 0 ? "one per core" : String.valueOf(n);
  }

  private static void compare(
      List<String> out, String path, @Nullable Object before, @Nullable Object after) {
    if (!Objects.equals(before, after)) {
      out.add(path + " (" + text(before) + " -> " + text(after) + ")");
    }
  }

  private static String text(@Nullable Object o) {
    return o == null ? "off" : o.toString();
  }
}
