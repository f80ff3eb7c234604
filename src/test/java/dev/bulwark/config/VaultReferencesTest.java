package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestGateway;
import dev.bulwark.testing.TestVault;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ${vault:mount/data/path#field}} references resolved at load against a server that follows
 * Vault's HTTP API over real TLS: each login method, and every way Vault or the secret can be
 * wrong, reported at its path in one line that says what to do.
 */
class VaultReferencesTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  static Path dir;

  @SuppressWarnings("NullAway.Init")
  private static TestVault vault;

  @SuppressWarnings("NullAway.Init")
  private static String token;

  private SecretResolver resolver = new SecretResolver(Map.<String, String>of()::get);

  @BeforeAll
  static void startVault() throws Exception {
    vault = TestVault.start(dir);
    token = vault.token(Duration.ofHours(1), true);
    vault.put("secret", "bulwark", Map.of("route-name", "from-vault", "number", 42));
    vault.put("secret", "huge", Map.of("value", "x".repeat(70 * 1024)));
    vault.put(
        "secret", "enormous", Map.of("a", "x".repeat(60 * 1024), "b", "y".repeat(1024 * 1024)));
    vault.put("secret", "gone", Map.of("k", "v"));
    vault.deleteCurrent("secret", "gone");
    vault.approle("role-1", "secret-1");
    vault.kubernetes("bulwark", "sa-jwt-1");
  }

  @AfterAll
  static void stopVault() throws Exception {
    vault.close();
  }

  @AfterEach
  void clearFaults() {
    vault.failWith(0);
    vault.delay(Duration.ZERO);
    resolver.close();
  }

  static Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** A file with a vault section (its auth given) and one route named by {@code name}. */
  static String yaml(String vaultSection, String name) throws IOException {
    var c = TestGateway.certificate();
    return """
        listen: { https: 127.0.0.1:0 }
        tls: { cert: %s, key: %s }
        %s
        routes:
          - name: "%s"
            public: true
            match: { path: /**, methods: [GET] }
            upstream: http://127.0.0.1:3000
        """
        .formatted(c.certFile(), c.keyFile(), vaultSection, name);
  }

  static String tokenVault(String address, Path ca, String extra) throws IOException {
    Path tokenFile = file("token", token + "\n");
    return """
        vault:
          address: %s
          ca: %s
          auth: { token: "${file:%s}" }
        %s"""
        .formatted(address, ca, tokenFile, extra.indent(2));
  }

  private ConfigLoader.Loaded load(String yaml) throws ConfigException, IOException {
    Path f = file("bulwark.yaml", yaml);
    return PolicyCatalog.standard().loader(resolver).load(f);
  }

  private List<String> errors(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml));
    assertThat(e).as("refused").isNotNull();
    return e.problems().stream().map(Problem::toString).toList();
  }

  @Test
  void aTokenReadsAFieldOfAKvV2SecretAtLoad() throws Exception {
    var loaded =
        load(
            yaml(
                tokenVault(vault.address(), vault.caFile(), ""),
                "${vault:secret/data/bulwark#route-name}"));
    assertThat(loaded.config().routes().get(0).name()).isEqualTo("from-vault");
  }

  @Test
  void approleLogsInWithRoleAndSecretId() throws Exception {
    Path secretId = file("secret-id", "secret-1");
    String section =
        """
        vault:
          address: %s
          ca: %s
          auth:
            approle: { role-id: role-1, secret-id: "${file:%s}" }
        """
            .formatted(vault.address(), vault.caFile(), secretId);
    int before = vault.logins();
    var loaded = load(yaml(section, "${vault:secret/data/bulwark#route-name}"));
    assertThat(loaded.config().routes().get(0).name()).isEqualTo("from-vault");
    assertThat(vault.logins()).isEqualTo(before + 1);
  }

  @Test
  void kubernetesLogsInWithTheServiceAccountTokenFile() throws Exception {
    Path jwt = file("sa-token", "sa-jwt-1\n");
    String section =
        """
        vault:
          address: %s
          ca: %s
          auth:
            kubernetes: { role: bulwark, jwt-file: %s }
        """
            .formatted(vault.address(), vault.caFile(), jwt);
    var loaded = load(yaml(section, "${vault:secret/data/bulwark#route-name}"));
    assertThat(loaded.config().routes().get(0).name()).isEqualTo("from-vault");
    assertThat(vault.lastKubernetesJwt()).isEqualTo("sa-jwt-1");
  }

  @Test
  void aWrongAppRoleSecretIdIsRefusedAtTheVaultSection() throws Exception {
    Path secretId = file("bad-secret-id", "not-the-secret");
    String section =
        """
        vault:
          address: %s
          ca: %s
          auth:
            approle: { role-id: role-1, secret-id: "${file:%s}" }
        """
            .formatted(vault.address(), vault.caFile(), secretId);
    assertThat(errors(yaml(section, "${vault:secret/data/bulwark#route-name}")))
        .singleElement()
        .asString()
        .startsWith("vault: approle login: Vault answered 400 (invalid role or secret ID)")
        .contains("check vault.auth");
  }

  @Test
  void vaultDownAtStartIsOneErrorNamingTheAddressAndWhatToDo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String address = "https://127.0.0.1:" + port;
    List<String> errors =
        errors(
            yaml(
                tokenVault(address, vault.caFile(), ""),
                "${vault:secret/data/bulwark#route-name}"));
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("vault: ")
        .contains(address)
        .contains("check that Vault runs and is reachable at vault.address")
        .doesNotContain("Exception");
  }

  @Test
  void vaultAnswering403IsAnErrorAtTheReferencesPath() throws Exception {
    vault.deny("secret/data/private");
    vault.put("secret", "private", Map.of("k", "v"));
    assertThat(
            errors(
                yaml(
                    tokenVault(vault.address(), vault.caFile(), ""),
                    "${vault:secret/data/private#k}")))
        .singleElement()
        .asString()
        .startsWith(
            "routes[0].name: ${vault:secret/data/private#k}: secret/data/private: Vault"
                + " answered 403 (permission denied)")
        .contains("policy allows reading");
  }

  @Test
  void vaultAnswering500IsRefusedWithTheStatus() throws Exception {
    vault.failWith(500);
    assertThat(
            errors(
                yaml(
                    tokenVault(vault.address(), vault.caFile(), ""),
                    "${vault:secret/data/bulwark#route-name}")))
        .singleElement()
        .asString()
        .startsWith("vault: vault token: Vault at " + vault.address() + ": Vault answered 500");
  }

  @Test
  void aSlowVaultTimesOut() throws Exception {
    vault.delay(Duration.ofSeconds(3));
    long start = System.nanoTime();
    List<String> errors =
        errors(
            yaml(
                tokenVault(vault.address(), vault.caFile(), "timeout: 300ms"),
                "${vault:secret/data/bulwark#route-name}"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(errors).singleElement().asString().contains("no answer within 300ms");
  }

  @Test
  void secretsOfTheWrongShapeAreRefusedEachAtItsPath() throws Exception {
    String section = tokenVault(vault.address(), vault.caFile(), "");
    assertThat(errors(yaml(section, "${vault:secret/data/bulwark#missing}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/bulwark#missing}: secret/data/bulwark: no field"
                + " missing (version 1)");
    assertThat(errors(yaml(section, "${vault:secret/data/bulwark#number}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/bulwark#number}: secret/data/bulwark#number: a"
                + " number, not a string (expected: the secret as a string)");
    assertThat(errors(yaml(section, "${vault:secret/data/huge#value}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/huge#value}: secret/data/huge#value: larger than"
                + " 64KiB");
  }

  @Test
  void anAnswerOverOneMebibyteOrADeletedVersionIsRefused() throws Exception {
    String section = tokenVault(vault.address(), vault.caFile(), "");
    assertThat(errors(yaml(section, "${vault:secret/data/enormous#a}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/enormous#a}: secret/data/enormous: Vault's answer"
                + " is larger than 1024KiB");
    assertThat(errors(yaml(section, "${vault:secret/data/gone#k}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/gone#k}: secret/data/gone: the current version"
                + " is deleted in Vault (undelete it or write a new one)");
  }

  @Test
  void aBadPathIsRefusedBeforeAnyRequest() throws Exception {
    String section = tokenVault(vault.address(), vault.caFile(), "");
    assertThat(errors(yaml(section, "${vault:secret/bulwark#route-name}")))
        .singleElement()
        .asString()
        .contains("not of the form mount/data/path#field");
    assertThat(errors(yaml(section, "${vault:secret/data/../sys#x}")))
        .singleElement()
        .asString()
        .contains("a path segment is . or ..");
    assertThat(errors(yaml(section, "${vault:secret/data/nothing-here#x}")))
        .singleElement()
        .asString()
        .contains("secret/data/nothing-here: not found in Vault (404)");
    assertThat(errors(yaml(section, "${vault:unmounted/data/x#y}")))
        .singleElement()
        .asString()
        .contains("unmounted/data/x: not found in Vault (404)");
  }

  @Test
  void tlsToVaultWithAnotherCaIsRefusedAndNeverRetriedInsecurely() throws Exception {
    Path otherCa = TestCertificates.ca("Other CA").writeCertificate(dir.resolve("other-ca.pem"));
    assertThat(
            errors(
                yaml(
                    tokenVault(vault.address(), otherCa, ""),
                    "${vault:secret/data/bulwark#route-name}")))
        .singleElement()
        .asString()
        .startsWith(
            "vault: Vault at "
                + vault.address()
                + ": TLS failed (its certificate is not"
                + " issued by a trusted CA); set vault.ca");
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    String expired = vault.token(Duration.ofHours(1), true);
    vault.expire(expired);
    Path tokenFile = file("expired-token", expired);
    String section =
        """
        vault:
          address: %s
          ca: %s
          auth: { token: "${file:%s}" }
        """
            .formatted(vault.address(), vault.caFile(), tokenFile);
    assertThat(errors(yaml(section, "${vault:secret/data/bulwark#route-name}")))
        .singleElement()
        .asString()
        .startsWith("vault: vault token: Vault answered 403 (permission denied)")
        .contains("check vault.auth");
  }

  @Test
  void credentialsInTheVaultSectionAreReferencesOnly() throws Exception {
    String section =
        """
        vault:
          address: http://vault.example.com:8200
          auth: { token: hvs.literal-token }
        """;
    assertThat(errors(yaml(section, "api")))
        .contains(
            "vault.address: \"http://vault.example.com:8200\" (expected: an https:// address (the"
                + " Vault token would cross the network in the clear))",
            "vault.auth.token: literal credential (expected: a reference such as"
                + " ${file:/run/secrets/vault-token})");
    String approle =
        """
        vault:
          address: https://vault.example.com:8200
          auth: { approle: { role-id: r, secret-id: literal } }
        """;
    assertThat(errors(yaml(approle, "api")))
        .containsExactly(
            "vault.auth.approle.secret-id: literal credential (expected: a reference such as"
                + " ${file:/run/secrets/vault-secret-id})");
    String itself =
        """
        vault:
          address: https://vault.example.com:8200
          auth: { token: "${vault:secret/data/x#token}" }
        """;
    assertThat(errors(yaml(itself, "api")))
        .singleElement()
        .asString()
        .contains("a ${vault:..} reference cannot configure Vault itself");
  }

  @Test
  void aVaultReferenceWithoutAVaultSectionSaysWhatIsMissing() throws Exception {
    assertThat(errors(yaml("", "${vault:secret/data/bulwark#route-name}")))
        .containsExactly(
            "routes[0].name: ${vault:secret/data/bulwark#route-name}: no vault section (expected:"
                + " a top-level vault: with address and auth)");
  }
}
