package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.Gateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden config tests: each {@code golden/NAME.yaml} is loaded and its outcome (every error and
 * warning with its path, or the compiled summary) must equal {@code golden/NAME.golden}. Run with
 * {@code -Dgolden.update=true} to rewrite the expectations after a deliberate change.
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
    // Stand-ins for the PEM files: validation checks presence; contents are read at start-up.
    Files.writeString(work.resolve("tls.crt"), "placeholder");
    Files.writeString(work.resolve("tls.key"), "placeholder");
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
    Path golden = DIR.resolve(name + ".golden");
    if (Boolean.getBoolean("golden.update") || !Files.exists(golden)) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  private static String outcome(Path file) {
    ConfigLoader loader =
        new ConfigLoader(new SecretResolver(Map.of("API_HOST", "api.example.com")::get));
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
