package dev.bulwark.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Vault's transit secrets engine, the three calls that wrap a key without the wrapping key ever
 * leaving Vault: {@code POST /v1/<mount>/encrypt/<key>}, {@code POST /v1/<mount>/decrypt/<key>} and
 * {@code POST /v1/<mount>/rewrap/<key>} (to the key's latest version). Blocking.
 */
final class VaultTransit {
  /** A ciphertext as Vault writes it: {@code vault:v<version>:<base64>}. */
  private static final Pattern CIPHERTEXT = Pattern.compile("vault:v[0-9]{1,9}:[A-Za-z0-9+/=]+");

  /** A transit ciphertext longer than this is refused (a wrapped key is under 200 characters). */
  static final int MAX_CIPHERTEXT_CHARS = 4096;

  private VaultTransit() {}

  /** Returns whether {@code text} has the shape of a transit ciphertext. */
  static boolean isCiphertext(String text) {
    return text.length() <= MAX_CIPHERTEXT_CHARS && CIPHERTEXT.matcher(text).matches();
  }

  static String encrypt(VaultHttp http, String token, TransitKey key, byte[] plain)
      throws VaultException {
    ObjectNode body = VaultHttp.body().put("plaintext", Base64.getEncoder().encodeToString(plain));
    JsonNode answer = http.post(key.mount() + "/encrypt/" + key.name(), token, body, key.what());
    return ciphertext(answer.path("data").path("ciphertext"), key);
  }

  static byte[] decrypt(VaultHttp http, String token, TransitKey key, String ciphertext)
      throws VaultException {
    checkShape(ciphertext, key);
    ObjectNode body = VaultHttp.body().put("ciphertext", ciphertext);
    JsonNode answer = http.post(key.mount() + "/decrypt/" + key.name(), token, body, key.what());
    JsonNode plain = answer.path("data").path("plaintext");
    if (!plain.isTextual()) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET, key.what() + ": Vault's answer has no plaintext");
    }
    try {
      return Base64.getDecoder().decode(plain.textValue());
    } catch (IllegalArgumentException e) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET, key.what() + ": Vault's plaintext is not base64");
    }
  }

  static String rewrap(VaultHttp http, String token, TransitKey key, String ciphertext)
      throws VaultException {
    checkShape(ciphertext, key);
    ObjectNode body = VaultHttp.body().put("ciphertext", ciphertext);
    JsonNode answer = http.post(key.mount() + "/rewrap/" + key.name(), token, body, key.what());
    return ciphertext(answer.path("data").path("ciphertext"), key);
  }

  private static void checkShape(String ciphertext, TransitKey key) throws VaultException {
    if (!isCiphertext(ciphertext)) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          key.what() + ": not a transit ciphertext (expected: vault:v<version>:<base64>)");
    }
  }

  private static String ciphertext(JsonNode c, TransitKey key) throws VaultException {
    if (!c.isTextual() || !isCiphertext(c.textValue())) {
      throw new VaultException(
          VaultException.Reason.BAD_SECRET,
          key.what() + ": Vault's answer has no ciphertext of the form vault:v<version>:<base64>");
    }
    return c.textValue();
  }
}
