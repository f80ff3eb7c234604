package dev.bulwark.server;

import dev.bulwark.config.HostPort;
import java.util.Locale;

/**
 * A listener could not bind its address; the message names the setting, the address and what to do,
 * in one line, so that a command can print it as it is.
 */
public final class ListenException extends Exception {
  private static final long serialVersionUID = 1L;

  ListenException(String setting, HostPort address, Throwable cause) {
    super(setting + ": cannot listen on " + address + ": " + reason(cause), cause);
  }

  private static String reason(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? "" : root.getMessage();
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.contains("address already in use")) {
      return "the address is already in use (stop the process that holds it, or choose another"
          + " port)";
    }
    if (lower.contains("permission denied") || lower.contains("access denied")) {
      return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a port"
          + " above 1023)";
    }
    if (lower.contains("cannot assign requested address")) {
      return "not an address of this host (expected: one of its addresses, 0.0.0.0 or 127.0.0.1)";
    }
    if (root instanceof java.nio.channels.UnresolvedAddressException
        || root instanceof java.net.UnknownHostException) {
      return "the host name does not resolve (expected: an IP address or a resolvable name)";
    }
    return m.isEmpty() ? "the listener did not start" : m;
  }
}
