package dev.bulwark.policy.contract;

import dev.bulwark.exchange.RequestView;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks a request's path, query, header and cookie parameters against an operation: presence,
 * repetition, and each value against its schema; undeclared query parameters are violations unless
 * the route allows them.
 */
final class RequestParameters {
  private static final int MAX_QUERY_PARAMS = 256;

  private RequestParameters() {}

  static void check(
      RequestView req,
      PathTemplate t,
      String[] segments,
      Operation op,
      boolean allowUndeclaredQuery,
      Violations v) {
    Map<String, List<String>> query = query(req.query(), v);
    if (query == null) {
      return;
    }
    Map<String, String> cookies = null;
    for (Parameter p : op.parameters()) {
      List<String> values;
      switch (p.in()) {
        case "path" -> {
          values = pathValue(t, segments, p.name());
          if (values == null) {
            v.add("path", p.name(), "malformed percent-encoding");
            continue;
          }
        }
        case "query" -> values = query.getOrDefault(p.name(), List.of());
        case "header" -> values = req.headers(p.name());
        default -> {
          if (cookies == null) {
            cookies = cookies(req.headers("cookie"));
          }
          String c = cookies.get(p.name());
          values = c == null ? List.of() : List.of(c);
        }
      }
      if (values.isEmpty()) {
        if (p.required()) {
          v.add(p.in(), p.name(), "required parameter missing");
        }
        continue;
      }
      if (values.size() > 1
          && !(p.in().equals("query") && (p.schema().types & Schema.ARRAY) != 0)) {
        v.add(p.in(), p.name(), "parameter repeated");
        continue;
      }
      p.schema().validate(p.read(values), Loc.named(p.name()), p.in(), v);
    }
    if (!allowUndeclaredQuery) {
      for (String name : query.keySet()) {
        if (!op.queryNames().contains(name)) {
          v.add("query", name, "query parameter not declared");
        }
      }
    }
  }

  private static @Nullable Map<String, List<String>> query(@Nullable String raw, Violations v) {
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    int pairs = 1;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if ((c == '&' || c == ';') && ++pairs > MAX_QUERY_PARAMS) {
        v.add("query", "", "more than " + MAX_QUERY_PARAMS + " query parameters");
        return null;
      }
    }
    try {
      return QueryStringDecoder.builder()
          .hasPath(false)
          .maxParams(MAX_QUERY_PARAMS)
          .semicolonIsNormalChar(true)
          .build(raw)
          .parameters();
    } catch (IllegalArgumentException e) {
      v.add("query", "", "malformed query string");
      return null;
    }
  }

  private static @Nullable List<String> pathValue(PathTemplate t, String[] segments, String name) {
    for (int i = 0; i < t.length(); i++) {
      if (name.equals(t.param(i))) {
        String decoded = percentDecode(segments[i]);
        return decoded == null ? null : List.of(decoded);
      }
    }
    return List.of();
  }

  /** Decodes %XX escapes as strict UTF-8 ({@code +} stays a plus in a path); null if malformed. */
  static @Nullable String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static Map<String, String> cookies(List<String> headers) {
    Map<String, String> out = new HashMap<>();
    for (String h : headers) {
      for (String part : h.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          out.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
    }
    return out;
  }
}
