package dev.bulwark.config;

import dev.bulwark.secret.VaultAuth;
import dev.bulwark.secret.VaultReference;
import dev.bulwark.secret.VaultSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the top-level {@code vault} section (how to reach and log in to Vault) into {@link
 * VaultSettings}, every mistake reported with its path. Credentials in it are taken only as {@code
 * ${env:..}} or {@code ${file:..}} references.
 */
final class VaultSection {
  static final String KEY = "vault";

  private static final Set<String> KEYS =
      Set.of("address", "ca", "auth", "timeout", "refresh", "namespace");
  private static final Set<String> AUTH_KEYS = Set.of("token", "approle", "kubernetes");
  private static final Set<String> APPROLE_KEYS = Set.of("role-id", "secret-id", "mount");
  private static final Set<String> KUBERNETES_KEYS = Set.of("role", "jwt-file", "mount");
  private static final String SERVICE_ACCOUNT_TOKEN =
      "/var/run/secrets/kubernetes.io/serviceaccount/token";
  private static final long MAX_CA_BYTES = 1024 * 1024;

  private VaultSection() {}

  /** Returns the settings, or null when the section is absent or has errors (reported). */
  static @Nullable VaultSettings read(ConfigNode n, Path baseDir) {
    if (!n.expectMapping(KEYS)) {
      return null;
    }
    int before = n.problems().errorCount();
    URI address = address(n.get("address"));
    String caPem = ca(n.get("ca"), baseDir);
    VaultAuth auth = auth(n.get("auth"));
    Duration timeout =
        n.get("timeout")
            .duration(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(60));
    Duration refresh =
        n.get("refresh")
            .duration(Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofHours(24));
    String namespace = n.get("namespace").string("a Vault namespace such as team-a");
    if (namespace != null && !VaultReference.isPath(namespace)) {
      n.get("namespace").invalid("a Vault namespace such as team-a or parent/child");
      namespace = null;
    }
    if (address == null || auth == null || n.problems().errorCount() > before) {
      return null;
    }
    return new VaultSettings(address, caPem, auth, timeout, refresh, namespace);
  }

  private static @Nullable URI address(ConfigNode n) {
    String s = n.requiredString("Vault's address such as https://vault.internal:8200");
    if (s == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      n.invalid("Vault's address such as https://vault.internal:8200");
      return null;
    }
    String path = uri.getRawPath();
    if (uri.getHost() == null
        || uri.getUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || (path != null && !path.isEmpty() && !path.equals("/"))) {
      n.invalid("https://host:port, without user, path or query");
      return null;
    }
    if ("http".equals(uri.getScheme())) {
      HostPort hp = new HostPort(uri.getHost(), 0);
      if (!hp.isLoopback()) {
        n.invalid("an https:// address (the Vault token would cross the network in the clear)");
        return null;
      }
      n.warning(s + ": plain HTTP to Vault (acceptable only for a Vault dev server on this host)");
    } else if (!"https".equals(uri.getScheme())) {
      n.invalid("an https:// address such as https://vault.internal:8200");
      return null;
    }
    return uri;
  }

  private static @Nullable String ca(ConfigNode n, Path baseDir) {
    String p = n.string("a PEM CA bundle file");
    if (p == null) {
      return null;
    }
    Path file = baseDir.resolve(p);
    String problem = ReadableFile.problem(file, MAX_CA_BYTES);
    if (problem != null) {
      n.error(p + ": " + problem);
      return null;
    }
    try {
      String pem = Files.readString(file, StandardCharsets.US_ASCII);
      if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        n.error(
            p
                + ": no PEM certificate in it (expected: the CA bundle that issued Vault's certificate)");
        return null;
      }
      return pem;
    } catch (IOException e) {
      n.error(p + ": " + ReadableFile.describe(e));
      return null;
    }
  }

  private static @Nullable VaultAuth auth(ConfigNode n) {
    if (!n.present()) {
      n.error("missing (expected: one of token, approle or kubernetes)");
      return null;
    }
    if (!n.expectMapping(AUTH_KEYS)) {
      return null;
    }
    int given = 0;
    for (String k : AUTH_KEYS) {
      given += n.get(k).present() ? 1 : 0;
    }
    if (given != 1) {
      n.error(
          (given == 0 ? "no method" : "more than one method")
              + " (expected: exactly one of token, approle or kubernetes)");
      return null;
    }
    if (n.get("token").present()) {
      String token = credential(n.get("token"), "${file:/run/secrets/vault-token}");
      return token == null ? null : new VaultAuth.Token(token);
    }
    if (n.get("approle").present()) {
      ConfigNode a = n.get("approle");
      if (!a.expectMapping(APPROLE_KEYS)) {
        return null;
      }
      String roleId = a.get("role-id").requiredString("the AppRole's role_id");
      String secretId = credential(a.get("secret-id"), "${file:/run/secrets/vault-secret-id}");
      String mount = mount(a.get("mount"), "approle");
      return roleId == null || secretId == null || mount == null
          ? null
          : new VaultAuth.AppRole(mount, roleId, secretId);
    }
    ConfigNode k = n.get("kubernetes");
    if (!k.expectMapping(KUBERNETES_KEYS)) {
      return null;
    }
    String role = k.get("role").requiredString("the Vault role bound to this service account");
    String jwt = k.get("jwt-file").string("the service account token file", SERVICE_ACCOUNT_TOKEN);
    String mount = mount(k.get("mount"), "kubernetes");
    return role == null || mount == null
        ? null
        : new VaultAuth.Kubernetes(mount, role, Path.of(jwt));
  }

  /** Returns a credential given as a reference (a literal is an error), or null after reporting. */
  private static @Nullable String credential(ConfigNode n, String example) {
    if (!n.present()) {
      n.error("missing (expected: a reference such as " + example + ")");
      return null;
    }
    String raw = n.rawText();
    if (raw != null && !SecretResolver.containsReference(raw)) {
      n.error("literal credential (expected: a reference such as " + example + ")");
      return null;
    }
    return n.string("a reference such as " + example);
  }

  private static @Nullable String mount(ConfigNode n, String fallback) {
    String m = n.string("an auth mount path such as " + fallback, fallback);
    if (!VaultReference.isPath(m)) {
      n.invalid("an auth mount path such as " + fallback);
      return null;
    }
    return m;
  }
}
