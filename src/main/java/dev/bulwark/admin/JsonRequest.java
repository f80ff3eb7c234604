package dev.bulwark.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.store.StoredFieldLimits;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The strict reading of an admin call's JSON body and query that the account and organisation APIs
 * share: a JSON object of known fields only (an unknown or repeated field, trailing data or a value
 * of the wrong type is refused with the field's name), text fields without control characters and
 * within a length, and page parameters within bounds.
 */
final class JsonRequest {
  /** The mapper of the account and organisation APIs: strict on input, plain on output. */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The page size when a list call names none. */
  static final int DEFAULT_LIMIT = 100;

  /** The longest cursor ({@code after}) a list call takes. */
  static final int MAX_CURSOR_CHARS = 256;

  /** A request that is not valid: its status, the field concerned (or empty) and why. */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String field;

    Invalid(int status, String field, String message) {
      super(message, null, false, false);
      this.status = status;
      this.field = field;
    }

    /** Answers the call with this refusal. */
    void answer(AdminCall call) {
      if (field.isEmpty()) {
        call.error(status, String.valueOf(getMessage()));
      } else {
        call.error(status, String.valueOf(getMessage()), field);
      }
    }
  }

  /** A page request: the cursor after which to start (empty for the first page) and its size. */
  record PageQuery(String after, int limit) {}

  private JsonRequest() {}

  /**
   * Reads the body as a JSON object whose fields are all in {@code allowed}.
   *
   * @throws Invalid 415 when not declared JSON, 400 when malformed or with an unknown field
   */
  static ObjectNode object(AdminCall call, Set<String> allowed) {
    String type = call.header("content-type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new Invalid(415, "", "expected a JSON body (content-type: application/json)");
    }
    JsonNode n;
    try {
      n = JSON.readTree(call.body());
    } catch (IOException e) {
      throw new Invalid(400, "", "malformed JSON");
    }
    if (n == null || !n.isObject()) {
      throw new Invalid(400, "", "expected a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        String shown = name.length() > 64 ? name.substring(0, 64) : name;
        throw new Invalid(
            400, printable(shown), "unknown field (expected: " + String.join(", ", allowed) + ")");
      }
    }
    return (ObjectNode) n;
  }

  /**
   * Returns a text field, or null when absent or JSON null.
   *
   * @throws Invalid when it is not a string, longer than {@code maxChars} or holds a control or
   *     format character
   */
  static @Nullable String text(ObjectNode n, String field, int maxChars) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Invalid(400, field, "expected a string");
    }
    String s = v.textValue();
    if (s.length() > maxChars) {
      throw new Invalid(400, field, "longer than " + maxChars + " characters");
    }
    if (hasControl(s)) {
      throw new Invalid(400, field, "contains a control character");
    }
    return s;
  }

  /** Returns a required text field; see {@link #text}. */
  static String required(ObjectNode n, String field, int maxChars) {
    String s = text(n, field, maxChars);
    if (s == null || s.isBlank()) {
      throw new Invalid(400, field, "required");
    }
    return s;
  }

  /** Returns whether {@code s} holds a control, format or unpaired surrogate character. */
  static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  /** Returns the {@code after} and {@code limit} query parameters of a list call. */
  static PageQuery page(AdminCall call) {
    String after = call.query("after");
    if (after == null) {
      after = "";
    }
    if (after.length() > MAX_CURSOR_CHARS || hasControl(after)) {
      throw new Invalid(
          400, "after", "expected the next cursor of a previous page (at most 256 characters)");
    }
    String l = call.query("limit");
    int limit = DEFAULT_LIMIT;
    if (l != null) {
      try {
        limit = l.length() > 9 ? -1 : Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > StoredFieldLimits.PAGE) {
        throw new Invalid(
            400, "limit", "expected a whole number from 1 to " + StoredFieldLimits.PAGE);
      }
    }
    return new PageQuery(after, limit);
  }

  /** Returns {@code s} with every non-printable ASCII character as {@code ?} (for messages). */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
    }
    return b.toString();
  }
}
