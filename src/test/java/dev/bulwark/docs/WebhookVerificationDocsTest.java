package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bulwark.audit.alert.WebhookSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook verification examples in docs/audit-and-alerts.md (the Python function and the shell
 * lines after {@code <!-- verify: python -->} and {@code <!-- verify: sh -->}) accept a delivery
 * signed by the gateway and refuse an altered body, run with the real python3 and openssl when they
 * are installed.
 */
class WebhookVerificationDocsTest {
  private static final Path PAGE = Path.of("docs/audit-and-alerts.md");
  private static final String BODY =
      "{\"version\":1,\"id\":\"a-1\",\"rule\":\"ban-storm\",\"count\":20}";

  @TempDir Path dir;

  private static String block(String marker) throws IOException {
    List<String> lines = Files.readAllLines(PAGE, StandardCharsets.UTF_8);
    int i = lines.indexOf("<!-- verify: " + marker + " -->");
    assertThat(i).as("marker " + marker).isNotNegative();
    assertThat(lines.get(i + 1)).startsWith("```");
    StringBuilder sb = new StringBuilder();
    for (int j = i + 2; !lines.get(j).startsWith("```"); j++) {
      sb.append(lines.get(j)).append('\n');
    }
    return sb.toString();
  }

  private static boolean installed(String command) {
    try {
      Process p = new ProcessBuilder("sh", "-c", "command -v " + command).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private String run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void thePythonExampleVerifiesADeliveryAndRefusesAnAlteredBody() throws Exception {
    assumeTrue(installed("python3"), "python3 not installed");
    String secret = "doc-secret-" + UUID.randomUUID();
    long now = System.currentTimeMillis() / 1000;
    String header =
        WebhookSignature.header(
            secret.getBytes(StandardCharsets.UTF_8), now, BODY.getBytes(StandardCharsets.UTF_8));
    Path script = dir.resolve("verify.py");
    Files.writeString(
        script,
        block("python")
            + "\nimport os, sys\n"
            + "body = open(sys.argv[1], 'rb').read()\n"
            + "print(verify(os.environ['SECRET'].encode(), os.environ['SIG'], body))\n");
    Files.writeString(dir.resolve("body.json"), BODY);
    Files.writeString(dir.resolve("altered.json"), BODY.replace("20", "2"));
    Map<String, String> env = Map.of("SECRET", secret, "SIG", header);
    assertThat(run(env, "python3", script.toString(), "body.json")).isEqualTo("True");
    assertThat(run(env, "python3", script.toString(), "altered.json")).isEqualTo("False");
    String old =
        WebhookSignature.header(
            secret.getBytes(StandardCharsets.UTF_8),
            now - 3600,
            BODY.getBytes(StandardCharsets.UTF_8));
    assertThat(run(Map.of("SECRET", secret, "SIG", old), "python3", script.toString(), "body.json"))
        .isEqualTo("False");
  }

  @Test
  void theShellExampleVerifiesADeliveryAndRefusesAnAlteredBody() throws Exception {
    assumeTrue(installed("openssl"), "openssl not installed");
    String secret = "doc-secret-" + UUID.randomUUID();
    long now = System.currentTimeMillis() / 1000;
    String header =
        WebhookSignature.header(
            secret.getBytes(StandardCharsets.UTF_8), now, BODY.getBytes(StandardCharsets.UTF_8));
    Path script = dir.resolve("verify.sh");
    Files.writeString(script, block("sh"));
    Map<String, String> env = Map.of("ALERT_WEBHOOK_SECRET", secret, "SIG", header);
    Files.writeString(dir.resolve("body.json"), BODY);
    assertThat(run(env, "sh", script.toString())).isEqualTo("valid");
    Files.writeString(dir.resolve("body.json"), BODY.replace("20", "2"));
    assertThat(run(env, "sh", script.toString())).isEqualTo("invalid");
  }
}
