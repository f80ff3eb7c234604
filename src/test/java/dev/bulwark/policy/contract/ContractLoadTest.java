package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contracts are compiled at config load: every problem is a config error with its route path. */
class ContractLoadTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final String HEAD =
      """
      openapi: 3.1.0
      info: { title: t, version: "1" }
      paths:
        /x:
          get:
            parameters:
              - { name: q, in: query, schema: SCHEMA }
            responses: { "200": { description: ok } }
      """;

  private ConfigLoader.Loaded load(String contract, String contractName) throws Exception {
    if (!Files.exists(dir.resolve("tls.key"))) {
      SelfSignedCertificate.generate(dir, java.util.List.of("localhost"));
    }
    Files.writeString(dir.resolve(contractName), contract);
    Path config = dir.resolve("bulwark.yaml");
    Files.writeString(
        config,
        """
        listen: { https: 127.0.0.1:0, http: 127.0.0.1:0, admin: 127.0.0.1:0 }
        tls: { cert: tls.crt, key: tls.key }
        routes:
          - name: first
            match: { path: /a/** }
            upstream: http://127.0.0.1:1
            public: true
          - name: api
            match: { path: /api/** }
            upstream: http://127.0.0.1:1
            public: true
            contract: { file: NAME, base-path: /api }
        """
            .replace("NAME", contractName));
    return PolicyCatalog.standard().loader(new SecretResolver(n -> null)).load(config);
  }

  private ConfigException refused(String schema) {
    return catchThrowableOfType(
        ConfigException.class, () -> load(HEAD.replace("SCHEMA", schema), "c.yaml"));
  }

  private static Operation op(ContractConfig c, String method) {
    return java.util.Objects.requireNonNull(
        c.contract().templates().get(0).operations().get(method));
  }

  @Test
  void aPatternRe2jCannotExpressIsALoadErrorNamingItAndWhere() {
    ConfigException e = refused("{ type: string, maxLength: 5, pattern: '(a)\\1' }");
    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .contains("routes[1].contract.file: c.yaml#/paths/~1x/get/parameters/0/schema/pattern")
        .contains("(a)\\1")
        .contains("RE2J");
    ConfigException look = refused("{ type: string, maxLength: 5, pattern: '^(?=a)a$' }");
    assertThat(look).isNotNull();
    assertThat(look.getMessage()).contains("pattern").contains("RE2J");
  }

  @Test
  void aRemoteRefIsRefusedAtLoad() {
    ConfigException e = refused("{ $ref: 'https://evil.example/schema.json' }");
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("routes[1].contract.file").contains("remote $ref");
    ConfigException file = refused("{ $ref: 'other.yaml#/x' }");
    assertThat(file).isNotNull();
    assertThat(file.getMessage()).contains("remote $ref");
    ConfigException dangling = refused("{ $ref: '#/components/schemas/Nope' }");
    assertThat(dangling).isNotNull();
    assertThat(dangling.getMessage()).contains("does not resolve");
  }

  @Test
  void unsupportedKeywordsAndVersionsAreErrorsNotSilentlyIgnored() throws Exception {
    ConfigException e = refused("{ type: object, patternProperties: { '^a': {} } }");
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("patternProperties: keyword not supported");
    ConfigException v =
        catchThrowableOfType(
            ConfigException.class, () -> load("swagger: '2.0'\npaths: {}\n", "old.yaml"));
    assertThat(v).isNotNull();
    assertThat(v.getMessage()).contains("OpenAPI 3.0.x or 3.1.x");
    ConfigException missing =
        catchThrowableOfType(
            ConfigException.class,
            () -> {
              Files.writeString(dir.resolve("tls.crt"), "p");
              load("openapi: 3.0.0", "present.yaml");
              Files.delete(dir.resolve("present.yaml"));
              PolicyCatalog.standard()
                  .loader(new SecretResolver(n -> null))
                  .load(dir.resolve("bulwark.yaml"));
            });
    assertThat(missing).isNotNull();
    assertThat(missing.getMessage()).contains("routes[1].contract.file");
  }

  @Test
  void lintWarnsAboutUnboundedRequestSchemasWithTheirLocation() throws Exception {
    String contract =
        """
        openapi: 3.0.3
        info: { title: t, version: "1" }
        paths:
          /x:
            post:
              parameters:
                - { name: q, in: query, schema: { type: string } }
                - { name: n, in: query, schema: { type: integer } }
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        tags: { type: array, items: { type: string, maxLength: 3 } }
                  application/xml: {}
              responses: { "200": { description: ok } }
          /y:
            post:
              requestBody:
                content: { application/json: {} }
              responses: { "200": { description: ok } }
        """;
    ConfigLoader.Loaded loaded = load(contract, "lint.json.yaml");
    assertThat(
            loaded.warnings().stream()
                .map(Object::toString)
                .filter(w -> !w.contains(".public: public route accepts unsafe methods"))
                .filter(w -> !w.contains(" without a rate limit "))
                .filter(w -> !w.startsWith("admin.token: not set")))
        .anyMatch(w -> w.contains("parameters/0/schema: string without maxLength"))
        .anyMatch(w -> w.contains("parameters/1/schema: number without minimum and maximum"))
        .anyMatch(w -> w.contains("properties/tags: array without maxItems"))
        .anyMatch(w -> w.contains("/schema: object open to additional properties"))
        .anyMatch(
            w ->
                w.contains(
                    "~1y/post/requestBody/content/application~1json: operation without a request-body schema"))
        .anyMatch(
            w -> w.contains("application~1xml: request bodies of this type are not validated"))
        .allMatch(w -> w.startsWith("routes[1].contract.file: lint.json.yaml#/paths/"));
  }

  @Test
  void jsonContractsAndRecursiveRefsLoad() throws Exception {
    String json =
        """
        {"openapi":"3.0.3","info":{"title":"t","version":"1"},
         "paths":{"/tree":{"post":{
           "requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Node"}}}},
           "responses":{"200":{"description":"ok"}}}}},
         "components":{"schemas":{"Node":{"type":"object","additionalProperties":false,
           "properties":{"name":{"type":"string","maxLength":5},
             "children":{"type":"array","maxItems":3,"items":{"$ref":"#/components/schemas/Node"}}}}}}}
        """;
    ConfigLoader.Loaded loaded = load(json, "tree.json");
    ContractConfig c = loaded.config().routes().get(1).section(ContractConfig.class);
    assertThat(c.enabled()).isTrue();
    assertThat(c.basePath()).isEqualTo("/api");
    assertThat(c.operations()).isEqualTo(1);
    Schema node = op(c, "POST").requestMedia().get(0).schema();
    assertThat(node).isNotNull();
    java.util.Objects.requireNonNull(node);
    SafeJson parser = new SafeJson(JsonLimits.DEFAULTS);
    assertThat(
            node.accepts(
                parser.parse("{\"children\":[{\"children\":[{\"name\":\"a\"}]}]}".getBytes())))
        .isTrue();
    assertThat(
            node.accepts(
                parser.parse("{\"children\":[{\"children\":[{\"name\":\"abcdef\"}]}]}".getBytes())))
        .isFalse();
  }

  @Test
  void aCatastrophicBacktrackingPatternValidatesInLinearTime() throws Exception {
    ConfigLoader.Loaded loaded =
        load(
            HEAD.replace("SCHEMA", "{ type: string, maxLength: 1000000, pattern: '^(a+)+$' }"),
            "r.yaml");
    Schema s =
        op(loaded.config().routes().get(1).section(ContractConfig.class), "GET")
            .parameters()
            .get(0)
            .schema();
    com.fasterxml.jackson.databind.node.TextNode hostile =
        com.fasterxml.jackson.databind.node.TextNode.valueOf("a".repeat(50) + "!");
    long start = System.nanoTime();
    assertThat(s.accepts(hostile)).isFalse();
    // java.util.regex needs ~2^50 steps here; RE2J is linear: a million characters take no time.
    com.fasterxml.jackson.databind.node.TextNode huge =
        com.fasterxml.jackson.databind.node.TextNode.valueOf("a".repeat(1_000_000) + "!");
    assertThat(s.accepts(huge)).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theBenchmarkMeasuresValidBodiesOfTheAdvertisedSizes() throws Exception {
    ContractValidatorBenchmark b = new ContractValidatorBenchmark();
    b.setup();
    assertThat(b.validate1KiB()).isTrue();
    assertThat(b.validate16KiB()).isTrue();
    assertThat(b.order1KiB()).isTrue();
    assertThat(b.order16KiB()).isTrue();
    assertThat(b.order1KiBTree()).isTrue();
    assertThat(b.order16KiBTree()).isTrue();
    assertThat(b.singlePassAcceptsAll()).isTrue();
  }
}
