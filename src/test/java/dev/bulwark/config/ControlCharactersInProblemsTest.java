package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value or key quoted into a config problem is shown with its control characters escaped, so a
 * CR/LF cannot forge a line of the all-at-once error list and an ANSI escape cannot recolour or
 * rewrite the operator's terminal.
 */
class ControlCharactersInProblemsTest {
  private static final String YAML =
      """
      listen:
        https: 127.0.0.1:8443
      tls:
        cert: tls.crt
        key: tls.key
        min-version: "TLSv1.3\\r\\nerror: tls: forged line"
      routes:
        - name: "\\u001b[31mred\\u001b[0m"
          public: true
          match: { path: "api\\u001b[2J" }
          upstream: http://127.0.0.1:3000
          headers: { set: { "X-A\\r\\nX-B": x } }
      """;

  @Test
  void controlCharactersInValuesAndKeysAreEscapedInEveryProblem(@TempDir Path dir)
      throws Exception {
    SelfSignedCertificate.generate(dir, List.of("localhost"));
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, YAML);
    ConfigLoader loader =
        EndpointCatalog.standard()
            .loader(PolicyCatalog.standard(), new SecretResolver(Map.<String, String>of()::get));

    ConfigException e = (ConfigException) catchThrowable(() -> loader.load(file));

    assertThat(String.valueOf(e.getMessage()).lines())
        .as("one line per problem")
        .hasSize(e.problems().size());
    assertThat(e.problems())
        .extracting(Problem::toString)
        .contains(
            "tls.min-version: \"TLSv1.3\\r\\nerror: tls: forged line\" (expected: TLSv1.2 or"
                + " TLSv1.3)",
            "routes[0].match.path: \"api\\u001b[2J\" (expected: a path starting with /)")
        .anySatisfy(p -> assertThat(p).startsWith("routes[0].name: \"\\u001b[31mred\\u001b[0m\""))
        .anySatisfy(p -> assertThat(p).startsWith("routes[0].headers.set.X-A\\r\\nX-B: "))
        .allSatisfy(p -> assertThat(p).doesNotContain("\r", "\n", "\u001b"));
  }

  @Test
  void aProblemBuiltByHandIsOneLineWithItsControlsEscaped() {
    Problem p =
        new Problem(
            Problem.Severity.ERROR,
            "routes.a\tb",
            "\"x\r\ny\u001b[0m\u0000\u007f\u0085\u2028\u202e\" (expected: z)");
    assertThat(p.toString())
        .isEqualTo(
            "routes.a\\tb: \"x\\r\\ny\\u001b[0m\\u0000\\u007f\\u0085\\u2028\\u202e\" (expected: z)");
    assertThat(
            new Problem(Problem.Severity.WARNING, "", "caf\u00e9 \ud83d\ude00 C:\\dir").message())
        .as("printable text, including non-ASCII and backslashes, is kept as it is")
        .isEqualTo("caf\u00e9 \ud83d\ude00 C:\\dir");
  }
}
