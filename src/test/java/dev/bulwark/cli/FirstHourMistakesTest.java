package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The mistakes of a first hour with Bulwark, each run through the real command line ({@code
 * check-config}, {@code run}, and {@code demo}, {@code token} and {@code probe} where they apply):
 * the whole output must equal {@code src/test/resources/first-hour/NAME.golden}, and no output may
 * hold a Java class name or a stack trace, while every error line names the file or address. Run
 * with {@code -Dgolden.update=true} to rewrite the expectations after a deliberate change, then
 * review the diff.
 */
class FirstHourMistakesTest {
  private static final Path GOLDEN = Path.of("src/test/resources/first-hour");

  /** A Java class name, package-qualified or a bare exception type, or a stack frame. */
  private static final Pattern JAVA =
      Pattern.compile(
          "\\b(java|javax|sun|jdk|io\\.netty|io\\.vertx|dev\\.bulwark|org\\.bouncycastle|picocli)"
              + "\\.[a-z]|\\w+(Exception|Error)\\b|\\n\\s+at [\\w.$]+\\(");

  private static final String CONFIG =
      """
      listen:
        https: 127.0.0.1:P_HTTPS
        http: 127.0.0.1:P_HTTP
        admin: 127.0.0.1:P_ADMIN
      tls:
        cert: CERT
        key: KEY
      trusted-proxies: [10.0.0.0/8]
      defaults:
        rate-limit: { key: ip, limit: 100, window: 1m }
      routes:
        - name: api
          public: true
          match: { path: /api/**, methods: [GET] }
          upstream: http://127.0.0.1:3000
      """;

  /** One mistake: how to set it up in a directory, and the commands that meet it. */
  record Mistake(String name, Setup setup) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Prepares a directory and returns the command lines to run there. */
  interface Setup {
    List<String[]> prepare(Path dir, Ports ports) throws Exception;
  }

  /** Ports held busy for the mistakes that need one. */
  static final class Ports implements AutoCloseable {
    private final List<ServerSocket> held = new ArrayList<>();

    private final List<Integer> closed = new ArrayList<>();

    int busy() throws IOException {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      held.add(s);
      return s.getLocalPort();
    }

    /** Returns a port where nothing listens (it was free a moment ago). */
    int closed() throws IOException {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        closed.add(s.getLocalPort());
        return s.getLocalPort();
      }
    }

    List<Integer> all() {
      List<Integer> ports = new ArrayList<>(closed);
      for (ServerSocket s : held) {
        ports.add(s.getLocalPort());
      }
      return ports;
    }

