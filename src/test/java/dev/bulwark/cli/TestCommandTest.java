package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.SelfSignedCertificate;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
          - name: tenant
            public: true
            match: { host: api.example.com, path: /tenant/**, methods: [GET] }
            upstream: http://127.0.0.1:3000
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

  @Test
  void explainRefusesAHeaderWithoutAColonAsAUsageError() throws Exception {
    StringWriter out = new StringWriter();

    int exit = run(out, "explain", "-c", config().toString(), "/admin/x", "-H", "x-api-key abc");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("--header 'x-api-key abc' is not 'NAME: VALUE'");
  }

  @Test
  void explainRefusesATimeWithoutItsOffsetAsAUsageError() throws Exception {
    StringWriter out = new StringWriter();

    int exit =
        run(out, "explain", "-c", config().toString(), "/admin/x", "--time", "2030-01-01 00:00");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("--time '2030-01-01 00:00' is not a time");
  }

  /** A token of the config's issuer for ada (admin), valid from 2028-01-01 to 2029-01-01. */
  private static String tokenOf2028() throws Exception {
    return dev.bulwark.policy.authn.Tokens.hs256(
        "test-only-0123456789abcdef0123456789".getBytes(StandardCharsets.UTF_8),
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder()
            .issuer("https://ci.example.com/")
            .audience("api.example.com")
            .subject("ada")
            .claim("roles", List.of("admin"))
            .claim("iat", java.time.Instant.parse("2028-01-01T00:00:00Z").getEpochSecond())
            .claim("nbf", java.time.Instant.parse("2028-01-01T00:00:00Z").getEpochSecond())
            .claim("exp", java.time.Instant.parse("2029-01-01T00:00:00Z").getEpochSecond())
            .build());
  }

  @Test
  void aFixtureTimeIsTheClockTheTokenIsCheckedAt() throws Exception {
    String token = tokenOf2028();
    Path f =
        fixtures(
            "time.yaml",
            """
            tests:
              - name: valid in its year
                request: { path: /admin/x, token: %1$s, time: 2028-06-01T00:00:00Z }
                expect: { status: 200, decision: forwarded }
              - name: expired after it
                request: { path: /admin/x, token: %1$s, time: 2030-01-01T00:00:00Z }
                expect: { status: 401, stage: authn, reason: expired }
              - name: not yet valid before it, though verified once already
                request: { path: /admin/x, token: %1$s, time: 2027-06-01T00:00:00+02:00 }
                expect: { status: 401, stage: authn, reason: nbf }
              - name: without a time, checked now (2026, before it is valid)
                request: { path: /admin/x, token: %1$s }
                expect: { status: 401, stage: authn, reason: nbf }
            """
                .formatted(token));
    StringWriter out = new StringWriter();

    int exit = run(out, "test", "-c", config().toString(), f.toString());

    assertThat(out.toString()).contains("4 passed, 0 failed");
    assertThat(exit).isZero();
  }

  /** Returns what explain prints for GET /admin/x with {@code token}, checked at {@code time}. */
  private static String explainAt(String token, String time) throws Exception {
    StringWriter out = new StringWriter();
    String[] args = {
      "explain",
      "-c",
      config().toString(),
      "/admin/x",
      "-H",
      "authorization: Bearer " + token,
      "--time",
      time
    };
    assertThat(run(out, args)).isZero();
    return out.toString();
  }

  @Test
  void explainChecksATokenAtTheTimeGiven() throws Exception {
    String token = tokenOf2028();
    String valid = explainAt(token, "2028-06-01T00:00:00Z");
    String expired = explainAt(token, "2030-01-01T00:00:00Z");

    assertThat(valid)
        .contains("note      authn: bearer authenticated ada (issuer ci)")
        .contains("note      authz: allowed ada: role:admin held")
        .contains("result    200 forwarded");
    assertThat(expired)
        .contains("note      authn: bearer refused the credential: expired")
        .contains("result    401 denied (stage authn, policy authn: expired bearer token)");
  }

  @Test
  void aFixtureHostMayNameAPort() throws Exception {
    Path f =
        fixtures(
            "host-port.yaml",
            """
            tests:
              - name: a host with a port takes the host's route
                request: { path: /tenant/x, host: "API.example.com:8443" }
                expect: { status: 200, route: tenant }
              - name: another host with the same port takes none
                request: { path: /tenant/x, host: "other.example.com:8443" }
                expect: { status: 404, stage: routing, route: none }
              - name: a port out of range is a bad host
                request: { path: /tenant/x, host: "api.example.com:99999" }
                expect: { status: 400, stage: routing, reason: Host }
            """);
    StringWriter out = new StringWriter();

    int exit = run(out, "test", "-c", config().toString(), f.toString());

    assertThat(out.toString()).contains("3 passed, 0 failed");
    assertThat(exit).isZero();
  }
}
