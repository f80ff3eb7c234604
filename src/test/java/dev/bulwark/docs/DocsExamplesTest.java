package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.fixture.Fixture;
import dev.bulwark.fixture.FixtureFile;
import dev.bulwark.fixture.FixtureResult;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.OfflineGateway;
import dev.bulwark.server.SelfSignedCertificate;
import dev.bulwark.testing.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration example in the documentation is loaded: each {@code ```yaml} block in {@code
 * docs/*.md} and {@code README.md} that is a complete configuration (top-level {@code listen:} and
 * {@code routes:}) must load without errors, and each block preceded by {@code <!-- invalid -->}
 * must be refused ({@code <!-- invalid: TEXT -->} also requires an error containing TEXT).
 * Certificate and key paths are replaced by a generated pair, CA paths by a generated CA
 * certificate, CRL paths by a CRL it signed, {@code ${env:..}} resolves to {@code placeholder} (a
 * 44-character stand-in for a name with {@code TOKEN} or {@code SECRET} in it), and {@code
 * ${file:..}} to a placeholder file.
 */
class DocsExamplesTest {
  private static final Path DOCS = Path.of("docs");
  private static final Path README = Path.of("README.md");

  private static final Pattern OPEN = Pattern.compile("^(\\s*)```yaml\\s*$");
  private static final Pattern INVALID =
      Pattern.compile("^\\s*<!--\\s*invalid(?:\\s*:\\s*(.*?))?\\s*-->\\s*$");
  private static final Pattern LISTEN = Pattern.compile("(?m)^listen:");
  private static final Pattern ROUTES = Pattern.compile("(?m)^routes:");
  private static final Pattern FILE_KEY =
      Pattern.compile(
          "(?m)(^[ \\t]*|[{,][ \\t]*)(cert|key|ca|client-cert|client-key|crl):[ \\t]*"
              + "(\"[^\"\\n]*\"|'[^'\\n]*'|[^\\s,}#\\[{]+)");
  private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:[^}]*}");

  /** One fenced YAML block: where it is, its text, and whether it must be refused. */
  record Example(String source, int line, String yaml, boolean invalid, String expectedError) {
    boolean complete() {
      return LISTEN.matcher(yaml).find() && ROUTES.matcher(yaml).find();
    }

    @Override
    public String toString() {
      return source + ":" + line + (invalid ? " (invalid)" : "");
    }
  }

  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> everyCompleteConfigExampleLoads() throws IOException {
    return examples().stream()
        .filter(e -> !e.invalid() && e.complete())
        .map(e -> DynamicTest.dynamicTest(e.toString(), () -> assertLoads(e)));
  }

  @TestFactory
  Stream<DynamicTest> everyExampleMarkedInvalidIsRefused() throws IOException {
    return examples().stream()
        .filter(Example::invalid)
        .map(e -> DynamicTest.dynamicTest(e.toString(), () -> assertRefused(e)));
  }

  /**
   * Every fixture example (a block with top-level {@code tests:}) runs with {@code bulwark test}'s
   * runner against the last complete configuration above it on the same page, and passes.
   */
  @TestFactory
  Stream<DynamicTest> everyFixtureExampleRunsAndPassesAgainstTheConfigAboveIt() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    Example config = null;
    for (Example e : examples()) {
      if (config != null && !config.source().equals(e.source())) {
        config = null;
      }
      if (!e.invalid() && e.complete()) {
        config = e;
      } else if (TESTS.matcher(e.yaml()).find()) {
        Example against = config;
        tests.add(DynamicTest.dynamicTest(e.toString(), () -> assertFixturesPass(e, against)));
      }
    }
    assertThat(tests).as("fixture examples in docs/policy-as-code.md").isNotEmpty();
    return tests.stream();
  }

  private static final Pattern TESTS = Pattern.compile("(?m)^tests:");

  private static void assertFixturesPass(Example fixtures, @Nullable Example config)
      throws Exception {
    assertThat(config).as(fixtures + " has no complete configuration above it").isNotNull();
    BulwarkConfig loaded = loader().load(write(config)).config();
    List<Fixture> all =
        FixtureFile.parse(
            fixtures.yaml(), fixtures.toString(), new HashSet<>(OfflineGateway.stageNames()));
    try (OfflineGateway gateway = OfflineGateway.compile(loaded)) {
      for (Fixture f : all) {
        FixtureResult r = FixtureResult.run(f, gateway);
        assertThat(r.differences())
            .as(
                fixtures
                    + ": "
                    + f.name()
                    + " against "
                    + config
                    + "\n"
                    + String.join("\n", r.observed().trace()))
            .isEmpty();
      }
    }
  }

  @Test
  void theDocsHaveConfigExamplesToTest() throws IOException {
    List<Example> all = examples();
    assertThat(all.stream().filter(e -> !e.invalid() && e.complete()).count())
        .as("complete config examples found in docs/ and README.md")
        .isGreaterThanOrEqualTo(10);
    assertThat(all.stream().filter(Example::invalid).count())
        .as("invalid examples found")
        .isGreaterThanOrEqualTo(3);
    assertThat(all.stream().filter(e -> e.source().equals("README.md")).count())
        .as("README.md has a config example")
        .isPositive();
  }

  @Test
  void placeholderPathsReplaceCertificateKeyAndCaValues() throws IOException {
    String yaml =
        """
        tls:
          cert: /etc/bulwark/tls.crt
          key: "/etc/bulwark/tls.key"
        routes:
          - upstream: { url: "https://x:8443", ca: /etc/ca.pem }
            match: { host: "${file:/run/secrets/host}" }
        """;
    String out = withPlaceholders(yaml);
    assertThat(out)
        .contains("cert: \"" + work.resolve("tls.crt") + "\"")
        .contains("key: \"" + work.resolve("tls.key") + "\"")
        .contains("ca: \"" + work.resolve("ca.pem") + "\"")
        .contains("${file:" + work.resolve("secret.txt") + "}")
        .doesNotContain("/etc/");
  }

  private static void assertLoads(Example e) throws Exception {
    Path file = write(e);
    try {
      loader().load(file);
    } catch (ConfigException ex) {
      throw new AssertionError(
          e + " is a complete configuration example but does not load:\n" + ex.getMessage(), ex);
    }
  }

  private static void assertRefused(Example e) throws Exception {
    Path file = write(e);
    ConfigException refused =
        catchThrowableOfType(ConfigException.class, () -> loader().load(file));
    assertThat(refused).as(e + " is marked invalid but loads").isNotNull();
    if (!e.expectedError().isEmpty()) {
      assertThat(refused.problems())
          .as(e + " is refused, but not for the documented reason")
          .anyMatch(
              p ->
                  p.severity() == Problem.Severity.ERROR
                      && p.toString().contains(e.expectedError()));
    }
  }

  private static ConfigLoader loader() {
    // A token must be long enough to be one (admin.token asks for 32 characters or more).
    return EndpointCatalog.standard()
        .loader(
            PolicyCatalog.standard(),
            new SecretResolver(
                name ->
                    name.contains("TOKEN") || name.contains("SECRET")
                        ? "placeholder-token-0123456789abcdefghijklmnop"
                        : "placeholder"));
  }

  private static Path write(Example e) throws Exception {
    if (!Files.exists(work.resolve("tls.key"))) {
      // A real pair: the loader checks the certificate and key together.
      SelfSignedCertificate.generate(work, List.of("localhost"));
    }
    if (!Files.exists(work.resolve("ca.pem"))) {
      // CA bundles are read as certificates (client-cert.ca), and CRLs must be signed by one.
      TestCertificates.Issued ca = TestCertificates.ca("Docs Example CA");
      TestCertificates.writeChain(work.resolve("ca.pem"), ca);
      TestCertificates.writeCrl(work.resolve("crl.pem"), ca);
    }
    for (String name : List.of("secret.txt")) {
      Path p = work.resolve(name);
      if (!Files.exists(p)) {
        Files.writeString(p, "placeholder\n", StandardCharsets.UTF_8);
      }
    }
    // OpenAPI contracts that examples name (contract: contracts/x.yaml) live in docs/contracts/.
    Path contracts = DOCS.resolve("contracts");
    if (Files.isDirectory(contracts) && !Files.exists(work.resolve("contracts"))) {
      Files.createDirectories(work.resolve("contracts"));
      try (Stream<Path> s = Files.list(contracts)) {
        for (Path c : s.toList()) {
          Files.copy(c, work.resolve("contracts").resolve(c.getFileName().toString()));
        }
      }
    }
    Path file =
        work.resolve(
            "example-" + e.source().replaceAll("[^A-Za-z0-9]", "_") + "-" + e.line() + ".yaml");
    Files.writeString(
        file, VaultExamples.prepare(withPlaceholders(e.yaml()), work), StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Points certificate, key and CA values and {@code ${file:..}} references at placeholder files.
   */
  static String withPlaceholders(String yaml) {
    Matcher m = FILE_KEY.matcher(yaml);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = m.group(3).replace("\"", "").replace("'", "");
      if ((!value.contains("/") && !value.contains(".")) || value.startsWith("${")) {
        // Not a file (a rate limit's `key: ip`, say), or a secret reference replaced below.
        // Not a file: a rate limit's `key: ip`, say.
        m.appendReplacement(sb, Matcher.quoteReplacement(m.group()));
        continue;
      }
      String target =
          switch (m.group(2)) {
            case "cert", "client-cert" -> "tls.crt";
            case "key", "client-key" -> "tls.key";
            case "crl" -> "crl.pem";
            default -> "ca.pem";
          };
      m.appendReplacement(
          sb,
          Matcher.quoteReplacement(m.group(1) + m.group(2) + ": \"" + work.resolve(target) + "\""));
    }
    m.appendTail(sb);
    // A signed route's public keys: generated ones, by the curve the file name says.
    String keyed = publicKeys(sb.toString());
    return FILE_REFERENCE
        .matcher(keyed)
        .replaceAll(Matcher.quoteReplacement("${file:" + work.resolve("secret.txt") + "}"))
        .replace(GENERATED_FILE, "${file:");
  }

  /** Stands for {@code ${file:} until the placeholder file has replaced every other reference. */
  private static final String GENERATED_FILE = "\u0000generated-file:";

  private static final Pattern PUBLIC_KEY_REFERENCE =
      Pattern.compile("\\$\\{file:[^}]*(ed25519|p256)[^}]*\\.pem}");

  /** Points {@code ${file:..ed25519..pem}} and {@code ..p256..pem} at generated public keys. */
  private static String publicKeys(String yaml) {
    Matcher m = PUBLIC_KEY_REFERENCE.matcher(yaml);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      Path file = work.resolve("public-" + m.group(1) + ".pem");
      try {
        if (!Files.exists(file)) {
          java.security.KeyPairGenerator g =
              java.security.KeyPairGenerator.getInstance(
                  m.group(1).equals("p256") ? "EC" : "Ed25519");
          if (m.group(1).equals("p256")) {
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
          }
          Files.writeString(
              file,
              "-----BEGIN PUBLIC KEY-----\n"
                  + java.util.Base64.getMimeEncoder()
                      .encodeToString(g.generateKeyPair().getPublic().getEncoded())
                  + "\n-----END PUBLIC KEY-----\n",
              StandardCharsets.UTF_8);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(GENERATED_FILE + file + "}"));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** Returns every fenced YAML block of the documentation, in file order. */
  static List<Example> examples() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(DOCS)) {
      s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
    }
    files.add(README);
    List<Example> out = new ArrayList<>();
    for (Path f : files) {
      out.addAll(examples(f.toString(), Files.readAllLines(f, StandardCharsets.UTF_8)));
    }
    return out;
  }

  static List<Example> examples(String source, List<String> lines) {
    List<Example> out = new ArrayList<>();
    String previous = "";
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i++);
      Matcher open = OPEN.matcher(line);
      if (!open.matches()) {
        if (!line.isBlank()) {
          previous = line;
        }
        continue;
      }
      String indent = open.group(1);
      Matcher invalid = INVALID.matcher(previous);
      boolean isInvalid = invalid.matches();
      String expected = isInvalid && invalid.group(1) != null ? invalid.group(1) : "";
      int fenceLine = i; // 1-based number of the opening fence
      StringBuilder yaml = new StringBuilder();
      while (i < lines.size() && !lines.get(i).trim().equals("```")) {
        String l = lines.get(i++);
        yaml.append(l.startsWith(indent) ? l.substring(indent.length()) : l).append('\n');
      }
      i++; // the closing fence
      out.add(new Example(source, fenceLine, yaml.toString(), isInvalid, expected));
      previous = "";
    }
    return out;
  }
}
