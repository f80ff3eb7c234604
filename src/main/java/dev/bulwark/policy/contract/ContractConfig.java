package dev.bulwark.policy.contract;

import dev.bulwark.config.ConfigNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A route's {@code contract}: the OpenAPI file (relative to the config file), compiled at load, and
 * how it is enforced: the base path its paths sit under, whether undeclared query parameters are
 * refused, the JSON safety limits, and whether responses are checked ({@code off}, {@code block},
 * {@code strip}) with their buffering bound.
 */
public record ContractConfig(
    boolean enabled,
    Path file,
    boolean allowUndeclaredQuery,
    ResponseMode response,
    long responseLimit,
    JsonLimits json,
    Contract contract) {

  /** What happens to responses that do not match the contract. */
  public enum ResponseMode {
    OFF,
    BLOCK,
    STRIP
  }

  /** No contract: requests are not validated. */
  public static final ContractConfig NONE =
      new ContractConfig(
          false,
          Path.of("none"),
          false,
          ResponseMode.OFF,
          1 << 20,
          JsonLimits.DEFAULTS,
          new Contract("none", "/", List.of()));

  static final Set<String> KEYS =
      Set.of("file", "base-path", "undeclared-query", "response", "response-limit", "json");

  /** Returns the base path the contract's paths are matched under. */
  public String basePath() {
    return contract.basePath();
  }

  /** Returns how many operations the contract declares. */
  public int operations() {
    return contract.operationCount();
  }

  /**
   * Returns the bytes of an OpenAPI document shipped in the jar at {@code resource}, a class-path
   * name such as {@code openapi/x.yaml} (an endpoint's own).
   *
   * @throws IllegalStateException when the resource is missing or unreadable (a defect of the
   *     build)
   */
  public static byte[] shippedDocument(String resource) {
    ClassLoader jar = ContractConfig.class.getClassLoader();
    try (java.io.InputStream in = jar == null ? null : jar.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + ": not in the jar");
      }
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(resource + ": cannot be read", e);
    }
  }

  /**
   * Compiles a contract shipped with Bulwark (an endpoint's own OpenAPI document, read from the
   * jar, see {@link #shippedDocument}) under {@code basePath}, with these JSON limits, undeclared
   * query refused and responses not checked.
   *
   * @throws IllegalStateException when the document does not compile or draws a lint warning (a
   *     defect of the build)
   */
  public static ContractConfig shipped(
      String name, byte[] document, String basePath, JsonLimits json) {
    ContractLoader loader = new ContractLoader();
    Contract c = loader.load(name, document, ContractLoader.normalizeBase(basePath));
    if (c == null || !loader.warnings().isEmpty()) {
      List<String> all = new java.util.ArrayList<>(loader.errors());
      all.addAll(loader.warnings());
      throw new IllegalStateException(name + ": " + String.join("; ", all));
    }
    return new ContractConfig(true, Path.of(name), false, ResponseMode.OFF, 1 << 20, json, c);
  }

  /**
   * Reads {@code contract: FILE} or {@code contract: { file: FILE, ... }} and compiles the file;
   * every problem in it is an error at this node, with its pointer in the file.
   */
  public static ContractConfig read(ConfigNode n, Path baseDir) {
    if (!n.present()) {
      return NONE;
    }
    ConfigNode fileNode = n;
    ConfigNode opts = n.get("__none__");
    if (n.isMapping()) {
      n.expectMapping(KEYS);
      fileNode = n.get("file");
      opts = n;
    } else if (!n.isScalar()) {
      n.invalid("a path to an OpenAPI file, or a mapping with file");
      return NONE;
    }
    String name = fileNode.requiredString("a path to an OpenAPI 3 file (YAML or JSON)");
    if (name == null) {
      return NONE;
    }
    String basePath = null;
    ConfigNode bp = opts.get("base-path");
    if (bp.present()) {
      String b = bp.string("a path such as /api");
      if (b != null && (!b.startsWith("/") || b.contains("//") || b.contains("{"))) {
        bp.invalid("a path such as /api");
      } else if (b != null) {
        basePath = ContractLoader.normalizeBase(b);
      }
    }
    boolean allowQuery = false;
    ConfigNode q = opts.get("undeclared-query");
    String qv = q.string("reject or allow", "reject");
    if (qv.equals("allow")) {
      allowQuery = true;
      q.warning("allow: query parameters the contract does not declare reach the upstream");
    } else if (!qv.equals("reject")) {
      q.invalid("reject or allow");
    }
    ResponseMode mode = ResponseMode.OFF;
    ConfigNode r = opts.get("response");
    if (r.present()) {
      String rv = r.isOff() ? "off" : r.string("off, block or strip", "off");
      switch (rv) {
        case "off", "block", "strip" -> mode = ResponseMode.valueOf(rv.toUpperCase(Locale.ROOT));
        default -> r.invalid("off, block or strip");
      }
    }
    long responseLimit = opts.get("response-limit").size(1 << 20, 1, 64L << 20);
    JsonLimits json = JsonLimits.read(opts.get("json"));
    Path file = baseDir.resolve(name).normalize();
    ContractLoader loader = new ContractLoader();
    Contract c = loader.load(file, basePath);
    for (String e : loader.errors()) {
      fileNode.error(name + (e.startsWith("/") ? "#" : ": ") + e);
    }
    for (String w : loader.warnings()) {
      fileNode.warning(name + "#" + w);
    }
    if (c == null) {
      return NONE;
    }
    return new ContractConfig(true, file, allowQuery, mode, responseLimit, json, c);
  }
}