    @Override
    public void close() throws IOException {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  static Stream<Mistake> mistakes() {
    Map<String, Setup> m = new LinkedHashMap<>();
    m.put(
        "busy-https-port",
        (dir, ports) -> {
          pair(dir);
          config(dir, "tls.crt", "tls.key", ports.busy(), 0, 0);
          return checkAndRun();
        });
    m.put(
        "busy-admin-port",
        (dir, ports) -> {
          pair(dir);
          config(dir, "tls.crt", "tls.key", 0, 0, ports.busy());
          return checkAndRun();
        });
    m.put(
        "demo-on-a-busy-port-it-was-told-to-use",
        (dir, ports) ->
            List.<String[]>of(
                new String[] {"demo", "--https-port", String.valueOf(ports.busy()), "--dir", "."}));
    m.put(
        "certificate-not-pem",
        (dir, ports) -> {
          pair(dir);
          Files.writeString(dir.resolve("tls.crt"), "paste the certificate here\n");
          config(dir, "tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "certificate-binary-der",
        (dir, ports) -> {
          Issued c = pair(dir);
          c.writeDerCertificate(dir.resolve("tls.der"));
          config(dir, "tls.der", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "key-passphrase-protected",
        (dir, ports) -> {
          Issued c = pair(dir);
          c.writeEncryptedKey(dir.resolve("tls.key"));
          config(dir, "tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "key-of-another-certificate",
        (dir, ports) -> {
          pair(dir);
          TestCertificates.ec("other.example").writeKey(dir.resolve("tls.key"));
          config(dir, "tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "ec-key-rsa-certificate",
        (dir, ports) -> {
          TestCertificates.rsa("gateway.example").writeCertificate(dir.resolve("tls.crt"));
          TestCertificates.ec("gateway.example").writeKey(dir.resolve("tls.key"));
          config(dir, "tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "certificate-and-key-swapped",
        (dir, ports) -> {
          pair(dir);
          config(dir, "tls.key", "tls.crt", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "certificate-expired",
        (dir, ports) -> {
          Issued old =
              TestCertificates.ec(
                  "gateway.example",
                  Instant.parse("2024-01-01T00:00:00Z"),
                  Instant.parse("2025-01-01T00:00:00Z"));
          old.writeCertificate(dir.resolve("tls.crt"));
          old.writeKey(dir.resolve("tls.key"));
          config(dir, "tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "certificate-missing",
        (dir, ports) -> {
          pair(dir);
          config(dir, "certs/tls.crt", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put(
        "certificate-is-a-directory",
        (dir, ports) -> {
          pair(dir);
          Files.createDirectories(dir.resolve("certs"));
          config(dir, "certs", "tls.key", 0, 0, 0);
          return checkAndRun();
        });
    m.put("config-missing", (dir, ports) -> checkAndRun("bulwrak.yaml"));
    m.put(
        "config-is-a-directory",
        (dir, ports) -> {
          Files.createDirectories(dir.resolve("conf"));
          return checkAndRun("conf");
        });
    m.put(
        "config-binary",
        (dir, ports) -> {
          Issued c = pair(dir);
          c.writeDerCertificate(dir.resolve("bulwark.yaml"));
          return checkAndRun();
        });
    m.put(
        "token-key-missing-or-pem",
        (dir, ports) -> {
          pair(dir);
          return List.of(
              new String[] {"token", "--key", "demo-issuer-private.jwk"},
              new String[] {"token", "--key", "tls.key"});
        });
    m.put(
        "bans-without-a-running-gateway",
        (dir, ports) ->
            List.<String[]>of(
                new String[] {"bans", "--admin", "http://127.0.0.1:" + ports.closed(), "list"}));
    m.put(
        "usage-errors",
        (dir, ports) ->
            List.of(
                new String[] {"run"},
                new String[] {"check-config", "-c", "bulwark.yaml", "--sumary"},
                new String[] {"probe"},
                new String[] {"probe", "http://localhost:8080/"}));
    return m.entrySet().stream().map(e -> new Mistake(e.getKey(), e.getValue()));
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void eachMistakeIsOneLineNamingTheFileOrAddress(Mistake mistake) throws Exception {
    Path dir = Files.createTempDirectory("first-hour");
    StringBuilder transcript = new StringBuilder();
    try (Ports ports = new Ports()) {
      List<String[]> commands = mistake.setup().prepare(dir, ports);
      for (String[] args : commands) {
        String[] resolved = resolve(args, dir);
        List<String> shown = new ArrayList<>();
        for (String a : args) {
          String shownArg = a;
          for (int p : ports.all()) {
            shownArg = shownArg.replace(String.valueOf(p), "$PORT");
          }
          shown.add(shownArg);
        }
        transcript.append("$ bulwark ").append(String.join(" ", shown)).append('\n');
        Run r =
            assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> bulwark(resolved),
                "the command started instead of refusing");
        String out = r.output().replace(dir.toString(), "$DIR");
        for (int p : ports.all()) {
          out = out.replace(":" + p, ":$PORT").replace(" " + p + " ", " $PORT ");
        }
        transcript.append(out).append("exit ").append(r.exit()).append('\n');
        assertThat(r.output()).as(String.join(" ", args)).doesNotContainPattern(JAVA);
      }
    }
    String actual = transcript.toString();
    Path golden = GOLDEN.resolve(mistake.name() + ".golden");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(golden)
        .as(
            "no %s; review this transcript, then write it with -Dgolden.update=true:%n%s",
            golden, actual)
        .exists();
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  @Test
  void everyGoldenFileHasItsMistake() throws IOException {
    List<String> names = mistakes().map(Mistake::name).toList();
    try (Stream<Path> files = Files.list(GOLDEN)) {
      assertThat(files.map(p -> p.getFileName().toString().replace(".golden", "")))
          .allMatch(names::contains);
    }
  }

  @Test
  void everyErrorLineNamesAFileAnAddressOrAnOption() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      List<Path> goldens = files.filter(p -> p.toString().endsWith(".golden")).toList();
      assertThat(goldens).hasSizeGreaterThanOrEqualTo(15);
      for (Path g : goldens) {
        for (String line : Files.readAllLines(g, StandardCharsets.UTF_8)) {
          if (line.startsWith("$ ") || line.startsWith("exit ") || line.startsWith("warning:")) {
            continue;
          }
          assertThat(line)
              .as(g.getFileName() + ": every line says where")
              .containsAnyOf("$DIR", "tls.", ".yaml", ":$PORT", "--", "bulwark ");
        }
      }
    }
  }

  /** What a command printed (standard output and error, in order) and its exit status. */
  record Run(String output, int exit) {}

  private static Run bulwark(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(capture);
    System.setErr(capture);
    int exit;
    try {
      CommandLine cli = Main.commandLine();
      PrintWriter w = new PrintWriter(capture, true, StandardCharsets.UTF_8);
      cli.setOut(w);
      cli.setErr(w);
      exit = cli.execute(args);
      w.flush();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(bytes.toString(StandardCharsets.UTF_8), exit);
  }

  private static String[] resolve(String[] args, Path dir) {
    String[] out = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean file =
          i > 0
              && (args[i - 1].equals("-c")
                  || args[i - 1].equals("--key")
                  || args[i - 1].equals("--dir"));
      out[i] = file ? dir.resolve(a).normalize().toString() : a;
    }
    return out;
  }

  private static List<String[]> checkAndRun() {
    return checkAndRun("bulwark.yaml");
  }

  private static List<String[]> checkAndRun(String config) {
    return List.of(new String[] {"check-config", "-c", config}, new String[] {"run", "-c", config});
  }

  private static Issued pair(Path dir) {
    Issued c = TestCertificates.ec("gateway.example");
    c.writeCertificate(dir.resolve("tls.crt"));
    c.writeKey(dir.resolve("tls.key"));
    return c;
  }

  private static void config(Path dir, String cert, String key, int https, int http, int admin)
      throws IOException {
    Files.writeString(
        dir.resolve("bulwark.yaml"),
        CONFIG
            .replace("CERT", cert)
            .replace("KEY", key)
            .replace("P_HTTPS", String.valueOf(https))
            .replace("P_HTTP", String.valueOf(http))
            .replace("P_ADMIN", String.valueOf(admin)));
  }
}
