package dev.bulwark.policy.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads an OpenAPI 3.0 or 3.1 document (YAML or JSON, local {@code $ref}s only) and compiles it
 * into a {@link Contract}; every problem is reported with its JSON Pointer in the file, and lint
 * findings (unbounded request schemas) as warnings.
 */
final class ContractLoader {
  private static final long MAX_FILE_BYTES = 4L << 20;
  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Set<String> IGNORED_HEADERS =
      Set.of("accept", "content-type", "authorization");

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  List<String> errors() {
    return errors;
  }

  List<String> warnings() {
    return warnings;
  }

  /** Loads a contract; returns null when it has errors (see {@link #errors()}). */
  @Nullable Contract load(Path file, @Nullable String basePath) {
    return compile(read(file), String.valueOf(file.getFileName()), basePath);
  }

  /**
   * Loads a contract from a document in memory (one shipped with Bulwark) named {@code name}, YAML
   * unless the name ends in {@code .json}; returns null when it has errors.
   */
  @Nullable Contract load(String name, byte[] document, @Nullable String basePath) {
    return compile(parse(document, name), name, basePath);
  }

  private @Nullable Contract compile(
      @Nullable JsonNode root, String source, @Nullable String basePath) {
    if (root == null) {
      return null;
    }
    JsonNode version = root.get("openapi");
    String v = version == null ? "" : version.asText();
    if (!v.startsWith("3.0.") && !v.startsWith("3.1.")) {
      errors.add(
          "/openapi: \"" + Refs.cut(v) + "\" (expected: an OpenAPI 3.0.x or 3.1.x document)");
      return null;
    }
    Refs refs = new Refs(root, errors);
    refs.checkAll(); // then compile on, so that every problem is reported at once
    SchemaCompiler schemas = new SchemaCompiler(refs, v.startsWith("3.1."), errors, warnings);
    String base = basePath != null ? basePath : serverBasePath(root);
    JsonNode paths = root.get("paths");
    if (paths == null || !paths.isObject() || paths.isEmpty()) {
      errors.add("/paths: missing or empty (expected: at least one path)");
      return null;
    }
    List<Draft> drafts = new ArrayList<>();
    List<PathDraft> pathDrafts = new ArrayList<>();
    schemas.lint(true);
    Iterator<Map.Entry<String, JsonNode>> it = paths.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "/paths/" + Refs.escape(e.getKey());
      PathDraft pd = pathDraft(e.getKey(), at);
      if (pd == null) {
        continue;
      }
      Refs.At item = refs.deref(e.getValue(), at);
      if (item == null || !item.node().isObject()) {
        continue;
      }
      List<Parameter> shared =
          parameters(refs, schemas, item.node().get("parameters"), item.pointer() + "/parameters");
      for (String m : METHODS) {
        JsonNode op = item.node().get(m);
        if (op == null) {
          continue;
        }
        String opAt = item.pointer() + "/" + m;
        if (m.equals("trace")) {
          errors.add(opAt + ": TRACE is never forwarded by Bulwark");
          continue;
        }
        Draft d = operation(refs, schemas, op, opAt, m.toUpperCase(Locale.ROOT), shared, pd);
        pd.drafts.add(d);
        drafts.add(d);
      }
      pathDrafts.add(pd);
    }
    schemas.lint(false);
    for (Draft d : drafts) {
      d.responses = responses(refs, schemas, d.node.get("responses"), d.at + "/responses");
    }
    if (!errors.isEmpty()) {
      return null;
    }
    List<PathTemplate> templates = new ArrayList<>();
    for (PathDraft pd : pathDrafts) {
      Map<String, Operation> ops = new LinkedHashMap<>();
      for (Draft d : pd.drafts) {
        ops.put(
            d.method,
            new Operation(
                d.method,
                d.at,
                d.params,
                d.queryNames,
                d.bodyDeclared,
                d.bodyRequired,
                d.media,
                d.responses));
      }
      templates.add(new PathTemplate(pd.path, pd.segments, pd.params, ops));
    }
    // Concrete paths before templated ones (OpenAPI: /users/me wins over /users/{id}).
    templates.sort(Comparator.comparingInt(PathTemplate::paramCount));
    return new Contract(source, base, templates);
  }

  private @Nullable JsonNode read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        errors.add("file not found");
        return null;
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        errors.add("larger than 4MiB");
        return null;
      }
      return parse(Files.readAllBytes(file), String.valueOf(file.getFileName()));
    } catch (IOException | RuntimeException e) {
      errors.add("cannot be read (" + e.getClass().getSimpleName() + ")");
      return null;
    }
  }

  private @Nullable JsonNode parse(byte[] bytes, String name) {
    try {
      boolean json = name.toLowerCase(Locale.ROOT).endsWith(".json");
      JsonNode root = (json ? jsonMapper() : yamlMapper()).readTree(bytes);
      if (root == null || !root.isObject()) {
        errors.add("not an OpenAPI document (expected: a mapping with openapi and paths)");
        return null;
      }
      return root;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      var loc = e.getLocation();
      errors.add(
          (loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ")
              + "malformed ("
              + Refs.cut(String.valueOf(e.getOriginalMessage()))
              + ")");
      return null;
    } catch (IOException | RuntimeException e) {
      errors.add("cannot be read (" + e.getClass().getSimpleName() + ")");
      return null;
    }
  }

  private static ObjectMapper jsonMapper() {
    ObjectMapper m = new ObjectMapper();
    m.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return m;
  }

  private static ObjectMapper yamlMapper() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit((int) MAX_FILE_BYTES);
    options.setNestingDepthLimit(200);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
    factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    YAMLMapper m = new YAMLMapper(factory);
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return m;
  }

  /** The path of the first server URL ({@code https://api.example.com/v1} gives {@code /v1}). */
  private String serverBasePath(JsonNode root) {
    JsonNode servers = root.get("servers");
    if (servers == null || !servers.isArray() || servers.isEmpty()) {
      return "/";
    }
    String url = servers.get(0).path("url").asText("/");
    if (url.contains("{")) {
      errors.add("/servers/0/url: has variables (expected: set base-path on the route)");
      return "/";
    }
    try {
      String p = new URI(url).getRawPath();
      return normalizeBase(p == null ? "" : p);
    } catch (URISyntaxException e) {
      errors.add("/servers/0/url: not a URL (expected: set base-path on the route)");
      return "/";
    }
  }

  static String normalizeBase(String p) {
    String b = p;
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return b.isEmpty() ? "/" : (b.startsWith("/") ? b : "/" + b);
  }

  /** Where a path is being compiled, with its operations. */
  private static final class PathDraft {
    final String path;
    final String[] segments;
    final @Nullable String[] params;
    final List<Draft> drafts = new ArrayList<>();

    PathDraft(String path, String[] segments, @Nullable String[] params) {
      this.path = path;
      this.segments = segments;
      this.params = params;
    }
  }

  /** An operation being compiled. */
  private static final class Draft {
    final JsonNode node;
    final String at;
    final String method;
    List<Parameter> params = List.of();
    Set<String> queryNames = Set.of();
    boolean bodyDeclared;
    boolean bodyRequired;
    List<MediaType> media = List.of();
    Map<String, List<MediaType>> responses = Map.of();

    Draft(JsonNode node, String at, String method) {
      this.node = node;
      this.at = at;
      this.method = method;
    }
  }

  private @Nullable PathDraft pathDraft(String path, String at) {
    if (!path.startsWith("/")) {
      errors.add(at + ": expected a path starting with /");
      return null;
    }
    String[] segs = path.substring(1).split("/", -1);
    @Nullable String[] params = new String[segs.length];
    for (int i = 0; i < segs.length; i++) {
      String s = segs[i];
      if (s.startsWith("{") && s.endsWith("}") && s.length() > 2 && s.indexOf('{', 1) < 0) {
        params[i] = s.substring(1, s.length() - 1);
      } else if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
        errors.add(at + ": a template must be a whole path segment such as /files/{name}");
        return null;
      }
    }
    return new PathDraft(path, segs, params);
  }

  private Draft operation(
      Refs refs,
      SchemaCompiler schemas,
      JsonNode op,
      String at,
      String method,
      List<Parameter> shared,
      PathDraft pd) {
    Draft d = new Draft(op, at, method);
    Map<String, Parameter> merged = new LinkedHashMap<>();
    for (Parameter p : shared) {
      merged.put(p.in() + ":" + p.name(), p);
    }
    for (Parameter p : parameters(refs, schemas, op.get("parameters"), at + "/parameters")) {
      merged.put(p.in() + ":" + p.name(), p);
    }
    Set<String> query = new HashSet<>();
    for (Parameter p : merged.values()) {
      if (p.in().equals("query")) {
        query.add(p.name());
      }
    }
    for (String name : pd.params) {
      if (name != null && !merged.containsKey("path:" + name)) {
        errors.add(at + "/parameters: path parameter \"" + Refs.cut(name) + "\" is not declared");
      }
    }
    d.params = List.copyOf(merged.values());
    d.queryNames = Set.copyOf(query);
    JsonNode rb = op.get("requestBody");
    if (rb != null) {
      Refs.At body = refs.deref(rb, at + "/requestBody");
      if (body != null) {
        d.bodyDeclared = true;
        d.bodyRequired = body.node().path("required").asBoolean(false);
        d.media = media(schemas, body.node().get("content"), body.pointer() + "/content", true);
      }
    }
    return d;
  }

  private List<Parameter> parameters(
      Refs refs, SchemaCompiler schemas, @Nullable JsonNode list, String at) {
    List<Parameter> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    if (!list.isArray()) {
      errors.add(at + ": expected a list");
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      Refs.At p = refs.deref(list.get(i), at + "/" + i);
      if (p == null) {
        continue;
      }
      JsonNode n = p.node();
      String pat = p.pointer();
      String name = n.path("name").asText("");
      String in = n.path("in").asText("");
      if (name.isEmpty() || !Set.of("path", "query", "header", "cookie").contains(in)) {
        errors.add(pat + ": expected name and in (path, query, header or cookie)");
        continue;
      }
      if (in.equals("header") && IGNORED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        continue; // OpenAPI: these header parameters are ignored
      }
      JsonNode schemaNode = n.get("schema");
      if (schemaNode == null) {
        errors.add(pat + ": parameters without a schema (content) are not supported");
        continue;
      }
      JsonNode style = n.get("style");
      if (style != null
          && !style
              .asText()
              .equals(in.equals("query") || in.equals("cookie") ? "form" : "simple")) {
        errors.add(pat + "/style: only the default style of each location is supported");
        continue;
      }
      Schema s = schemas.compile(schemaNode, pat + "/schema");
      if (s.types == Schema.OBJECT) {
        errors.add(pat + "/schema: object parameters are not supported");
        continue;
      }
      boolean required = in.equals("path") || n.path("required").asBoolean(false);
      out.add(
          new Parameter(
              in.equals("header") ? name.toLowerCase(Locale.ROOT) : name, in, required, s));
    }
    return out;
  }

  private List<MediaType> media(
      SchemaCompiler schemas, @Nullable JsonNode content, String at, boolean request) {
    List<MediaType> out = new ArrayList<>();
    if (content == null || !content.isObject()) {
      if (request) {
        errors.add(at + ": expected a content mapping of media types");
      }
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = content.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String mat = at + "/" + Refs.escape(e.getKey());
      String[] tt = MediaType.split(e.getKey());
      if (tt == null) {
        errors.add(mat + ": not a media type");
        continue;
      }
      JsonNode schemaNode = e.getValue().get("schema");
      Schema s = null;
      if (MediaType.isJson(tt[1])) {
        if (schemaNode != null) {
          s = schemas.compile(schemaNode, mat + "/schema");
        } else if (request) {
          warnings.add(mat + ": operation without a request-body schema");
        }
      } else if (request) {
        warnings.add(mat + ": request bodies of this type are not validated (only JSON is)");
      }
      out.add(new MediaType(tt[0], tt[1], s));
    }
    return List.copyOf(out);
  }

  private Map<String, List<MediaType>> responses(
      Refs refs, SchemaCompiler schemas, @Nullable JsonNode node, String at) {
    Map<String, List<MediaType>> out = new HashMap<>();
    if (node == null || !node.isObject()) {
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey().toUpperCase(Locale.ROOT);
      Refs.At r = refs.deref(e.getValue(), at + "/" + Refs.escape(e.getKey()));
      if (r == null) {
        continue;
      }
      JsonNode content = r.node().get("content");
      out.put(
          key.equals("DEFAULT") ? "default" : key,
          content == null ? List.of() : media(schemas, content, r.pointer() + "/content", false));
    }
    return Map.copyOf(out);
  }
}
