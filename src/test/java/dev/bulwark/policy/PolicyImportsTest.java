package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Policies read the request through {@code exchange.RequestView} and edit headers through {@code
 * exchange.HeaderMap}, so that the server can be replaced without touching one: no source file
 * under {@code policy/} may import Vert.x's HTTP types or its {@code MultiMap}. A plain scan of the
 * sources (the ArchUnit rules check package arrows, not this).
 */
class PolicyImportsTest {
  private static final Path POLICY = Path.of("src/main/java/dev/bulwark/policy");
  private static final Pattern FORBIDDEN =
      Pattern.compile(
          "^import\\s+(static\\s+)?(io\\.vertx\\.core\\.http\\.[\\w.*]+|io\\.vertx\\.core\\.MultiMap)\\s*;",
          Pattern.MULTILINE);

  /**
   * Files allowed to break the rule for now, each with why; the test fails once one no longer needs
   * it, so the list only shrinks.
   */
  private static final Map<String, String> ALLOWED = Map.of();

  @Test
  void noPolicyImportsVertxHttpTypesOrMultiMap() throws IOException {
    Map<String, List<String>> found = new TreeMap<>();
    try (Stream<Path> files = Files.walk(POLICY)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        Matcher m = FORBIDDEN.matcher(Files.readString(f, StandardCharsets.UTF_8));
        List<String> imports = new ArrayList<>();
        while (m.find()) {
          imports.add(m.group(2));
        }
        if (!imports.isEmpty()) {
          found.put(POLICY.relativize(f).toString().replace('\\', '/'), imports);
        }
      }
    }
    assertThat(found.keySet())
        .as("policies importing Vert.x HTTP types or MultiMap: %s", found)
        .isSubsetOf(ALLOWED.keySet());
    assertThat(ALLOWED.keySet())
        .as("allowed files that no longer need it: remove them from ALLOWED")
        .isSubsetOf(found.keySet());
  }

  @Test
  void theScanSeesTheImportsItLooksFor() {
    String source =
        "package x;\nimport io.vertx.core.http.HttpServerRequest;\nimport io.vertx.core.MultiMap;\n"
            + "import io.vertx.core.http.*;\nimport io.vertx.core.buffer.Buffer;\n"
            + "import io.vertx.core.MultiMapX;\n";
    Matcher m = FORBIDDEN.matcher(source);
    List<String> hits = new ArrayList<>();
    while (m.find()) {
      hits.add(m.group(2));
    }
    assertThat(hits)
        .containsExactly(
            "io.vertx.core.http.HttpServerRequest",
            "io.vertx.core.MultiMap",
            "io.vertx.core.http.*");
  }
}
