package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The contract document with its local {@code $ref}s: every reference is checked once at load
 * (remote ones refused), then followed by pointer.
 */
final class Refs {
  /** A node and the JSON Pointer it was found at. */
  record At(JsonNode node, String pointer) {}

  private static final int MAX_HOPS = 32;

  private final JsonNode root;
  private final List<String> errors;

  Refs(JsonNode root, List<String> errors) {
    this.root = root;
    this.errors = errors;
  }

  /** Reports every {@code $ref} that is remote or does not resolve. */
  void checkAll() {
    walk(root, "", 0);
  }

  private void walk(JsonNode n, String at, int depth) {
    if (depth > 200) {
      return;
    }
    if (n.isObject()) {
      JsonNode ref = n.get("$ref");
      if (ref != null && ref.isTextual()) {
        String r = ref.textValue();
        if (!r.startsWith("#")) {
          errors.add(at + "/$ref: remote $ref \"" + cut(r) + "\" refused (only local #/... refs)");
        } else if (resolve(r) == null) {
          errors.add(at + "/$ref: \"" + cut(r) + "\" does not resolve");
        }
      }
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(e.getValue(), at + "/" + escape(e.getKey()), depth + 1);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        walk(n.get(i), at + "/" + i, depth + 1);
      }
    }
  }

  /** Follows {@code $ref} chains from a node; returns null (after reporting) on a loop. */
  @Nullable At deref(JsonNode n, String at) {
    JsonNode cur = n;
    String ptr = at;
    for (int hops = 0; hops < MAX_HOPS; hops++) {
      JsonNode ref = cur.get("$ref");
      if (ref == null || !ref.isTextual() || !cur.isObject()) {
        return new At(cur, ptr);
      }
      JsonNode target = resolve(ref.textValue());
      if (target == null) {
        return null; // reported by checkAll
      }
      ptr = ref.textValue().substring(1);
      cur = target;
    }
    errors.add(at + ": $ref chain longer than " + MAX_HOPS + " (a loop?)");
    return null;
  }

  @Nullable JsonNode resolve(String ref) {
    if (!ref.startsWith("#")) {
      return null;
    }
    String fragment;
    try {
      fragment = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!fragment.isEmpty() && !fragment.startsWith("/")) {
      return null;
    }
    JsonNode t = root.at(fragment);
    return t.isMissingNode() ? null : t;
  }

  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  static String cut(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
