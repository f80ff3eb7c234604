package dev.bulwark.server;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.TlsConfig;
import io.vertx.core.http.HttpServer;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Serves a reloaded certificate and key on the admin listener when it speaks TLS ({@code admin.tls:
 * same} follows the gateway's {@code tls}; a pair of its own follows its own files). Turning TLS on
 * or off takes a restart (the listener is bound plain or TLS), which {@link RestartOnlySettings}
 * says.
 */
final class AdminTlsReload {
  private static final Logger LOG = Logger.getLogger(AdminTlsReload.class.getName());

  private AdminTlsReload() {}

  /** Swaps the admin listener's certificate for new connections when the reload changed it. */
  static void apply(@Nullable HttpServer admin, BulwarkConfig previous, BulwarkConfig next) {
    TlsConfig before = previous.admin().tls().served(previous.tls());
    TlsConfig after = next.admin().tls().served(next.tls());
    if (admin == null || before == null || after == null || before.pair().equals(after.pair())) {
      return;
    }
    admin
        .updateSSLOptions(TlsSetup.sslOptions(after).setUseAlpn(false), true)
        .onSuccess(x -> LOG.info("admin listener certificate reloaded: " + after.pair().subject()))
        .onFailure(
            e ->
                LOG.warning(
                    "admin listener TLS reload failed, the previous certificate stays: "
                        + e.getMessage()));
  }
}
