package dev.bulwark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The transit secrets engine of {@link TestVault}, following Vault's documented API: {@code POST
 * <mount>/encrypt/<key>} (creating the key on first use, as Vault's upsert does), {@code
 * <mount>/decrypt/<key>}, {@code <mount>/rewrap/<key>}, {@code POST <mount>/keys/<key>} (create),
 * {@code POST <mount>/keys/<key>/rotate}, {@code DELETE <mount>/keys/<key>}. Ciphertexts are {@code
 * vault:v<version>:<base64 of nonce and AES-256-GCM ciphertext>}; plaintexts are base64.
 */
final class TransitEngine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern CIPHERTEXT = Pattern.compile("vault:v([0-9]+):(.*)");

  /** An answer: status and JSON body. */
  record Answer(int status, ObjectNode body) {}

  private final Set<String> mounts = new CopyOnWriteArraySet<>(Set.of("transit"));
  private final Map<String, List<byte[]>> keys = new ConcurrentHashMap<>();
  private final AtomicInteger decrypts = new AtomicInteger();

  /** Creates the key {@code mount/name} with one version (no-op when it exists). */
  void create(String mount, String name) {
    mounts.add(mount);
    keys.computeIfAbsent(mount + "/" + name, k -> versions());
  }

  /** Adds a version to the key; new ciphertexts use it, old ones still decrypt. */
  void rotate(String mount, String name) {
    List<byte[]> v = keys.get(mount + "/" + name);
    if (v != null) {
      v.add(random(32));
    }
  }

  /** Deletes the key and every version. */
  void delete(String mount, String name) {
    keys.remove(mount + "/" + name);
  }

  /** Returns the latest version of the key, 0 when there is none. */
  int latest(String mount, String name) {
    List<byte[]> v = keys.get(mount + "/" + name);
    return v == null ? 0 : v.size();
  }

  int decrypts() {
    return decrypts.get();
  }

  /** Answers the request when {@code api} is a transit path, or returns null. */
  @Nullable Answer handle(String method, String api, JsonNode json) {
    int slash = api.indexOf('/');
    String mount = null;
    for (String m : mounts) {
      if (api.startsWith(m + "/") && (mount == null || m.length() > mount.length())) {
        mount = m;
      }
    }
    if (slash < 0 || mount == null) {
      return null;
    }
    String rest = api.substring(mount.length() + 1);
    int cut = rest.indexOf('/');
    if (cut < 0) {
      return null;
    }
    String op = rest.substring(0, cut);
    String name = rest.substring(cut + 1);
    String id = mount + "/" + name;
    if (op.equals("keys")) {
      if (name.endsWith("/rotate") && method.equals("POST")) {
        String key = mount + "/" + name.substring(0, name.length() - 7);
        List<byte[]> v = keys.get(key);
        if (v == null) {
          return error(400, "encryption key not found");
        }
        v.add(random(32));
        return new Answer(204, JSON.createObjectNode());
      }
      if (method.equals("POST")) {
        keys.computeIfAbsent(id, k -> versions());
        return new Answer(204, JSON.createObjectNode());
      }
      if (method.equals("DELETE")) {
        keys.remove(id);
        return new Answer(204, JSON.createObjectNode());
      }
      return null;
    }
    if (!method.equals("POST")) {
      return null;
    }
    switch (op) {
      case "encrypt" -> {
        byte[] plain;
        try {
          plain = Base64.getDecoder().decode(json.path("plaintext").asText(""));
        } catch (IllegalArgumentException e) {
          return error(400, "failed to base64-decode plaintext");
        }
        List<byte[]> v = keys.computeIfAbsent(id, k -> versions());
        return ciphertext(encrypt(v, v.size(), plain));
      }
      case "decrypt", "rewrap" -> {
        List<byte[]> v = keys.get(id);
        if (v == null) {
          return error(400, "encryption key not found");
        }
        Matcher m = CIPHERTEXT.matcher(json.path("ciphertext").asText(""));
        if (!m.matches()) {
          return error(400, "invalid ciphertext: no prefix");
        }
        int version = Integer.parseInt(m.group(1));
        if (version < 1 || version > v.size()) {
          return error(400, "invalid ciphertext: key version not found");
        }
        byte[] plain = decrypt(v.get(version - 1), m.group(2));
        if (plain == null) {
          return error(400, "cipher: message authentication failed");
        }
        if (op.equals("rewrap")) {
          return ciphertext(encrypt(v, v.size(), plain));
        }
        decrypts.incrementAndGet();
        ObjectNode out = JSON.createObjectNode();
        out.putObject("data").put("plaintext", Base64.getEncoder().encodeToString(plain));
        return new Answer(200, out);
      }
      default -> {
        return null;
      }
    }
  }

  private static List<byte[]> versions() {
    List<byte[]> v = new CopyOnWriteArrayList<>();
    v.add(random(32));
    return v;
  }

  private static Answer ciphertext(String c) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode d = out.putObject("data");
    d.put("ciphertext", c);
    d.put("key_version", Integer.parseInt(c.substring(7, c.indexOf(':', 7))));
    return new Answer(200, out);
  }

  private static Answer error(int status, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.putArray("errors").add(message);
    return new Answer(status, out);
  }

  private static String encrypt(List<byte[]> versions, int version, byte[] plain) {
    try {
      byte[] nonce = random(12);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(versions.get(version - 1), "AES"),
          new GCMParameterSpec(128, nonce));
      byte[] body = c.doFinal(plain);
      byte[] all = ByteBuffer.allocate(12 + body.length).put(nonce).put(body).array();
      return "vault:v" + version + ":" + Base64.getEncoder().encodeToString(all);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte @Nullable [] decrypt(byte[] key, String text) {
    try {
      byte[] all = Base64.getDecoder().decode(text);
      if (all.length < 12 + 16) {
        return null;
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(128, all, 0, 12));
      return c.doFinal(all, 12, all.length - 12);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
