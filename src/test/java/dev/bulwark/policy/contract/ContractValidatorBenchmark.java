package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The contract's per-request work on a 1 KiB and a 16 KiB JSON body: strict UTF-8 check, bounded
 * parse and schema validation, as {@link BodyValidator#check} does it (the single pass), and the
 * tree path alone ({@code *Tree}, what a refused body also costs) for comparison. Run with {@code
 * bench/jmh ContractValidatorBenchmark}; never a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ContractValidatorBenchmark {
  private static final String CONTRACT =
      """
      openapi: 3.1.0
      info: { title: bench, version: "1" }
      paths:
        /orders:
          post:
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [ orders ]
                    properties:
                      orders:
                        type: array
                        maxItems: 1000
                        items:
                          type: object
                          additionalProperties: false
                          required: [ sku, quantity ]
                          properties:
                            sku: { type: string, maxLength: 8, pattern: "^[A-Z]{3}-[0-9]{4}$" }
                            quantity: { type: integer, minimum: 1, maximum: 1000 }
                            note: { type: string, maxLength: 64 }
            responses: { "200": { description: ok } }
      """;

  @SuppressWarnings("NullAway.Init")
  private SafeJson json;

  @SuppressWarnings("NullAway.Init")
  private Schema schema;

  @SuppressWarnings("NullAway.Init")
  private BodyValidator validator;

  @SuppressWarnings("NullAway.Init")
  private BodyValidator orderValidator;

  @SuppressWarnings("NullAway.Init")
  private byte[] body1k;

  @SuppressWarnings("NullAway.Init")
  private byte[] body16k;

  @SuppressWarnings("NullAway.Init")
  private Schema orderSchema;

  @SuppressWarnings("NullAway.Init")
  private byte[] order1k;

  @SuppressWarnings("NullAway.Init")
  private byte[] order16k;

  @Setup
  public void setup() throws Exception {
    Path file = Files.createTempFile("bench", ".openapi.yaml");
    Files.writeString(file, CONTRACT);
    Contract c = Objects.requireNonNull(new ContractLoader().load(file, null));
    Files.delete(file);
    Operation op = Objects.requireNonNull(c.templates().get(0).operations().get("POST"));
    schema = Objects.requireNonNull(op.requestMedia().get(0).schema());
    json = new SafeJson(JsonLimits.DEFAULTS);
    body1k = body(1024);
    body16k = body(16 * 1024);
    // The load benchmark's contract and bodies (bench/conf), read from the repository root.
    Path conf = benchConf();
    Contract orders =
        Objects.requireNonNull(
            new ContractLoader().load(conf.resolve("orders.openapi.yaml"), null));
    Operation post = Objects.requireNonNull(orders.templates().get(0).operations().get("POST"));
    orderSchema = Objects.requireNonNull(post.requestMedia().get(0).schema());
    order1k = Files.readAllBytes(conf.resolve("order-1k.json"));
    order16k = Files.readAllBytes(conf.resolve("order-16k.json"));
    validator = new BodyValidator(JsonLimits.DEFAULTS, json, schema, new IdentityHashMap<>());
    orderValidator =
        new BodyValidator(JsonLimits.DEFAULTS, json, orderSchema, new IdentityHashMap<>());
  }

  private static Path benchConf() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path conf = p.resolve("bench/conf");
      if (Files.isRegularFile(conf.resolve("orders.openapi.yaml"))) {
        return conf;
      }
    }
    throw new IllegalStateException("bench/conf not found above " + Path.of("").toAbsolutePath());
  }

  private static byte[] body(int size) {
    StringBuilder sb = new StringBuilder("{\"orders\":[");
    int i = 0;
    while (sb.length() < size - 80) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"sku\":\"ABC-")
          .append(1000 + i % 9000)
          .append("\",\"quantity\":")
          .append(1 + i % 999)
          .append(",\"note\":\"deliver to the back door\"}");
      i++;
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean check(BodyValidator v, byte[] body) {
    return v.check(body).isEmpty();
  }

  private boolean tree(Schema s, byte[] body) throws SafeJson.Unsafe {
    JsonNode tree = json.parse(body);
    Violations v = Violations.collecting();
    s.validate(tree, Loc.ROOT, "body", v);
    return v.isEmpty();
  }

  @Benchmark
  public boolean validate1KiB() {
    return check(validator, body1k);
  }

  @Benchmark
  public boolean validate16KiB() {
    return check(validator, body16k);
  }

  /** bench/conf/order-1k.json against bench/conf/orders.openapi.yaml (the load benchmark's). */
  @Benchmark
  public boolean order1KiB() {
    return check(orderValidator, order1k);
  }

  /** bench/conf/order-16k.json against bench/conf/orders.openapi.yaml (the load benchmark's). */
  @Benchmark
  public boolean order16KiB() {
    return check(orderValidator, order16k);
  }

  /** The tree path alone on the same body (the reference implementation, and a refusal's cost). */
  @Benchmark
  public boolean order1KiBTree() throws SafeJson.Unsafe {
    return tree(orderSchema, order1k);
  }

  /** The tree path alone on the same body (the reference implementation, and a refusal's cost). */
  @Benchmark
  public boolean order16KiBTree() throws SafeJson.Unsafe {
    return tree(orderSchema, order16k);
  }

  /**
   * Returns whether the single pass alone accepts every benchmark body (else it measures
   * fallbacks).
   */
  boolean singlePassAcceptsAll() {
    return validator.accepts(body1k)
        && validator.accepts(body16k)
        && orderValidator.accepts(order1k)
        && orderValidator.accepts(order16k);
  }
}
