package dev.bulwark.admin.dashboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The fields of an {@code application/x-www-form-urlencoded} body; a repeated field is refused. */
final class FormBody {
  /** The most fields a dashboard form has, with room to spare. */
  static final int MAX_FIELDS = 16;

  private FormBody() {}

  /** Returns the fields, or null when the body is not a well-formed form of distinct fields. */
  static @Nullable Map<String, String> parse(@Nullable String contentType, byte[] body) {
    if (contentType == null
        || !contentType
            .toLowerCase(Locale.ROOT)
            .strip()
            .startsWith("application/x-www-form-urlencoded")) {
      return null;
    }
    String text = new String(body, StandardCharsets.UTF_8);
    Map<String, String> out = new HashMap<>();
    if (text.isEmpty()) {
      return out;
    }
    String[] pairs = text.split("&", -1);
    if (pairs.length > MAX_FIELDS) {
      return null;
    }
    try {
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (out.put(name, value) != null) {
          return null;
        }
      }
    } catch (IllegalArgumentException malformedEscape) {
      return null;
    }
    return out;
  }
}
