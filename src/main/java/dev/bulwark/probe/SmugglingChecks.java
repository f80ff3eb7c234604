package dev.bulwark.probe;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Request-smuggling probes (only with {@code --intrusive}): requests whose framing is ambiguous,
 * judged by status and timing. Every probe goes to the target on its own connection, which is
 * closed after one response, and none carries a complete second request.
 */
final class SmugglingChecks {
  static final Check CL_TE =
      check(
          "smuggling.cl-te", Severity.CRITICAL, "Content-Length with Transfer-Encoding is refused");
  static final Check TE_CL =
      check("smuggling.te-cl", Severity.CRITICAL, "TE.CL framing conflict is refused");
  static final Check HTTP10_CL_TE =
      check(
          "smuggling.http10-cl-te",
          Severity.CRITICAL,
          "HTTP/1.0 request with Content-Length and Transfer-Encoding is refused");
  static final Check TE_VARIANTS =
      check(
          "smuggling.te-variants",
          Severity.HIGH,
          "Obfuscated Transfer-Encoding headers are refused");
  static final Check DUPLICATE_CL =
      check(
          "smuggling.duplicate-content-length",
          Severity.HIGH,
          "Conflicting duplicate Content-Length is refused");

  /** The body of a CL.TE timing probe: complete by Content-Length 4, incomplete as chunked. */
  static final String CL_TE_BODY = "1\r\nZ\r\nQ";

  /** The body of a TE.CL timing probe: complete as chunked, one byte short of Content-Length 6. */
  static final String TE_CL_BODY = "0\r\n\r\nX";

  /** A Transfer-Encoding obfuscation: its name and the framing header lines it sends. */
  record Variant(String name, String headerLines) {}

  static final List<Variant> TE_OBFUSCATIONS =
      List.of(
          new Variant("xchunked", "Transfer-Encoding: xchunked\r\n"),
          new Variant("chunked, identity", "Transfer-Encoding: chunked, identity\r\n"),
          new Variant("space before colon", "Transfer-Encoding : chunked\r\n"),
          new Variant(
              "two Transfer-Encoding headers",
              "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
          new Variant("quoted chunked", "Transfer-Encoding: \"chunked\"\r\n"));

  private final ProbeContext context;
  private final long timeoutMillis;

  SmugglingChecks(ProbeContext context) {
    this.context = context;
    this.timeoutMillis = context.options().timeout().toMillis();
  }

  private static Check check(String id, Severity severity, String title) {
    return new Check(
        id,
        CheckFamily.SMUGGLING,
        severity,
        title,
        "Reject with 400 and close the connection any request with both Content-Length and"
            + " Transfer-Encoding, duplicate Content-Length, or a Transfer-Encoding other than"
            + " exactly 'chunked' (RFC 9112 section 6.3).");
  }

  /** Returns a skipped finding for every smuggling check, for runs without --intrusive. */
  static List<Finding> skipped() {
    String reason = "intrusive; run with --intrusive on a target you own";
    return List.of(
        CL_TE.skip(reason),
        TE_CL.skip(reason),
        HTTP10_CL_TE.skip(reason),
        TE_VARIANTS.skip(reason),
        DUPLICATE_CL.skip(reason));
  }

  /** Runs the probes; TE.CL only when CL.TE showed no desync, as its leftover byte could poison. */
  List<Finding> run() {
    List<Finding> findings = new ArrayList<>();
    Outcome clTe =
        send("HTTP/1.1", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", CL_TE_BODY);
    findings.add(judge(CL_TE, clTe, "CL.TE"));
    if (clTe.timedOut()) {
      findings.add(
          TE_CL.skip(
              "not sent: CL.TE already desynchronised, and a TE.CL probe could then leave a byte"
                  + " in front of another user's request"));
    } else {
      Outcome teCl =
          send("HTTP/1.1", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", TE_CL_BODY);
      findings.add(judge(TE_CL, teCl, "TE.CL"));
    }
    findings.add(
        judge(
            HTTP10_CL_TE,
            send("HTTP/1.0", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", CL_TE_BODY),
            "HTTP/1.0 CL+TE"));
    findings.add(teVariants());
    findings.add(
        judge(
            DUPLICATE_CL,
            send("HTTP/1.1", "Content-Length: 4\r\nContent-Length: 5\r\n", "ABCDE"),
            "Content-Length 4 and 5"));
    return findings;
  }

  /** The target's reaction to one probe. */
  record Outcome(ProbeHttpClient.@Nullable RawExchange exchange, String failure) {
    boolean timedOut() {
      return exchange == null && failure.startsWith("timeout");
    }
  }

  private Outcome send(String version, String framing, String body) {
    ProbeTarget target = context.target();
    String raw =
        "POST "
            + target.path()
            + " "
            + version
            + "\r\n"
            + "Host: "
            + target.authority()
            + "\r\n"
            + "User-Agent: "
            + context.options().userAgent()
            + "\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + framing
            + "\r\n"
            + body;
    try {
      return new Outcome(context.client().sendRaw(raw, timeoutMillis), "");
    } catch (SocketTimeoutException e) {
      return new Outcome(null, "timeout");
    } catch (IOException e) {
      return new Outcome(
          null, "connection ended without a response (" + ProbeContext.describe(e) + ")");
    }
  }

  private Finding judge(Check check, Outcome outcome, String what) {
    ProbeHttpClient.RawExchange exchange = outcome.exchange();
    if (exchange == null) {
      if (outcome.timedOut()) {
        return check.fail(
            what
                + ": no answer in "
                + timeoutMillis
                + " ms: the server waited for body bytes"
                + " that the other framing header says were never coming (desync)");
      }
      return check.warn(what + ": " + outcome.failure() + "; refused, but without a 400");
    }
    int status = exchange.response().status();
    String after = "connection " + exchange.connectionAfter();
    if (status == 400 || status == 501 || status == 411 || status == 413) {
      if (exchange.connectionAfter().equals("closed")) {
        return check.pass(what + ": " + status + ", " + after);
      }
      return check.warn(
          what + ": " + status + " but " + after + " (leftover bytes could be read as a request)");
    }
    return check.fail(
        what
            + ": accepted with "
            + status
            + ", "
            + after
            + "; a front end that picks the other framing would desync");
  }

  private Finding teVariants() {
    List<String> failed = new ArrayList<>();
    List<String> accepted = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Variant variant : TE_OBFUSCATIONS) {
      Outcome outcome =
          send("HTTP/1.1", "Content-Length: 4\r\n" + variant.headerLines(), CL_TE_BODY);
      ProbeHttpClient.RawExchange exchange = outcome.exchange();
      if (exchange == null) {
        if (outcome.timedOut()) {
          failed.add(variant.name() + " (treated as chunked while Content-Length was complete)");
        } else {
          refused.add(variant.name() + " (connection ended)");
        }
        continue;
      }
      int status = exchange.response().status();
      if (status == 400 || status == 501) {
        refused.add(variant.name() + " (" + status + ")");
      } else {
        accepted.add(variant.name() + " (" + status + ")");
      }
    }
    if (!failed.isEmpty()) {
      return TE_VARIANTS.fail("desync: " + String.join("; ", failed));
    }
    if (!accepted.isEmpty()) {
      return TE_VARIANTS.warn(
          "accepted (Content-Length used; a front end honouring the header would desync): "
              + String.join("; ", accepted));
    }
    return TE_VARIANTS.pass("refused " + String.join("; ", refused));
  }
}
