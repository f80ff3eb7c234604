package dev.bulwark.policy.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single pass accepts a body only when the tree path (SafeJson, then Schema.validate) finds it
 * safe and valid, and every answer (violations, reasons, pointers, order, count) is the tree
 * path's: checked on hand-written hostile bodies and on a differential corpus of generated and
 * mutated bodies against three contracts (fixed seeds, so a failure reproduces).
 */
class BodyValidatorTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  /** Everything the single pass handles itself, and what it leaves to the tree path. */
  private static final String RICH =
      """
      openapi: 3.1.0
      info: { title: rich, version: "1" }
      paths:
        /r:
          post:
            requestBody:
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [id, kind]
                    minProperties: 2
                    maxProperties: 12
                    properties:
                      id: { type: string, pattern: "^[a-z]{2}-[0-9]{1,4}$", maxLength: 7 }
                      kind: { enum: [small, large, "é", 3, 4.5, true, null] }
                      color: { const: red }
                      label: { type: [string, "null"], minLength: 2, maxLength: 5 }
                      word: { type: string, pattern: "cat|dog" }
                      price: { type: number, multipleOf: 0.01, exclusiveMinimum: 0, exclusiveMaximum: 100 }
                      count: { type: integer, format: int32, minimum: -5 }
                      big: { type: integer, format: int64, maximum: 9223372036854775807 }
                      huge: { type: number, minimum: -1e30, maximum: 1e30 }
                      tags:
                        type: array
                        minItems: 1
                        maxItems: 3
                        items: { type: string, maxLength: 4 }
                      unique: { type: array, uniqueItems: true, maxItems: 4 }
                      either: { oneOf: [{ type: string }, { type: integer }] }
                      when: { type: string, format: date-time }
                      addr: { type: string, format: ipv4 }
                      nothing: false
                      anything: {}
                      meta:
                        type: object
                        required: [owner]
                        maxProperties: 4
                        additionalProperties: { type: integer, maximum: 9 }
                      matrix:
                        type: array
                        maxItems: 3
                        items: { type: array, maxItems: 3, items: { type: [integer, boolean] } }
            responses: { "200": { description: ok } }
      """;

  private record Subject(String name, BodyValidator validator, SafeJson json, Schema schema) {
    /** The tree path alone: the reference every answer must equal. */
    Violations reference(byte[] body) {
      Violations v = Violations.collecting();
      JsonNode tree;
      try {
        tree = json.parse(body);
      } catch (SafeJson.Unsafe e) {
        v.add("body", "", String.valueOf(e.getMessage()));
        return v;
      }
      schema.validate(tree, Loc.ROOT, "body", v);
      return v;
    }
  }

  private Subject subject(String name, Path contract, JsonLimits limits) {
    Contract c = Objects.requireNonNull(new ContractLoader().load(contract, null), name);
    Operation op = Objects.requireNonNull(c.templates().get(0).operations().get("POST"));
    Schema s = Objects.requireNonNull(op.requestMedia().get(0).schema());
    SafeJson json = new SafeJson(limits);
    return new Subject(name, new BodyValidator(limits, json, s, new IdentityHashMap<>()), json, s);
  }

  private Subject rich(JsonLimits limits) throws Exception {
    Path file = dir.resolve("rich.yaml");
    Files.writeString(file, RICH);
    return subject("rich", file, limits);
  }

  private Subject orders() {
    return subject("orders", benchConf().resolve("orders.openapi.yaml"), JsonLimits.DEFAULTS);
  }

  private static Path benchConf() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path conf = p.resolve("bench/conf");
      if (Files.isRegularFile(conf.resolve("orders.openapi.yaml"))) {
        return conf;
      }
    }
    throw new IllegalStateException("bench/conf not found");
  }

  /** Checks one body; returns whether the single pass accepted it on its own. */
  private static boolean same(Subject s, byte[] body) {
    Violations expected = s.reference(body);
    boolean fast = s.validator.accepts(body);
    Violations got = s.validator.check(body);
    String shown = new String(body, UTF_8);
    if (fast) {
      assertThat(expected.list()).as("%s accepted by the single pass: %s", s.name, shown).isEmpty();
      assertThat(expected.count()).isZero();
    }
    assertThat(got.list()).as("%s: %s", s.name, shown).isEqualTo(expected.list());
    assertThat(got.count()).isEqualTo(expected.count());
    assertThat(got.json()).isEqualTo(expected.json());
    return fast;
  }

  private static boolean same(Subject s, String body) {
    return same(s, body.getBytes(UTF_8));
  }

  @Test
  void theBenchmarkBodiesAreAcceptedByTheSinglePassAlone() throws Exception {
    Subject o = orders();
    for (String f : new String[] {"order-1k.json", "order-16k.json"}) {
      byte[] body = Files.readAllBytes(benchConf().resolve(f));
      assertThat(same(o, body)).as(f).isTrue();
    }
  }

  @Test
  void validBodiesInTheCommonShapesNeedNoTree() throws Exception {
    Subject r = rich(JsonLimits.DEFAULTS);
    String[] valid = {
      "{\"id\":\"ab-1\",\"kind\":\"small\"}",
      " { \"kind\" : 3 , \"id\" : \"zz-9999\" } ",
      "{\"id\":\"ab-1\",\"kind\":4.50,\"color\":\"red\",\"label\":null}",
      "{\"id\":\"ab-1\",\"kind\":\"é\",\"label\":\"ü😀\"}",
      "{\"id\":\"ab-1\",\"kind\":true,\"price\":99.99,\"count\":-5,\"big\":123456789012345678}",
      "{\"id\":\"ab-1\",\"kind\":null,\"price\":0.01,\"count\":2147483647,\"huge\":-1e29}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"tags\":[\"a\",\"bcd\",\"\\u00e9\"],\"anything\":[{}]}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"meta\":{\"owner\":1,\"x\":9,\"y\":-3}}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"matrix\":[[1,true],[],[false,2,3]]}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"when\":\"2024-01-02T03:04:05Z\",\"addr\":\"10.0.0.1\"}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"word\":\"hotdogs\",\"price\":1.5E1}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"count\":1.0,\"huge\":1e30,\"price\":2.500}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"price\":1E-2,\"huge\":0.5,\"count\":-50e-1}",
      "{\"id\":\"ab-1\",\"kind\":\"large\",\"huge\":-0.5e-7,\"anything\":1e299}",
    };
    for (String body : valid) {
      assertThat(r.reference(body.getBytes(UTF_8)).isEmpty()).as(body).isTrue();
      assertThat(same(r, body)).as(body).isTrue();
    }
  }

  @Test
  void whatTheSinglePassLeavesAloneIsDecidedByTheTreePath() throws Exception {
    Subject r = rich(JsonLimits.DEFAULTS);
    String[] left = {
      "{\"id\":\"ab-1\",\"kind\":\"small\",\"unique\":[1,2]}", // uniqueItems
      "{\"id\":\"ab-1\",\"kind\":\"small\",\"either\":\"x\"}", // oneOf
      "{\"\\u0069d\":\"ab-1\",\"kind\":\"small\"}", // an escaped name
      "{\"id\":\"ab-1\",\"kind\":\"small\",\"label\":\"a\\ud83d\\ude00\"}", // a surrogate pair
      "{\"id\":\"ab-1\",\"kind\":\"small\",\"big\":1234567890123456789}", // 19 digits
      "{\"id\":\"ab-1\",\"kind\":\"small\",\"count\":1e0000001}", // a long exponent
    };
    for (String body : left) {
      assertThat(r.reference(body.getBytes(UTF_8)).isEmpty()).as(body).isTrue();
      assertThat(same(r, body)).as(body).isFalse();
    }
  }

  @Test
  void hostileBodiesGetTheTreePathsAnswer() throws Exception {
    Subject r = rich(new JsonLimits(6, 8, 8, 40, 24));
    Subject o = orders();
    List<String> hostile =
        List.of(
            "",
            "   ",
            "\n",
            "{",
            "}",
            "{\"id\":\"ab-1\",\"kind\":\"small\"} x",
            "{\"id\":\"ab-1\",\"kind\":\"small\"}{}",
            "{\"id\":\"ab-1\",\"id\":\"ab-2\",\"kind\":\"small\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"meta\":{\"owner\":1,\"x\":1,\"x\":2}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":{\"a\":1,\"a\":1}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":{\"a\":1,\"\\u0061\":1}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"__proto__\":{}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"meta\":{\"owner\":1,\"constructor\":1}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":{\"prototype\":1}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":[[[[[[[1]]]]]]]}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":[1,2,3,4,5,6,7,8,9]}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,"
                + "\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9}}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"" + "x".repeat(41) + "\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"" + "x".repeat(40) + "\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"" + "é".repeat(40) + "\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"" + "k".repeat(41) + "\":1}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"huge\":1e400}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"huge\":-1e400}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":1e-400}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":1e-401}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":" + "9".repeat(600) + "}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":" + "9".repeat(24) + "}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":" + "9".repeat(25) + "}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":0." + "0".repeat(21) + "1}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":NaN}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":Infinity}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":-}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":01}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":1.}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":.5}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":+1}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":1e}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":tru}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":truex}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":nul}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"\\ud800\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"\\udc00\\ud800\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"\\ud800\":1}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"\\x\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"\\u12\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"a\tb\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":\"\\u0000\"}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"tags\":[\"a\",]}",
            "{\"id\":\"ab-1\" \"kind\":\"small\"}",
            "{\"id\"\"ab-1\",\"kind\":\"small\"}",
            "{'id':'ab-1','kind':'small'}",
            "{\"id\":\"ab-1\",\"kind\":\"small\"/**/}",
            "[]",
            "\"ab-1\"",
            "{\"id\":\"AB-1\",\"kind\":\"small\",\"color\":\"blue\",\"nothing\":1,\"tags\":[],"
                + "\"price\":0,\"count\":-6,\"label\":\"x\",\"meta\":{\"x\":10}}",
            "{\"kind\":\"huge\",\"big\":9223372036854775808,\"count\":2147483648,\"price\":0.001}",
            "{\"id\":\"ab-1\",\"kind\":4.5000001,\"huge\":1.0000000000000000000000001e30}",
            "{\"id\":\"ab-1\",\"kind\":\"small\",\"matrix\":[[1,2,3,4]],\"word\":\"bird\"}");
    int refused = 0;
    for (String h : hostile) {
      refused += r.reference(h.getBytes(UTF_8)).isEmpty() ? 0 : 1;
      same(r, h);
      same(o, h);
    }
    // At the limits (40 characters, 24 digits, 1e-400, 22 decimals, an escaped NUL) is still
    // safe JSON: those six pass, and the single pass agrees.
    assertThat(refused).isEqualTo(hostile.size() - 6);
  }

  @Test
  void badEncodingsAreRefusedAtEveryOffsetFromAWordBoundary() throws Exception {
    Subject r = rich(JsonLimits.DEFAULTS);
    byte[][] bad = {
      {0},
      {(byte) 0xC0, (byte) 0xAF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0x80},
      {(byte) 0xFF},
      {(byte) 0xC3, (byte) 0xA9}, // é: the one good sequence
    };
    for (byte[] seq : bad) {
      for (int pad = 0; pad < 17; pad++) {
        for (String where : new String[] {"value", "name"}) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          String head = "{\"id\":\"ab-1\",\"kind\":\"small\",\"";
          out.writeBytes(head.getBytes(UTF_8));
          if (where.equals("name")) {
            out.writeBytes("n".repeat(pad).getBytes(UTF_8));
            out.writeBytes(seq);
            out.writeBytes("\":1}".getBytes(UTF_8));
          } else {
            out.writeBytes("anything\":\"".getBytes(UTF_8));
            out.writeBytes("v".repeat(pad).getBytes(UTF_8));
            out.writeBytes(seq);
            out.writeBytes("tail\"}".getBytes(UTF_8));
          }
          same(r, out.toByteArray());
        }
      }
    }
    same(r, "\uFEFF{\"id\":\"ab-1\",\"kind\":\"small\"}".getBytes(UTF_8));
    same(
        r,
        "{\"id\":\"ab-1\",\"kind\":\"small\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16));
  }

  @Test
  void deepNestingIsRefusedWithTheTreePathsReason() throws Exception {
    Subject o = orders();
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    Violations v = o.validator.check(deep.getBytes(UTF_8));
    assertThat(v.list()).hasSize(1);
    assertThat(v.list().get(0).reason()).contains("limit");
    same(o, deep);
    same(o, "{\"a\":".repeat(40) + "1" + "}".repeat(40));
  }

  /** Pools of member values for the rich contract: valid ones, near misses and wrong types. */
  private static final String[][] RICH_VALUES = {
    {"id", "\"ab-1\"", "\"zz-9999\"", "\"ab-12345\"", "\"AB-1\"", "\"ab-\"", "\"ab-1\\n\"", "1"},
    {
      "kind",
      "\"small\"",
      "\"large\"",
      "\"\\u00e9\"",
      "\"é\"",
      "3",
      "3.0",
      "30e-1",
      "4.5",
      "4.50",
      "true",
      "false",
      "null",
      "\"Small\"",
      "{}",
      "[]"
    },
    {"color", "\"red\"", "\"re\\u0064\"", "\"blue\"", "null"},
    {"label", "null", "\"ab\"", "\"abcde\"", "\"abcdef\"", "\"a\"", "\"😀😀\"", "\"éééé\"", "1"},
    {"word", "\"cat\"", "\"a dog\"", "\"cow\"", "\"\\u0063at\"", "\"cAt\""},
    {
      "price",
      "0.01",
      "99.99",
      "100",
      "0",
      "-0.0",
      "0.015",
      "1e-2",
      "1E1",
      "99.990",
      "0.30000000000000004",
      "12.345678901234567890",
      "\"1\""
    },
    {
      "count",
      "-5",
      "-6",
      "0",
      "2147483647",
      "2147483648",
      "-2147483648",
      "1.0",
      "1.5",
      "1e2",
      "-0",
      "1e9",
      "1e10",
      "12345678901234567890"
    },
    {
      "big",
      "0",
      "9223372036854775807",
      "9223372036854775808",
      "123456789012345678",
      "999999999999999999",
      "1e18",
      "-1e18",
      "1.5"
    },
    {
      "huge",
      "1e30",
      "1.0e30",
      "1e31",
      "-1e30",
      "-1.0000001e30",
      "0.5",
      "1e-30",
      "-1e29",
      "1000000000000000000000000000000",
      "999999999999999999e12",
      "1000000000000000001e12",
      "-0.999999999999999999e30",
      "10e29",
      "0.1e31"
    },
    {
      "tags",
      "[]",
      "[\"a\"]",
      "[\"a\",\"b\",\"c\"]",
      "[\"a\",\"b\",\"c\",\"d\"]",
      "[\"abcde\"]",
      "[1]",
      "[\"é😀\"]"
    },
    {"unique", "[1,2]", "[1,1]", "[]"},
    {"either", "\"x\"", "1", "1.5", "null"},
    {"when", "\"2024-01-02T03:04:05Z\"", "\"2024-13-02T03:04:05Z\"", "\"yesterday\""},
    {"addr", "\"10.0.0.1\"", "\"10.0.0.256\"", "\"1.2.3\"", "\"01.2.3.4\""},
    {"nothing", "1", "null"},
    {
      "anything",
      "1",
      "[1,{\"a\":[true]}]",
      "{\"a\":1,\"b\":{\"c\":null}}",
      "\"s\"",
      "1e299",
      "1e308",
      "1e309",
      "-1e309",
      "1.8e308",
      "0.1e310",
      "1e-399",
      "10e-401"
    },
    {
      "meta",
      "{\"owner\":1}",
      "{\"owner\":10}",
      "{\"x\":1}",
      "{\"owner\":1,\"a\":2,\"b\":3}",
      "{\"owner\":1,\"a\":2,\"b\":3,\"c\":4,\"d\":5}",
      "{\"owner\":1,\"a\":\"s\"}",
      "{\"owner\":1,\"owner\":1}"
    },
    {"matrix", "[[1,true]]", "[[1,2,3,4]]", "[[]]", "[[1.5]]", "[[1],[2],[3],[4]]", "[1]"},
    {"other", "1"},
    {"__proto__", "{}"},
  };

  private static final String[][] ITEM_VALUES = {
    {
      "sku",
      "\"SKU-100000\"",
      "\"SKU-10000\"",
      "\"SKU-1000000\"",
      "\"sku-100000\"",
      "\"SKU-10000\\u0030\"",
      "\"SKU-10000é\"",
      "\"SKU-100000\\n\""
    },
    {
      "name",
      "\"Widget\"",
      "\"\"",
      "\"" + "n".repeat(200) + "\"",
      "\"" + "n".repeat(201) + "\"",
      "\"" + "é".repeat(200) + "\"",
      "\"" + "é".repeat(201) + "\"",
      "null"
    },
    {
      "quantity",
      "1",
      "1000",
      "0",
      "1001",
      "1.0",
      "1.5",
      "1e3",
      "1E+3",
      "1000.0000000000000001",
      "-0",
      "999.99999999999999999999",
      "\"1\""
    },
    {
      "unitPrice",
      "9.99",
      "0",
      "-0.0",
      "1000000",
      "1000000.0000001",
      "1e6",
      "1e-400",
      "1e-401",
      "-1e-9",
      "0.1e-399",
      "1000000.000000000000000000001",
      "99999999999999999999"
    },
    {"extra", "1"},
  };

  private static String object(Random rnd, String[][] pools, int required) {
    List<String> members = new ArrayList<>();
    for (int k = 0; k < pools.length; k++) {
      String[] pool = pools[k];
      boolean include = k < required ? rnd.nextInt(12) > 0 : rnd.nextInt(pools.length) < 3;
      if (k >= pools.length - 2 && rnd.nextInt(8) > 0) {
        include = false; // undeclared and prototype names now and then
      }
      if (include) {
        // Valid values (the first ones of a pool) most of the time.
        int v = rnd.nextInt(3) > 0 ? 1 + rnd.nextInt(Math.min(2, pool.length - 1)) : 1;
        if (rnd.nextInt(3) == 0) {
          v = 1 + rnd.nextInt(pool.length - 1);
        }
        members.add("\"" + pool[0] + "\":" + pool[v]);
      }
    }
    if (rnd.nextInt(6) == 0) {
      java.util.Collections.shuffle(members, rnd);
    }
    return "{" + String.join(rnd.nextInt(10) == 0 ? " , " : ",", members) + "}";
  }

  private static String order(Random rnd) {
    List<String> items = new ArrayList<>();
    int n = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      items.add(object(rnd, ITEM_VALUES, 4));
    }
    String customer =
        rnd.nextInt(8) == 0
            ? "{\"id\":\"c-1\",\"name\":\"Ada\"}"
            : "{\"id\":\"c-"
                + (rnd.nextInt(5) == 0 ? "1234567890123" : "104233")
                + "\",\"name\":\"Ada\",\"email\":\""
                + (rnd.nextInt(8) == 0 ? "ada-at-example.com" : "ada@example.com")
                + "\"}";
    return "{\"orderId\":\""
        + (rnd.nextInt(10) == 0
            ? "7b1e6f5e-3c2a-4d8b-9f10-2a6c5e4d3b2"
            : "7b1e6f5e-3c2a-4d8b-9f10-2a6c5e4d3b21")
        + "\",\"customer\":"
        + customer
        + ",\"currency\":\""
        + (rnd.nextInt(10) == 0 ? "CHF" : "EUR")
        + "\",\"items\":["
        + String.join(",", items)
        + "],\"shipping\":{\"street\":\"1 Road\",\"city\":\"London\",\"postcode\":\"NW1\","
        + "\"country\":\""
        + (rnd.nextInt(10) == 0 ? "GBR" : "GB")
        + "\"}}";
  }

  @Test
  void everyPoolValueInAnOtherwiseValidBodyGetsTheTreePathsAnswer() throws Exception {
    Subject rich = rich(JsonLimits.DEFAULTS);
    Subject tight = rich(new JsonLimits(4, 6, 3, 12, 10));
    Subject orders = orders();
    int accepted = 0;
    int checked = 0;
    for (String[] pool : RICH_VALUES) {
      for (int v = 1; v < pool.length; v++) {
        String member = "\"" + pool[0] + "\":" + pool[v];
        for (String body :
            new String[] {
              "{\"id\":\"ab-1\",\"kind\":\"small\"," + member + "}",
              "{" + member + ",\"id\":\"ab-1\",\"kind\":\"small\"}",
              "{\"id\":\"ab-1\",\"kind\":\"small\",\"meta\":{\"owner\":1," + member + "}}",
              "{\"id\":\"ab-1\",\"kind\":\"small\",\"anything\":{" + member + "}}"
            }) {
          accepted += same(rich, body) ? 1 : 0;
          same(tight, body);
          checked++;
        }
      }
    }
    String item = "{\"sku\":\"SKU-100000\",\"quantity\":1,\"unitPrice\":9.99,MEMBER}";
    for (String[] pool : ITEM_VALUES) {
      for (int v = 1; v < pool.length; v++) {
        String member = "\"" + pool[0] + "\":" + pool[v];
        String items =
            item.replace("MEMBER", "\"name\":\"x\"") + "," + item.replace("MEMBER", member);
        String body = orderWith(items);
        accepted += same(orders, body) ? 1 : 0;
        same(orders, body.replace("\"sku\":\"SKU-100000\",", ""));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(500);
    assertThat(accepted).isGreaterThan(100);
  }

  @Test
  void namesThatDifferFromADeclaredOneInAnyByteAreNotTakenForIt() {
    Subject orders = orders();
    String[] names = {"sku", "name", "quantity", "unitPrice"};
    String[] values = {"\"SKU-100000\"", "\"x\"", "1", "9.99"};
    for (int n = 0; n < names.length; n++) {
      String declared = names[n];
      List<String> variants = new ArrayList<>();
      variants.add(declared.substring(0, declared.length() - 1));
      variants.add(declared + "x");
      variants.add(declared + "\\u0000");
      variants.add(declared.toUpperCase(java.util.Locale.ROOT));
      for (int k = 0; k < declared.length(); k++) {
        variants.add(declared.substring(0, k) + '#' + declared.substring(k + 1));
      }
      for (String variant : variants) {
        StringBuilder item = new StringBuilder("{");
        for (int m = 0; m < names.length; m++) {
          item.append(m == 0 ? "" : ",")
              .append('"')
              .append(m == n ? variant : names[m])
              .append("\":")
              .append(values[m]);
        }
        String body = orderWith(item.append('}').toString());
        assertThat(orders.reference(body.getBytes(UTF_8)).isEmpty()).as(body).isFalse();
        assertThat(same(orders, body)).as(body).isFalse();
        // Without whitespace and with it (the raw name comparison covers quote and colon).
        same(orders, body.replace("\":", "\" :"));
      }
    }
  }

  private static String orderWith(String items) {
    return "{\"orderId\":\"7b1e6f5e-3c2a-4d8b-9f10-2a6c5e4d3b21\",\"customer\":{\"id\":\"c-1\","
        + "\"name\":\"Ada\",\"email\":\"ada@example.com\"},\"currency\":\"EUR\",\"items\":["
        + items
        + "],\"shipping\":{\"street\":\"1 Road\",\"city\":\"London\",\"postcode\":\"NW1\","
        + "\"country\":\"GB\"}}";
  }

  private static final byte[][] SPLICES = {
    {'"'},
    {'\\'},
    {'{'},
    {'}'},
    {'['},
    {']'},
    {','},
    {':'},
    {'0'},
    {'9'},
    {'-'},
    {'.'},
    {'e'},
    {' '},
    {'\n'},
    {0},
    {(byte) 0x80},
    {(byte) 0xC3},
    {(byte) 0xC3, (byte) 0xA9},
    {(byte) 0xFF},
    {'a'},
    {'"', '"'},
    "\\u0041".getBytes(UTF_8),
    "\\ud800".getBytes(UTF_8),
    "1e400".getBytes(UTF_8),
    "\"__proto__\":1,".getBytes(UTF_8),
    "\"sku\":\"SKU-000000\",".getBytes(UTF_8),
    "\"id\":\"ab-2\",".getBytes(UTF_8),
    "null".getBytes(UTF_8),
    "[[[[[[[[".getBytes(UTF_8),
  };

  private static byte[] mutate(Random rnd, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = rnd.nextInt(body.length + 1);
    byte[] splice = SPLICES[rnd.nextInt(SPLICES.length)];
    switch (rnd.nextInt(4)) {
      case 0 -> { // replace a byte
        out.write(body, 0, Math.min(at, body.length));
        out.writeBytes(splice);
        out.write(body, Math.min(at + 1, body.length), body.length - Math.min(at + 1, body.length));
      }
      case 1 -> { // insert
        out.write(body, 0, at);
        out.writeBytes(splice);
        out.write(body, at, body.length - at);
      }
      case 2 -> { // delete a few bytes
        int len = Math.min(1 + rnd.nextInt(3), body.length - at);
        out.write(body, 0, at);
        out.write(body, at + len, body.length - at - len);
      }
      default -> { // duplicate a slice (repeated members, values, brackets)
        int len = Math.min(1 + rnd.nextInt(24), body.length - at);
        out.write(body, 0, at + len);
        out.write(body, at, body.length - at);
      }
    }
    return out.toByteArray();
  }

  @Test
  void theSinglePassAndTheTreePathAgreeOnGeneratedAndMutatedBodies() throws Exception {
    Subject rich = rich(JsonLimits.DEFAULTS);
    Subject tight = rich(new JsonLimits(4, 6, 3, 12, 10));
    Subject orders = orders();
    Random rnd = new Random(42L);
    int accepted = 0;
    int validByReference = 0;
    int refused = 0;
    for (int round = 0; round < 6000; round++) {
      boolean isOrder = round % 2 == 0;
      byte[] body = (isOrder ? order(rnd) : object(rnd, RICH_VALUES, 2)).getBytes(UTF_8);
      for (Subject s : isOrder ? List.of(orders) : List.of(rich, tight)) {
        boolean ok = s.reference(body).isEmpty();
        validByReference += ok ? 1 : 0;
        accepted += same(s, body) ? 1 : 0;
        for (int m = 0; m < 4; m++) {
          byte[] mutated = mutate(rnd, body);
          refused += s.reference(mutated).isEmpty() ? 0 : 1;
          same(s, mutated);
          same(s, mutate(rnd, mutated));
        }
      }
    }
    // Both sides of the corpus are well populated, and most valid bodies need no tree.
    assertThat(validByReference).isGreaterThan(1000);
    assertThat(refused).isGreaterThan(20_000);
    assertThat(accepted).isGreaterThan(validByReference * 6 / 10);
  }
}
