package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to reach Vault: its address, the CA bundle that verifies its certificate (the JDK's trusted
 * roots when null; verification is never off), how to log in, the time allowed for each request,
 * how often referenced secrets are read again, and the Enterprise namespace, if any.
 *
 * @param caPem the PEM text of the CA bundle, or null for the JDK's trusted roots
 * @param namespace the {@code X-Vault-Namespace}, or null
 */
public record VaultSettings(
    URI address,
    @Nullable String caPem,
    VaultAuth auth,
    Duration timeout,
    Duration refresh,
    @Nullable String namespace) {

  public VaultSettings {
    requireNonNull(address, "address");
    requireNonNull(auth, "auth");
    requireNonNull(timeout, "timeout");
    requireNonNull(refresh, "refresh");
  }

  /** Returns the address as written in messages, without a trailing slash. */
  public String where() {
    String s = address.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
