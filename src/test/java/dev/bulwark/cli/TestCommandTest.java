package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.SelfSignedCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bulwark test} and {@code bulwark explain} from the command line, hostile input first. */
class TestCommandTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  static Path dir;

  private static Path config() throws Exception {
    Path config = dir.resolve("bulwark.yaml");
    if (Files.exists(config)) {
      return config;
    }
    SelfSignedCertificate.generate(dir, List.of("localhost"));
    Path secret = dir.resolve("ci-secret");
    Files.writeString(secret, "test-only-0123456789abcdef0123456789", StandardCharsets.UTF_8);
    Files.writeString(
        config,
        """
        listen: { https: 127.0.0.1:0, admin: 127.0.0.1:0 }
        tls: { cert: %s, key: %s }
        auth:
          issuers:
            ci:
              issuer: https://ci.example.com/
              audience: api.example.com
              algorithms: [HS256]
              secret: ${env:BULWARK_TEST_SECRET_THAT_IS_UNSET}
        routes:
          - name: upload
            public: true
            match: { path: /upload, methods: [POST] }
            upstream: http://127.0.0.1:3000
            limits: { body: 16 }
          - name: admin
            match: { path: /admin/** }
            upstream: http://127.0.0.1:3000
            auth: { require: [ "role:admin" ] }
        """
            .formatted(dir.resolve("tls.crt"), dir.resolve("tls.key"))
            .replace("${env:BULWARK_TEST_SECRET_THAT_IS_UNSET}", "${file:" + secret + "}"),
        StandardCharsets.UTF_8);
    return config;
  }

  private static Path fixtures(String name, String yaml) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return f;
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  void passingFixturesExitZeroAndWriteAJunitReport() throws Exception {
    Path f =
        fixtures(
            "pass.yaml",
            """
            tests:
              - name: a body over the route's limit is refused before any stage
                request: { method: POST, path: /upload, body: '{"far":"more than sixteen bytes"}' }
                expect: { status: 413, stage: gateway, decision: denied }
              - name: a body within the limit is forwarded
                request: { method: POST, path: /upload, body: '{}' }
                expect: { status: 200, decision: forwarded, route: upload }
              - name: a token that does not verify is refused by authn
                request: { path: /admin/x, token: not.a.token }
                expect: { status: 401, stage: authn, policy: authn }
            """);
    Path junit = dir.resolve("report.xml");
    StringWriter out = new StringWriter();
    assertThat(
            run(out, "test", "-c", config().toString(), f.toString(), "--junit", junit.toString()))
        .as(out.toString())
        .isZero();
    assertThat(out.toString()).contains("3 passed, 0 failed");
    assertThat(Files.readString(junit)).contains("tests=\"3\" failures=\"0\"");
  }

  @Test
  void aMismatchExitsOneWithTheDifferenceAndTheTrace() throws Exception {
    Path f =
        fixtures(
            "fail.yaml",
            """
            tests:
              - name: wrongly expects the admin API to be open
                request: { path: /admin/x }
                expect: { status: 200, stage: authz }
            """);
    StringWriter out = new StringWriter();
    assertThat(run(out, "test", "-c", config().toString(), f.toString())).isEqualTo(1);
    assertThat(out.toString())
        .contains("FAIL  wrongly expects the admin API to be open  (" + f + ": tests[0])")
        .contains("status: expected 200, got 401")
        .contains("stage: expected authz, got authn")
        .contains("route     admin (host *, path /admin/**)")
        .contains("deny      401 by authn / authn")
        .contains("0 passed, 1 failed");
  }

  @Test
  void badFixtureFilesAreRefusedWithEveryPathAndNothingRuns() throws Exception {
    Path f =
        fixtures(
            "bad.yaml",
            """
            tests:
              - name: typo
                request: { path: /admin/x, methd: GET }
                expect: { status: "four hundred", stage: authentication }
            """);
    Path g = fixtures("empty.yaml", "");
    StringWriter out = new StringWriter();
    assertThat(run(out, "test", "-c", config().toString(), f.toString(), g.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains("error: " + f + ": tests[0].request.methd: unknown key")
        .contains(
            "error: " + f + ": tests[0].expect.status: \"four hundred\" (expected: an integer)")
        .contains("error: " + f + ": tests[0].expect.stage: unknown stage \"authentication\"")
        .contains("error: " + g + ": empty fixture file")
        .contains("no fixture was run")
        .doesNotContain("PASS")
        .doesNotContain("Exception");
  }

  @Test
  void aMissingFixtureFileIsOneLineNamingIt() throws Exception {
    StringWriter out = new StringWriter();
    assertThat(run(out, "test", "-c", config().toString(), dir.resolve("nope.yaml").toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains(dir.resolve("nope.yaml") + ": ")
        .doesNotContain("Exception");
  }

  @Test
  void explainPrintsTheRouteEachVerdictAndTheResult() throws Exception {
    StringWriter out = new StringWriter();
    assertThat(run(out, "explain", "-c", config().toString(), "DELETE", "/upload")).isZero();
    assertThat(out.toString())
        .contains("route     none (method not allowed on route)")
        .contains("deny      405 by gateway / routing: method not allowed on route")
        .contains("result    405 denied (stage routing")
        .contains("header    allow: POST");
    out = new StringWriter();
    assertThat(run(out, "explain", "-c", config().toString(), "no-slash")).isEqualTo(2);
    assertThat(out.toString()).contains("must start with /");
  }
}
