package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import io.vertx.core.buffer.Buffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Lets through only what the route's OpenAPI contract declares: the path (else 404), the method
 * (else 405 with {@code Allow}), the parameters, and the body (its media type, else 415; safe JSON
 * within the limits, then its schema), answering 400 with the list of violations; optionally checks
 * (or strips) JSON responses.
 */
public final class ContractPolicy implements Policy {
  private static final Denial UNDECLARED_PATH =
      Denial.of(404, "not found", "contract: path not declared");
  private static final Denial UNDECLARED_METHOD =
      Denial.of(405, "method not allowed", "contract: method not declared for the path");
  private static final Denial BODY_NOT_DECLARED =
      Denial.of(415, "unsupported media type", "contract: the operation declares no request body");
  private static final Denial MEDIA_NOT_DECLARED =
      Denial.of(415, "unsupported media type", "contract: content type not declared");
  private static final ObjectMapper WRITER = new ObjectMapper();
  private static final CharSequence ALLOW = HeaderMap.constant("allow");
  private static final CharSequence ACCEPT_ENCODING = HeaderMap.constant("accept-encoding");
  private static final CharSequence CONTENT_TYPE = HeaderMap.constant("content-type");
  private static final CharSequence CONTENT_ENCODING = HeaderMap.constant("content-encoding");

  private final ContractConfig config;
  private final Contract contract;
  private final SafeJson json;
  private final long maxBody;
  private final Map<MediaType, BodyValidator> bodies = new IdentityHashMap<>();

  private ContractPolicy(ContractConfig config, long maxBody) {
    this.config = config;
    this.contract = config.contract();
    this.json = new SafeJson(config.json());
    this.maxBody = maxBody;
    Map<Schema, FastSchema> fast = new IdentityHashMap<>();
    for (PathTemplate t : contract.templates()) {
      for (Operation op : t.operations().values()) {
        for (MediaType m : op.requestMedia()) {
          bodies.put(m, new BodyValidator(config.json(), json, m.schema(), fast));
        }
      }
    }
  }

  /** Returns the policy of a route's contract; {@code maxBody} is the route's body limit. */
  public static ContractPolicy compile(ContractConfig config, long maxBody) {
    return new ContractPolicy(config, maxBody);
  }

