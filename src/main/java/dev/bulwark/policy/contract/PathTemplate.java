package dev.bulwark.policy.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One contract path ({@code /users/{id}}) with its operations by method; a template segment matches
 * one whole path segment, and literal segments compare exactly.
 */
final class PathTemplate {
  private final String path;
  private final String[] segments;
  private final @Nullable String[] params;
  private final int paramCount;
  private final Map<String, Operation> operations;
  private final String allow;

  PathTemplate(
      String path, String[] segments, @Nullable String[] params, Map<String, Operation> ops) {
    this.path = path;
    this.segments = segments;
    this.params = params;
    int n = 0;
    for (String p : params) {
      n += p == null ? 0 : 1;
    }
    this.paramCount = n;
    this.operations = Map.copyOf(ops);
    List<String> methods = new ArrayList<>(ops.keySet());
    methods.sort(null);
    this.allow = String.join(", ", methods);
  }

  String path() {
    return path;
  }

  int paramCount() {
    return paramCount;
  }

  int length() {
    return segments.length;
  }

  /** Returns the value of the {@code i}th segment's template name, or null for a literal. */
  @Nullable String param(int i) {
    return params[i];
  }

  boolean matches(String[] request) {
    if (request.length != segments.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      if (params[i] == null) {
        if (!segments[i].equals(request[i])) {
          return false;
        }
      } else if (request[i].isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Nullable Operation operation(String method) {
    Operation op = operations.get(method);
    if (op == null && method.equals("HEAD")) {
      op = operations.get("GET");
    }
    return op;
  }

  /** Returns the {@code Allow} header value: the declared methods. */
  String allow() {
    return allow;
  }

  Map<String, Operation> operations() {
    return operations;
  }
}
