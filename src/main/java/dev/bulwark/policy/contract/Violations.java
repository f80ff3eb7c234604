package dev.bulwark.policy.contract;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The violations found in one request or response, capped so that a hostile input cannot make the
 * answer large; a silent instance only remembers whether anything failed (for anyOf/oneOf trials).
 */
final class Violations {
  /** At most this many violations are listed in an answer. */
  static final int MAX = 20;

  private static final int MAX_POINTER = 128;

  /** One violation: where (path, query, header, cookie, body), a pointer, and a fixed reason. */
  record Violation(String location, String pointer, String reason) {}

  private final @Nullable List<Violation> list;
  private int count;

  private Violations(boolean keep) {
    this.list = keep ? new ArrayList<>(4) : null;
  }

  static Violations collecting() {
    return new Violations(true);
  }

  static Violations silent() {
    return new Violations(false);
  }

  void add(String location, String pointer, String reason) {
    count++;
    List<Violation> l = list;
    if (l != null && l.size() < MAX) {
      // Pointers may carry names the client chose: cut them rather than echo large input.
      String p =
          pointer.length() > MAX_POINTER ? pointer.substring(0, MAX_POINTER) + "..." : pointer;
      l.add(new Violation(location, p, reason));
    }
  }

  void add(String location, Loc at, String reason) {
    add(location, list == null ? "" : at.pointer(), reason);
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Returns whether the collector stops at the first failure (a trial of one branch). */
  boolean silentMode() {
    return list == null;
  }

  int count() {
    return count;
  }

  List<Violation> list() {
    List<Violation> l = list;
    return l == null ? List.of() : List.copyOf(l);
  }

  /** Returns the {@code "violations":[...]} member for the error body. */
  String json() {
    StringBuilder sb = new StringBuilder(64 + 96 * Math.min(count, MAX));
    sb.append("\"violations\":[");
    List<Violation> l = list == null ? List.of() : list;
    for (int i = 0; i < l.size(); i++) {
      Violation v = l.get(i);
      sb.append(i == 0 ? "" : ",").append("{\"location\":\"");
      JsonStringEncoder.getInstance().quoteAsString(v.location(), sb);
      sb.append("\",\"pointer\":\"");
      JsonStringEncoder.getInstance().quoteAsString(v.pointer(), sb);
      sb.append("\",\"reason\":\"");
      JsonStringEncoder.getInstance().quoteAsString(v.reason(), sb);
      sb.append("\"}");
    }
    sb.append(']');
    if (count > l.size()) {
      sb.append(",\"more\":").append(count - l.size());
    }
    return sb.toString();
  }

  /** Returns the first violation in words ({@code body /sku: ...}), or "" when there is none. */
  String first() {
    List<Violation> l = list == null ? List.of() : list;
    if (l.isEmpty()) {
      return "";
    }
    Violation v = l.get(0);
    return v.location() + (v.pointer().isEmpty() ? "" : " " + v.pointer()) + ": " + v.reason();
  }

  /** Returns a short log form: the first reasons with their pointers. */
  String summary() {
    StringBuilder sb = new StringBuilder();
    List<Violation> l = list == null ? List.of() : list;
    for (int i = 0; i < Math.min(3, l.size()); i++) {
      Violation v = l.get(i);
      sb.append(i == 0 ? "" : "; ")
          .append(v.location())
          .append(' ')
          .append(v.pointer())
          .append(": ")
          .append(v.reason());
    }
    if (count > 3) {
      sb.append("; ").append(count - 3).append(" more");
    }
    return sb.toString();
  }
}
