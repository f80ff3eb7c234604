package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A contract shipped in the jar (an endpoint's own) compiles without errors or lint warnings, or
 * the gateway refuses to build it: a sloppy shipped contract is a defect of the build.
 */
class ShippedContractTest {
  private static byte[] doc(String schema) {
    return """
        openapi: 3.0.3
        info: { title: t, version: "1" }
        paths:
          /auth/x:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: SCHEMA } }
              responses: { "204": { description: ok } }
        """
        .replace("SCHEMA", schema)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bothShippedContractsCompileFromTheJar() {
    for (String resource : new String[] {"openapi/login.yaml", "openapi/password-reset.yaml"}) {
      String name = resource.substring(resource.indexOf('/') + 1);
      ContractConfig c =
          ContractConfig.shipped(
              name, ContractConfig.shippedDocument(resource), "/", JsonLimits.DEFAULTS);
      assertThat(c.enabled()).isTrue();
      assertThat(c.operations()).as(resource).isPositive();
      assertThat(c.allowUndeclaredQuery()).isFalse();
      assertThat(c.response()).isEqualTo(ContractConfig.ResponseMode.OFF);
    }
  }

  @Test
  void aShippedContractWithALintWarningIsRefused() {
    assertThatThrownBy(
            () ->
                ContractConfig.shipped(
                    "sloppy.yaml",
                    doc(
                        "{ type: object, additionalProperties: false, properties: { a: { type: string } } }"),
                    "/",
                    JsonLimits.DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sloppy.yaml")
        .hasMessageContaining("string without maxLength");
  }

  @Test
  void aShippedContractWithAnErrorOrMissingFromTheJarIsRefused() {
    assertThatThrownBy(
            () ->
                ContractConfig.shipped(
                    "broken.yaml", doc("{ $ref: '#/nowhere' }"), "/", JsonLimits.DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("broken.yaml");
    assertThatThrownBy(() -> ContractConfig.shippedDocument("openapi/none.yaml"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("openapi/none.yaml: not in the jar");
  }

  @Test
  void aCleanShippedContractCompiles() {
    ContractConfig c =
        ContractConfig.shipped(
            "clean.yaml",
            doc(
                "{ type: object, additionalProperties: false,"
                    + " properties: { a: { type: string, maxLength: 8 } } }"),
            "/",
            JsonLimits.DEFAULTS);
    assertThat(c.operations()).isEqualTo(1);
  }
}
