package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.authn.SignedRequests;
import dev.bulwark.policy.authn.signature.ContentDigest;
import dev.bulwark.policy.authn.signature.RequestSignature;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.policy.authn.signature.SignatureBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark sign}: the headers it prints verify with the client's public key over the request
 * it describes (body digest included), and its mistakes are one line with the documented status.
 */
class SignCommandTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static String header(String out, String name) {
    for (String l : out.split("\n")) {
      if (l.startsWith(name + ": ")) {
        return l.substring(name.length() + 2);
      }
    }
    throw new AssertionError("no " + name + " in " + out);
  }

  /**
   * Runs {@code bulwark sign} for GET https://a.example/ as key {@code k} read from {@code
   * keyFile}.
   */
  private static CliRun signAsK(Path keyFile, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sign",
                "--url",
                "https://a.example/",
                "--key-id",
                "k",
                "--key-file",
                keyFile.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(new String[0]));
  }

  @Test
  void theHeadersItPrintsVerifyWithTheClientsPublicKey() throws Exception {
    KeyPair ed = SignedRequests.ed25519();
    Path key = dir.resolve("client.key");
    Files.writeString(key, SignedRequests.pem(ed.getPrivate()), StandardCharsets.UTF_8);
    Path body = dir.resolve("body.json");
    Files.writeString(body, "{\"a\":1}", StandardCharsets.UTF_8);
    CliRun r =
        CliRun.of(
            "sign",
            "--method",
            "POST",
            "--url",
            "https://API.example.com:8443/pay?x=1",
            "--body",
            body.toString(),
            "-H",
            "Content-Type: application/json",
            "--key-id",
            "client-b",
            "--alg",
            "ed25519",
            "--key-file",
            key.toString());
    assertThat(r.status()).as(r.err()).isZero();
    String digest = header(r.out(), "Content-Digest");
    assertThat(digest)
        .isEqualTo(ContentDigest.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "sha-256"));
    RequestSignature sig =
        RequestSignature.parse(
                List.of(header(r.out(), "Signature-Input")),
                List.of(header(r.out(), "Signature")),
                4096,
                4)
            .get(0);
    assertThat(sig.covered()).containsExactly("@method", "@target-uri", "content-digest");
    assertThat(sig.keyId()).isEqualTo("client-b");
    assertThat(sig.nonce()).isNotBlank();
    SignedRequests.Target t =
        SignedRequests.Target.of("POST", "https://api.example.com:8443/pay?x=1")
            .header("content-digest", digest);
    byte[] base = SignatureBase.of(sig, t);
    assertThat(
            SignatureAlgorithm.ED25519.verify(
                SignatureAlgorithm.ED25519.verificationKey(SignedRequests.pem(ed.getPublic())),
                base,
                sig.signature()))
        .isTrue();
  }

  @Test
  void aCurlLineCarriesTheHeadersAndTheBody() throws Exception {
    Path key = dir.resolve("hmac.key");
    Files.writeString(key, SignedRequests.hmacSecret() + "\n", StandardCharsets.UTF_8);
    CliRun r =
        CliRun.of(
            "sign",
            "--url",
            "https://api.example.com/x",
            "--key-id",
            "client-a",
            "--key-file",
            key.toString(),
            "--curl");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("curl -sS -X 'GET' -H 'Signature-Input: sig1=(\"@method\" \"@target-uri\")");
  }

  @Test
  void mistakesAreOneLineWithTheirStatus() throws Exception {
    Path key = dir.resolve("hmac.key");
    Files.writeString(key, SignedRequests.hmacSecret(), StandardCharsets.UTF_8);
    CliRun both = signAsK(key, "--key-env", "X");
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.err())
        .isEqualTo("bulwark sign: give exactly one of --key-file and --key-env\n");
    CliRun alg = signAsK(key, "--alg", "rsa-pss-sha512");
    assertThat(alg.status()).isEqualTo(2);
    CliRun missing = signAsK(key, "--covered", "@method,x-missing");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("covered header x-missing is absent");
    Path shortKey = dir.resolve("short.key");
    Files.writeString(shortKey, "short", StandardCharsets.UTF_8);
    CliRun weak = signAsK(shortKey);
    assertThat(weak.status()).isEqualTo(1);
    assertThat(weak.err()).contains("5 bytes (expected: at least 32)").doesNotContain("Exception");
  }
}
