package dev.bulwark.config;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ConfigSection} may need while it reads: the directory relative paths resolve
 * against, whether it reads {@code defaults} rather than a route, the route's path template names,
 * and the kind of endpoint the route serves ({@code serve}), or null for a route to an upstream.
 */
public record ReadContext(
    Path baseDir, boolean inDefaults, List<String> pathParams, @Nullable String serve) {
  public ReadContext {
    pathParams = List.copyOf(pathParams);
  }

  /** The context of a route to an upstream, or of the top level and {@code defaults}. */
  public ReadContext(Path baseDir, boolean inDefaults, List<String> pathParams) {
    this(baseDir, inDefaults, pathParams, null);
  }

  /** The context of the top level and of {@code defaults}, which have no path templates. */
  static ReadContext outsideRoutes(Path baseDir, boolean inDefaults) {
    return new ReadContext(baseDir, inDefaults, List.of());
  }
}