  @Override
  public String describe() {
    return config.file().getFileName()
        + ": "
        + config.operations()
        + (config.operations() == 1 ? " operation" : " operations")
        + " under "
        + config.basePath()
        + (config.allowUndeclaredQuery() ? "; undeclared query allowed" : "")
        + "; responses "
        + config.response().name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public Stage stage() {
    return Stage.CONTRACT;
  }

  @Override
  public String name() {
    return "contract";
  }

  @Override
  public void onRequest(Exchange ex) {
    RequestView req = ex.request();
    String[] segments = contract.segments(ex.path());
    PathTemplate t = segments == null ? null : contract.match(segments);
    if (segments == null || t == null) {
      ex.deny(UNDECLARED_PATH);
      return;
    }
    Operation op = t.operation(req.method());
    if (op == null) {
      ex.responseHeaders().set(ALLOW, t.allow());
      ex.deny(UNDECLARED_METHOD);
      return;
    }
    if (config.response() != ContractConfig.ResponseMode.OFF) {
      // A checked response must arrive readable: no compressed bodies from the upstream.
      req.removeHeaderForUpstream(ACCEPT_ENCODING);
    }
    Violations v = Violations.collecting();
    RequestParameters.check(req, t, segments, op, config.allowUndeclaredQuery(), v);
    if (!req.hasBody()) {
      if (op.bodyRequired()) {
        v.add("body", "", "request body required");
      }
      finish(ex, t, op, v);
      return;
    }
    if (!op.bodyDeclared()) {
      ex.deny(BODY_NOT_DECLARED);
      return;
    }
    MediaType media = media(req, op);
    if (media == null) {
      ex.deny(MEDIA_NOT_DECLARED);
      return;
    }
    if (!media.json()) {
      finish(ex, t, op, v); // declared non-JSON bodies stream through (body limit still applies)
      return;
    }
    if (!v.isEmpty()) {
      finish(ex, t, op, v); // do not read a body whose request is refused anyway
      return;
    }
    ex.readBody(maxBody, body -> checkBody(ex, t, op, media, body));
  }

  private void checkBody(Exchange ex, PathTemplate t, Operation op, MediaType media, byte[] body) {
    Violations v = Violations.collecting();
    if (body.length == 0) {
      if (op.bodyRequired()) {
        v.add("body", "", "request body required");
      }
      finish(ex, t, op, v);
      return;
    }
    BodyValidator validator = bodies.get(media);
    if (validator == null) {
      // Not reached: every declared request media type has its validator.
      validator = new BodyValidator(config.json(), json, media.schema(), new IdentityHashMap<>());
    }
    finish(ex, t, op, validator.check(body));
  }

  private static void finish(Exchange ex, PathTemplate t, Operation op, Violations v) {
    DecisionTrace trace = ex.trace();
    if (trace != null) {
      trace.note(
          "contract",
          "operation "
              + op.method()
              + " "
              + t.path()
              + (v.isEmpty()
                  ? ": request valid"
                  : v.count() == 1
                      ? ": 1 violation, " + v.first()
                      : ": " + v.count() + " violations, first " + v.first()));
    }
    if (v.isEmpty()) {
      ex.proceed();
      return;
    }
    ex.deny(Denial.of(400, "bad request", "contract: " + v.summary()).withDetails(v.json()));
  }

  /** Returns the declared media type the request's Content-Type selects, or null (415). */
  private static @Nullable MediaType media(RequestView req, Operation op) {
    List<String> types = req.headers(CONTENT_TYPE);
    if (types.size() != 1) {
      return null;
    }
    String value = types.get(0);
    String[] tt = MediaType.split(value);
    if (tt == null || tt[0].equals("*") || tt[1].equals("*")) {
      return null;
    }
    MediaType m = MediaType.select(op.requestMedia(), tt[0], tt[1]);
    if (m != null && MediaType.isJson(tt[1]) && !utf8Charset(value)) {
      return null;
    }
    return m;
  }

  /** JSON is UTF-8 (RFC 8259): a charset parameter, if any, must say so. */
  static boolean utf8Charset(String contentType) {
    String[] params = contentType.split(";");
    for (int i = 1; i < params.length; i++) {
      String p = params[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String cs = p.substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!cs.equals("utf-8") && !cs.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void onResponse(Exchange ex, ResponseHead head) {
    if (config.response() == ContractConfig.ResponseMode.OFF
        || !head.fromUpstream()
        || head.replacementBody() != null) {
      return;
    }
    String[] segments = contract.segments(ex.path());
    PathTemplate t = segments == null ? null : contract.match(segments);
    String method = ex.request().method();
    Operation op = t == null ? null : t.operation(method);
    if (op == null) {
      return; // not reached: the request was refused
    }
    int status = head.status();
    List<MediaType> declared = op.response(status);
    HeaderMap h = head.headers();
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
    if (declared == null) {
      block(ex, head, "response status " + status + " not declared");
      return;
    }
    if (noBody) {
      return;
    }
    String ct = h.get(CONTENT_TYPE);
    if (declared.isEmpty() || ct == null) {
      // Nothing declared (or no type sent): only an empty body is acceptable.
      head.filterBody(
          config.responseLimit(),
          body ->
              body.length() == 0
                  ? ResponseHead.Filtered.pass(body)
                  : blocked(ex, "undeclared response body"));
      return;
    }
    String[] tt = MediaType.split(ct);
    MediaType m = tt == null ? null : MediaType.select(declared, tt[0], tt[1]);
    if (m == null) {
      block(ex, head, "response content type not declared");
      return;
    }
    if (!m.json()) {
      return;
    }
    String encoding = h.get(CONTENT_ENCODING);
    if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
      block(ex, head, "encoded response body cannot be checked");
      return;
    }
    head.filterBody(config.responseLimit(), body -> filter(ex, m, body));
  }

  private ResponseHead.Filtered filter(Exchange ex, MediaType m, Buffer body) {
    JsonNode tree;
    try {
      tree = json.parse(body.getBytes());
    } catch (SafeJson.Unsafe e) {
      return blocked(ex, "response body: " + e.getMessage());
    }
    Schema s = m.schema();
    if (s == null) {
      return ResponseHead.Filtered.pass(body);
    }
    boolean strip = config.response() == ContractConfig.ResponseMode.STRIP;
    if (strip) {
      s.strip(tree);
    }
    Violations v = Violations.collecting();
    s.validate(tree, Loc.ROOT, "body", v);
    if (!v.isEmpty()) {
      return blocked(ex, "response " + v.summary());
    }
    if (!strip) {
      return ResponseHead.Filtered.pass(body);
    }
    try {
      return ResponseHead.Filtered.pass(Buffer.buffer(WRITER.writeValueAsBytes(tree)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return blocked(ex, "response body could not be written again");
    }
  }

  private ResponseHead.Filtered blocked(Exchange ex, String reason) {
    ex.decide(name(), "blocked", reason);
    return ResponseHead.Filtered.block(reason);
  }

  private void block(Exchange ex, ResponseHead head, String reason) {
    head.filterBody(config.responseLimit(), body -> blocked(ex, reason));
  }
}
