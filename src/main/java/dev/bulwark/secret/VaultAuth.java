package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** How the gateway proves itself to Vault: a token, an AppRole, or a Kubernetes service account. */
public sealed interface VaultAuth {

  /** Returns the method's name as the configuration writes it. */
  String method();

  /** Returns whether the method can log in again when its token ends (a token cannot). */
  default boolean canLogIn() {
    return true;
  }

  /** A token given to the gateway (from a secret reference), renewed while it lives. */
  record Token(String token) implements VaultAuth {
    public Token {
      requireNonNull(token, "token");
    }

    @Override
    public String method() {
      return "token";
    }

    @Override
    public boolean canLogIn() {
      return false;
    }

    @Override
    public String toString() {
      return "Token[redacted]";
    }
  }

  /** AppRole login ({@code POST /v1/auth/<mount>/login} with the role and secret ids). */
  record AppRole(String mount, String roleId, String secretId) implements VaultAuth {
    public AppRole {
      requireNonNull(mount, "mount");
      requireNonNull(roleId, "roleId");
      requireNonNull(secretId, "secretId");
    }

    @Override
    public String method() {
      return "approle";
    }

    @Override
    public String toString() {
      return "AppRole[mount=" + mount + ", roleId=" + roleId + ", secretId=redacted]";
    }
  }

  /**
   * Kubernetes login ({@code POST /v1/auth/<mount>/login} with the role and the service account's
   * token, read from {@code jwtFile} at each login because the kubelet rotates it).
   */
  record Kubernetes(String mount, String role, Path jwtFile) implements VaultAuth {
    public Kubernetes {
      requireNonNull(mount, "mount");
      requireNonNull(role, "role");
      requireNonNull(jwtFile, "jwtFile");
    }

    @Override
    public String method() {
      return "kubernetes";
    }
  }
}
