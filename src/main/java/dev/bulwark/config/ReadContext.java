package dev.bulwark.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link ConfigSection} may need while it reads: the directory relative paths resolve
 * against, whether it reads {@code defaults} rather than a route, and the route's path template
 * names.
 */
public record ReadContext(Path baseDir, boolean inDefaults, List<String> pathParams) {
  public ReadContext {
    pathParams = List.copyOf(pathParams);
  }

  /** The context of the top level and of {@code defaults}, which have no path templates. */
  static ReadContext outsideRoutes(Path baseDir, boolean inDefaults) {
    return new ReadContext(baseDir, inDefaults, List.of());
  }
}
