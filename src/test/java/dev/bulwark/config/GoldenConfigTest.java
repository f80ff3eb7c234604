package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.Gateway;
import dev.bulwark.server.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden config tests: each {@code golden/NAME.yaml} is loaded and its outcome (every error and
 * warning with its path, or the compiled summary) must equal {@code golden/NAME.golden}; a missing
 * golden file fails. Run with {@code -Dgolden.update=true} to write the expectations of a new case
 * or rewrite them after a deliberate change, then review the diff.
 */
class GoldenConfigTest {
  private static final Path DIR = Path.of("src/test/resources/golden");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - 5))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void configProducesItsGoldenOutcome(String name) throws IOException {
    Path work = Files.createTempDirectory("golden");
    // A real pair: the loader checks the certificate and key together.
    SelfSignedCertificate.generate(work, List.of("localhost"));
    Path file = work.resolve("bulwark.yaml");
    Files.copy(DIR.resolve(name + ".yaml"), file);
    // Files a case refers to (such as OpenAPI contracts) sit beside it under other extensions.
    try (Stream<Path> beside = Files.list(DIR)) {
      for (Path p : beside.toList()) {
        String n = p.getFileName().toString();
        if (!n.endsWith(".yaml") && !n.endsWith(".golden")) {
          Files.copy(p, work.resolve(n));
        }
      }
    }
    String actual = outcome(file).replace(work.toString(), "$DIR");
    expectGolden(DIR.resolve(name + ".golden"), actual, Boolean.getBoolean("golden.update"));
  }

  @Test
  void everyGoldenFileHasItsConfig() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      assertThat(
              files
                  .map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".golden"))
                  .filter(n -> !Files.exists(DIR.resolve(n.replaceFirst("\\.golden$", ".yaml")))))
          .as("golden files without their .yaml (delete them)")
          .isEmpty();
    }
  }

  @Test
  void aMissingGoldenFileFailsAndIsNotWritten(@TempDir Path dir) {
    Path golden = dir.resolve("new-case.golden");
    assertThatThrownBy(() -> expectGolden(golden, "compiled:\n", false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("new-case.golden is missing")
        .hasMessageContaining("-Dgolden.update=true")
        .hasMessageContaining("compiled:");
    assertThat(golden).doesNotExist();
  }

  @Test
  void anUpdateWritesTheGoldenFile(@TempDir Path dir) throws IOException {
    Path golden = dir.resolve("new-case.golden");
    expectGolden(golden, "compiled:\n", true);
    assertThat(Files.readString(golden, StandardCharsets.UTF_8)).isEqualTo("compiled:\n");
    assertThatThrownBy(() -> expectGolden(golden, "other\n", false))
        .isInstanceOf(AssertionError.class);
  }

  /**
   * Compares an outcome with its golden file, which is written only when {@code update} is set: a
   * missing golden file fails, so a new case is never accepted unreviewed.
   */
  static void expectGolden(Path golden, String actual, boolean update) throws IOException {
    if (update) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    if (!Files.exists(golden)) {
      fail(
          golden.getFileName()
              + " is missing: review the outcome below, then write it with"
              + " mvn -B test -Dtest=GoldenConfigTest -Dgolden.update=true and commit it\n"
              + actual);
    }
    assertThat(actual)
        .as(golden.getFileName().toString())
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  private static String outcome(Path file) {
    ConfigLoader loader =
        EndpointCatalog.standard()
            .loader(
                PolicyCatalog.standard(),
                new SecretResolver(
                    Map.of(
                            "API_HOST",
                            "api.example.com",
                            "BULWARK_ADMIN_TOKEN",
                            "golden-admin-token-0123456789abcdefghijkl",
                            "SHORT_TOKEN",
                            "too-short")
                        ::get));
    StringBuilder sb = new StringBuilder();
    try {
      ConfigLoader.Loaded loaded = loader.load(file);
      append(sb, loaded.warnings());
      sb.append("compiled:\n").append(Gateway.compileSummary(loaded.config()));
    } catch (ConfigException e) {
      append(sb, e.problems());
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, List<Problem> problems) {
    for (Problem p : problems) {
      sb.append(p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ")
          .append(p)
          .append('\n');
    }
  }
}
