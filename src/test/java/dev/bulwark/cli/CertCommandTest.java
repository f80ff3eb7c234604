package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** {@code bulwark cert}: a usable self-signed pair, a private key, and no silent overwrite. */
class CertCommandTest {
  private static X509Certificate read(Path cert) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert)));
  }

  @Test
  void writesAPairThatTheGatewayServesWithAKeyOnlyItsOwnerCanRead() throws Exception {
    Path dir = Files.createTempDirectory("cert").resolve("tls");
    StringWriter out = new StringWriter();
    assertThat(
            run(out, "cert", "--host", "localhost", "--host", "api.test", "--out", dir.toString()))
        .as(out.toString())
        .isZero();
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    assertThat(Files.getPosixFilePermissions(key))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    X509Certificate x = read(cert);
    assertThat(x.getSubjectAlternativeNames())
        .extracting(san -> String.valueOf(san.get(1)))
        .contains("localhost", "api.test", "127.0.0.1");
    assertThat(out.toString())
        .contains("wrote " + cert, "for localhost, api.test, 127.0.0.1 and ::1", "valid until")
        .contains("  cert: " + cert.toAbsolutePath(), "  key: " + key.toAbsolutePath());
    // The pair is what `bulwark run` needs: the gateway starts on it and completes a handshake.
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.startYaml(
                """
                listen: { https: 127.0.0.1:0, admin: off }
                tls: { cert: %s, key: %s }
                routes:
                  - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:%d" }
                """
                    .formatted(cert, key, upstream.port()));
        SSLSocket s = gw.rawSocketTrustingAll()) {
      assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(x);
    }
  }

  @Test
  void refusesToOverwriteWithoutForceAndReplacesWithIt() throws Exception {
    Path dir = Files.createTempDirectory("cert");
    StringWriter out = new StringWriter();
    assertThat(run(out, "cert", "--out", dir.toString())).isZero();
    byte[] cert = Files.readAllBytes(dir.resolve("tls.crt"));
    byte[] key = Files.readAllBytes(dir.resolve("tls.key"));
    StringWriter second = new StringWriter();
    assertThat(run(second, "cert", "--out", dir.toString())).isEqualTo(1);
    assertThat(second.toString().trim())
        .isEqualTo(
            "bulwark cert: "
                + dir.resolve("tls.key")
                + " exists; add --force to replace tls.crt and tls.key in "
                + dir);
    assertThat(Files.readAllBytes(dir.resolve("tls.crt"))).isEqualTo(cert);
    assertThat(Files.readAllBytes(dir.resolve("tls.key"))).isEqualTo(key);
    Files.delete(dir.resolve("tls.key"));
    assertThat(run(new StringWriter(), "cert", "--out", dir.toString()))
        .as("a certificate alone is not replaced either")
        .isEqualTo(1);
    assertThat(run(new StringWriter(), "cert", "--out", dir.toString(), "--force")).isZero();
    assertThat(Files.readAllBytes(dir.resolve("tls.crt"))).isNotEqualTo(cert);
    assertThat(Files.getPosixFilePermissions(dir.resolve("tls.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void badHostsAndOutputsGetOneLineEach() throws Exception {
    Path dir = Files.createTempDirectory("cert");
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    for (List<String> args :
        List.of(
            List.of("--host", "192.168.1.5"),
            List.of("--host", "2001:db8::1"),
            List.of("--host", "bad host"),
            List.of("--host", "-leading.example"))) {
      StringWriter out = new StringWriter();
      List<String> all = new java.util.ArrayList<>(List.of("cert", "--out", dir.toString()));
      all.addAll(args);
      assertThat(run(out, all.toArray(new String[0]))).as(args.toString()).isEqualTo(2);
      assertThat(out.toString().trim().lines()).as(args.toString()).hasSize(1);
      assertThat(out.toString()).startsWith("bulwark cert: --host ").doesNotContain("Exception");
    }
    assertThat(Files.exists(dir.resolve("tls.key"))).isFalse();
    StringWriter out = new StringWriter();
    assertThat(run(out, "cert", "--out", file.toString())).isEqualTo(1);
    assertThat(out.toString().trim())
        .isEqualTo("bulwark cert: " + file + " is not a directory (expected: --out DIRECTORY)");
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
    StringWriter denied = new StringWriter();
    int status = run(denied, "cert", "--out", locked.toString());
    if (!System.getProperty("user.name").equals("root")) {
      assertThat(status).isEqualTo(1);
      assertThat(denied.toString().trim())
          .isEqualTo(
              "bulwark cert: cannot write tls.crt and tls.key in "
                  + locked
                  + " (permission denied)");
    }
  }

  @Test
  void hostNamesAreDnsNames() {
    assertThat(CertCommand.hostProblem("localhost")).isNull();
    assertThat(CertCommand.hostProblem("api.test")).isNull();
    assertThat(CertCommand.hostProblem("*.example.test")).isNull();
    assertThat(CertCommand.hostProblem("a-b.c0")).isNull();
    for (String bad :
        List.of(
            "a..b",
            ".a",
            "a.",
            "-a.test",
            "a-.test",
            "a_b.test",
            "*.",
            "x*.test",
            "a".repeat(64))) {
      assertThat(CertCommand.hostProblem(bad)).as(bad).startsWith("not a DNS name");
    }
    assertThat(CertCommand.hostProblem("10.0.0.1")).startsWith("an IP address");
    assertThat(CertCommand.hostProblem("fe80::1")).startsWith("an IP address");
  }
}
