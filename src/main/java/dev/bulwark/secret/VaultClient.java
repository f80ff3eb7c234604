package dev.bulwark.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Vault's documented HTTP API, the parts the gateway uses: login ({@code /v1/auth/<mount>/login}
 * for AppRole and Kubernetes), token lookup and renewal ({@code /v1/auth/token/lookup-self}, {@code
 * /v1/auth/token/renew-self}), and KV v2 reads ({@code /v1/<mount>/data/<path>}). Blocking; never
 * called on an event loop.
 */
final class VaultClient implements AutoCloseable {
  /** A secret value larger than this is refused (the same bound as a secret file). */
  static final int MAX_VALUE_BYTES = 64 * 1024;

  /** A service-account token file larger than this is refused. */
  private static final long MAX_JWT_FILE_BYTES = 64 * 1024;

  /** A token and how long it lives; {@code ttl} zero means it never expires. */
  record Lease(String token, Duration ttl, boolean renewable) {
    @Override
    public String toString() {
      return "Lease[token=redacted, ttl=" + ttl + ", renewable=" + renewable + "]";
    }
  }

  private final VaultSettings settings;
  private final VaultHttp http;

  VaultClient(VaultSettings settings) throws VaultException {
    this.settings = settings;
    this.http = new VaultHttp(settings);
  }

  /** Logs in with the configured method and returns the token's lease. */
  Lease logIn() throws VaultException {
    VaultAuth auth = settings.auth();
    if (auth instanceof VaultAuth.Token t) {
      JsonNode data = http.get("auth/token/lookup-self", t.token(), "vault token").path("data");
      return new Lease(
          t.token(),
          Duration.ofSeconds(Math.max(0, data.path("ttl").asLong(0))),
          data.path("renewable").asBoolean(false));
    }
    ObjectNode body = VaultHttp.body();
    String mount;
    if (auth instanceof VaultAuth.AppRole a) {
      body.put("role_id", a.roleId()).put("secret_id", a.secretId());
      mount = a.mount();
    } else {
      VaultAuth.Kubernetes k = (VaultAuth.Kubernetes) auth;
      body.put("role", k.role()).put("jwt", serviceAccountToken(k));
      mount = k.mount();
    }
    JsonNode answer = http.post("auth/" + mount + "/login", null, body, auth.method() + " login");
    return lease(answer, auth.method() + " login");
  }

  /** Renews the token ({@code renew-self}) and returns its new lease. */
  Lease renew(String token) throws VaultException {
    return lease(
        http.post("auth/token/renew-self", token, VaultHttp.body(), "token renewal"),
        "token renewal");
  }

  /**
   * Reads the current version of a KV v2 secret and returns its fields.
   *
   * @throws VaultException when Vault cannot answer, or the answer is not a live KV v2 secret
   */
  Secret read(String token, VaultReference ref) throws VaultException {
    String what = ref.secret();
    JsonNode answer = http.get(ref.apiPath(), token, what);
    JsonNode data = answer.path("data");
    JsonNode fields = data.path("data");
    JsonNode metadata = data.path("metadata");
    if (!metadata.path("deletion_time").asText("").isEmpty()
        || metadata.path("destroyed").asBoolean(false)) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          what + ": the current version is deleted in Vault (undelete it or write a new one)");
    }
    if (!fields.isObject()) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          what + ": not a KV v2 secret (is " + ref.mount() + " a KV version 2 mount?)");
    }
    Map<String, JsonNode> out = new HashMap<>();
    fields.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return new Secret(out, metadata.path("version").asLong(0));
  }

  /** The fields of one version of a KV v2 secret. */
  record Secret(Map<String, JsonNode> fields, long version) {
    Secret {
      fields = Map.copyOf(fields);
    }

    /** Returns the field's string value, checked for shape and size. */
    String field(VaultReference ref) throws VaultException {
      JsonNode v = fields.get(ref.field());
      if (v == null) {
        throw new VaultException(
            VaultException.Reason.BAD_SECRET,
            ref.secret() + ": no field " + ref.field() + " (version " + version + ")");
      }
      if (!v.isTextual()) {
        throw new VaultException(
            VaultException.Reason.BAD_SECRET,
            ref + ": " + kind(v) + ", not a string (expected: the secret as a string)");
      }
      String s = v.textValue();
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
        throw new VaultException(
            VaultException.Reason.BAD_SECRET,
            ref + ": larger than " + (MAX_VALUE_BYTES >> 10) + "KiB");
      }
      if (s.isEmpty()) {
        throw new VaultException(VaultException.Reason.BAD_SECRET, ref + ": empty");
      }
      return s;
    }

    private static String kind(JsonNode v) {
      if (v.isObject()) {
        return "a mapping";
      }
      if (v.isArray()) {
        return "a list";
      }
      if (v.isNull()) {
        return "null";
      }
      return v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : "not text";
    }
  }

  private static Lease lease(JsonNode answer, String what) throws VaultException {
    JsonNode auth = answer.path("auth");
    String token = auth.path("client_token").asText("");
    if (token.isEmpty()) {
      throw new VaultException(
          VaultException.Reason.DENIED, what + ": Vault's answer has no client_token");
    }
    return new Lease(
        token,
        Duration.ofSeconds(Math.max(0, auth.path("lease_duration").asLong(0))),
        auth.path("renewable").asBoolean(false));
  }

  private static String serviceAccountToken(VaultAuth.Kubernetes k) throws VaultException {
    try {
      if (Files.size(k.jwtFile()) > MAX_JWT_FILE_BYTES) {
        throw new VaultException(
            VaultException.Reason.DENIED,
            "vault.auth.kubernetes.jwt-file: " + k.jwtFile() + ": larger than 64KiB");
      }
      String jwt = Files.readString(k.jwtFile(), StandardCharsets.UTF_8).strip();
      if (jwt.isEmpty()) {
        throw new VaultException(
            VaultException.Reason.DENIED,
            "vault.auth.kubernetes.jwt-file: " + k.jwtFile() + ": empty");
      }
      return jwt;
    } catch (IOException | RuntimeException e) {
      throw new VaultException(
          VaultException.Reason.DENIED,
          "vault.auth.kubernetes.jwt-file: " + k.jwtFile() + ": cannot be read");
    }
  }

  /** Encrypts {@code plain} under the transit key's latest version. */
  String transitEncrypt(String token, TransitKey key, byte[] plain) throws VaultException {
    return VaultTransit.encrypt(http, token, key, plain);
  }

  /** Decrypts a transit ciphertext of this key. */
  byte[] transitDecrypt(String token, TransitKey key, String ciphertext) throws VaultException {
    return VaultTransit.decrypt(http, token, key, ciphertext);
  }

  /** Re-encrypts a transit ciphertext under the key's latest version, without showing the plain. */
  String transitRewrap(String token, TransitKey key, String ciphertext) throws VaultException {
    return VaultTransit.rewrap(http, token, key, ciphertext);
  }

  /** Returns the settings this client was made with. */
  VaultSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    http.close();
  }
}
