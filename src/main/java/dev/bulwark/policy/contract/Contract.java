package dev.bulwark.policy.contract;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled OpenAPI contract: the base path under which its paths are served, and its path
 * templates, concrete ones before templated ones (as OpenAPI requires), then in file order.
 */
final class Contract {
  private final String source;
  private final String basePath;
  private final List<PathTemplate> templates;
  private final int operationCount;

  Contract(String source, String basePath, List<PathTemplate> templates) {
    this.source = source;
    this.basePath = basePath;
    this.templates = List.copyOf(templates);
    int n = 0;
    for (PathTemplate t : templates) {
      n += t.operations().size();
    }
    this.operationCount = n;
  }

  String source() {
    return source;
  }

  String basePath() {
    return basePath;
  }

  int operationCount() {
    return operationCount;
  }

  List<PathTemplate> templates() {
    return templates;
  }

  /**
   * Returns the request path's segments below the base path, or null when the path is not under it.
   */
  String @Nullable [] segments(String path) {
    String rest;
    if (basePath.equals("/")) {
      rest = path;
    } else if (path.equals(basePath)) {
      rest = "/";
    } else if (path.startsWith(basePath) && path.charAt(basePath.length()) == '/') {
      rest = path.substring(basePath.length());
    } else {
      return null;
    }
    return rest.substring(1).split("/", -1);
  }

  /** Returns the template matching the segments, or null. */
  @Nullable PathTemplate match(String[] segments) {
    for (PathTemplate t : templates) {
      if (t.matches(segments)) {
        return t;
      }
    }
    return null;
  }
}
