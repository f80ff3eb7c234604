package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.ContentDigest;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed requests through a real gateway: the same answers over HTTP/1.1 and HTTP/2, a chunked body
 * checked against its digest and forwarded unchanged, a replay refused with a JSON error, and the
 * documentation's curl + openssl and Python clients run as written against it.
 */
class SignedRequestsGatewayTest {
  private static final String BODY = "{\"amount\":42,\"currency\":\"EUR\"}";
  private static StubUpstream upstream;
  private static TestGateway gw;
  private static String secret;
  private static KeyPair ed;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    secret = SignedRequests.hmacSecret();
    ed = SignedRequests.ed25519();
    Path pub = Files.createTempFile("client-b", ".pem");
    Files.writeString(pub, SignedRequests.pem(ed.getPublic()), StandardCharsets.UTF_8);
    gw =
        TestGateway.start(
            """
            routes:
              - name: payments
                match: { path: /api/** }
                upstream: UPSTREAM
                auth:
                  require: [authenticated]
                  signature:
                    keys:
                      - { id: client-a, alg: hmac-sha256, key: "${env:CLIENT_A_KEY}" }
                      - { id: client-b, alg: ed25519, key: "${file:%s}" }
                    covered: ["@method", "@target-uri"]
            """
                .formatted(pub),
            upstream.port(),
            Map.of("CLIENT_A_KEY", secret));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    upstream.close();
  }

  private static HttpResponse<String> post(
      HttpClient.Version version, String path, RequestSigner.Headers h, String digest, String body)
      throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(gw.sslContext())
            .version(version)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create(gw.url(path)))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Content-Digest", digest)
            .header("Signature-Input", h.signatureInput())
            .header("Signature", h.signature())
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static RequestSigner.Headers signed(String path, String body, SignatureAlgorithm alg)
      throws Exception {
    Target t =
        Target.of("POST", gw.url(path))
            .header(
                "content-digest",
                ContentDigest.of(body.getBytes(StandardCharsets.UTF_8), "sha-256"));
    java.security.Key key =
        alg == SignatureAlgorithm.ED25519
            ? ed.getPrivate()
            : SignatureAlgorithm.HMAC_SHA256.signingKey(secret);
    return SignedRequests.sign(
        t,
        List.of("@method", "@target-uri", "content-digest"),
        SignedRequests.now(alg == SignatureAlgorithm.ED25519 ? "client-b" : "client-a", alg, key));
  }

  private static String digest(String body) {
    return ContentDigest.of(body.getBytes(StandardCharsets.UTF_8), "sha-256");
  }

  @Test
  void http1AndHttp2AcceptASignedRequestOnceAndRefuseItsReplay() throws Exception {
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
      for (SignatureAlgorithm alg :
          List.of(SignatureAlgorithm.HMAC_SHA256, SignatureAlgorithm.ED25519)) {
        RequestSigner.Headers h = signed("/api/pay", BODY, alg);
        HttpResponse<String> ok = post(v, "/api/pay", h, digest(BODY), BODY);
        assertThat(ok.statusCode()).as(v + " " + alg).isEqualTo(200);
        assertThat(ok.version()).isEqualTo(v);
        StubUpstream.Received r = upstream.next();
        assertThat(r.body().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
        HttpResponse<String> replay = post(v, "/api/pay", h, digest(BODY), BODY);
        assertThat(replay.statusCode()).as(v + " replay").isEqualTo(401);
        assertThat(replay.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(replay.body())
            .contains("\"status\":401", "\"problem\":\"replayed\"")
            .contains(replay.headers().firstValue("x-request-id").orElseThrow());
        gw.awaitLine(
            "signature-replayed", replay.headers().firstValue("x-request-id").orElseThrow());
      }
    }
  }

  @Test
  void aSignatureOverAnotherBodyIsRefusedOnBothProtocols() throws Exception {
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
      RequestSigner.Headers h = signed("/api/pay", BODY, SignatureAlgorithm.HMAC_SHA256);
      HttpResponse<String> r = post(v, "/api/pay", h, digest(BODY), "{\"amount\":4200}");
      assertThat(r.statusCode()).as(v.toString()).isEqualTo(401);
      assertThat(r.body()).contains("\"problem\":\"digest\"");
    }
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void aChunkedBodyIsCheckedAgainstItsDigestAndForwardedUnchanged() throws Exception {
    RequestSigner.Headers h = signed("/api/chunked", BODY, SignatureAlgorithm.HMAC_SHA256);
    String half1 = BODY.substring(0, 10);
    String half2 = BODY.substring(10);
    String raw =
        "POST /api/chunked HTTP/1.1\r\nHost: localhost:"
            + gw.httpsPort()
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Digest: "
            + digest(BODY)
            + "\r\nSignature-Input: "
            + h.signatureInput()
            + "\r\nSignature: "
            + h.signature()
            + "\r\nConnection: close\r\n\r\n"
            + Integer.toHexString(half1.length())
            + "\r\n"
            + half1
            + "\r\n"
            + Integer.toHexString(half2.length())
            + "\r\n"
            + half2
            + "\r\n0\r\n\r\n";
    assertThat(gw.raw(raw)).startsWith("HTTP/1.1 200");
    assertThat(upstream.next().body().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
  }

  /** Returns the fenced block that follows {@code <!-- signed-request: LANG -->} in the docs. */
  private static String docsExample(String lang) throws Exception {
    List<String> lines =
        Files.readAllLines(Path.of("docs/idempotency-and-signing.md"), StandardCharsets.UTF_8);
    int i = lines.indexOf("<!-- signed-request: " + lang + " -->");
    assertThat(i).as("the docs example marked " + lang).isNotNegative();
    StringBuilder sb = new StringBuilder();
    for (int j = i + 2; j < lines.size() && !lines.get(j).equals("```"); j++) {
      sb.append(lines.get(j)).append('\n');
    }
    return sb.toString();
  }

  private static String run(List<String> command, Path body) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("URL", gw.url("/api/docs"));
    pb.environment().put("BODY_FILE", body.toString());
    pb.environment().put("CLIENT_A_KEY", secret);
    String ca = TestGateway.certificate().certFile().toString();
    pb.environment().put("CURL_CA_BUNDLE", ca);
    pb.environment().put("SSL_CERT_FILE", ca);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void theDocumentedCurlAndOpensslClientIsAcceptedOnceThenRefusedAsAReplay() throws Exception {
    Path script = Files.createTempFile("signed", ".sh");
    Files.writeString(script, "set -eu\n" + docsExample("sh"), StandardCharsets.UTF_8);
    Path body = Files.createTempFile("payment", ".json");
    Files.writeString(body, BODY, StandardCharsets.UTF_8);
    upstream.on("/api/docs", req -> req.response().end("paid"));
    assertThat(run(List.of("bash", script.toString()), body)).isEqualTo("paid");
    assertThat(upstream.next().body().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
    // The same signed request again, as a replaying client would send it: refused.
    String replay =
        docsExample("sh").replace("nonce=$(openssl rand -hex 16)", "nonce=fixed-nonce-1");
    Files.writeString(script, "set -eu\n" + replay, StandardCharsets.UTF_8);
    assertThat(run(List.of("bash", script.toString()), body)).isEqualTo("paid");
    upstream.next();
    assertThat(run(List.of("bash", script.toString()), body)).contains("\"problem\":\"replayed\"");
  }

  @Test
  void theCurlLineOfBulwarkSignRunsAsWrittenAndPrintsOnlyTheAnswer() throws Exception {
    Path dir = Files.createTempDirectory("sign-curl");
    Path key = dir.resolve("client-a.key");
    Files.writeString(key, secret + "\n", StandardCharsets.UTF_8);
    Path body = dir.resolve("payment.json");
    Files.writeString(body, BODY, StandardCharsets.UTF_8);
    java.io.StringWriter line = new java.io.StringWriter();
    picocli.CommandLine cli = dev.bulwark.cli.Main.commandLine();
    cli.setOut(new java.io.PrintWriter(line, true));
    int exit =
        cli.execute(
            "sign",
            "--method",
            "POST",
            "--url",
            gw.url("/api/sign-curl"),
            "-H",
            "Content-Type: application/json",
            "--body",
            body.toString(),
            "--key-id",
            "client-a",
            "--key-file",
            key.toString(),
            "--curl");
    assertThat(exit).as(line.toString()).isZero();
    Path script = dir.resolve("signed.sh");
    Files.writeString(script, line.toString(), StandardCharsets.UTF_8);
    upstream.on("/api/sign-curl", req -> req.response().end("paid"));
    // As `sh signed.sh > out` runs it: the answer on stdout, nothing on stderr (curl's progress
    // meter goes there when its output is not a terminal).
    assertThat(runApart(List.of("sh", script.toString()), dir)).containsExactly("paid", "");
    assertThat(upstream.next().body().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
    List<String> replay = runApart(List.of("sh", script.toString()), dir);
    assertThat(replay.get(0)).contains("\"problem\":\"replayed\"");
    assertThat(replay.get(1)).isEmpty();
  }

  /**
   * Runs a command in {@code dir}, trusting the test certificate; returns its stdout and stderr.
   */
  private static List<String> runApart(List<String> command, Path dir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("stdout").toFile())
            .redirectError(dir.resolve("stderr").toFile());
    pb.environment().put("CURL_CA_BUNDLE", TestGateway.certificate().certFile().toString());
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return List.of(
        Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
  }

  @Test
  void theDocumentedPythonClientIsAccepted() throws Exception {
    Path script = Files.createTempFile("signed", ".py");
    Files.writeString(script, docsExample("python"), StandardCharsets.UTF_8);
    Path body = Files.createTempFile("payment", ".json");
    Files.writeString(body, BODY, StandardCharsets.UTF_8);
    assertThat(run(new ArrayList<>(List.of("python3", script.toString())), body).strip())
        .isEqualTo("200");
    upstream.next();
  }
}
