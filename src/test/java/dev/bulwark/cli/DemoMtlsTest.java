package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.demo.DemoClientCertificates;
import dev.bulwark.testing.ClientCertificateClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bulwark demo} shows a mutual-TLS route: a client certificate generated at start (its CA
 * key never written), the curl line with {@code --cert/--key} in the banner, 496 without it.
 */
class DemoMtlsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static X509Certificate certificate(Path file) throws Exception {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static PrivateKey key(Path file) throws Exception {
    String pem = Files.readString(file);
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  private static int get(SSLContext ssl, String url) throws Exception {
    HttpClient client = ClientCertificateClients.client(ssl, HttpClient.Version.HTTP_1_1);
    return client
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void theDemoMtlsRouteTakesTheGeneratedClientCertificateAndPrintsItsCurlLine() throws Exception {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo)
        .parseArgs(
            "--dir", dir.toString(), "--https-port", "0", "--http-port", "0", "--admin-port", "0");
    try (DemoCommand.Running running = demo.start()) {
      Path cert = dir.resolve(DemoClientCertificates.CERT_FILE);
      Path key = dir.resolve(DemoClientCertificates.KEY_FILE);
      String url = "https://localhost:" + running.gateway().httpsPort() + "/api/mtls/hello";
      assertThat(running.banner())
          .contains("curl -ki --cert " + cert + " --key " + key + " " + url);
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no file holds the demo CA's private key")
            .doesNotContain("demo-clients-ca.key");
      }
      X509Certificate server = certificate(dir.resolve("tls.crt"));
      X509Certificate client = certificate(cert);
      assertThat(get(ClientCertificateClients.context(server, key(key), client), url))
          .isEqualTo(200);
      assertThat(get(ClientCertificateClients.context(server, null), url)).isEqualTo(496);
      assertThat(
              get(
                  ClientCertificateClients.context(server, null),
                  "https://localhost:" + running.gateway().httpsPort() + "/api/hello"))
          .as("the other routes still serve clients without a certificate")
          .isEqualTo(200);
    }
  }
}
