package dev.bulwark.probe;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/** Writes a report as JSON with every check's evidence, for machines and archives. */
public final class JsonReportWriter {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

  /** Returns the report as a JSON tree. */
  public ObjectNode toJson(ProbeReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("tool", "bulwark-probe");
    root.put("target", report.target());
    root.put("startedAt", report.startedAt().toString());
    root.put("elapsedMillis", report.elapsed().toMillis());
    root.put("requestsSent", report.requestsSent());
    if (report.abortedReason() != null) {
      root.put("abortedReason", report.abortedReason());
    } else {
      root.putNull("abortedReason");
    }
    ObjectNode score = root.putObject("score");
    score.put("value", report.score().value());
    score.put("grade", report.score().grade());
    score.put("earned", report.score().earned());
    score.put("possible", report.score().possible());
    ObjectNode summary = root.putObject("summary");
    for (Verdict v : Verdict.values()) {
      summary.put(v.name().toLowerCase(Locale.ROOT), report.count(v));
    }
    ArrayNode findings = root.putArray("findings");
    for (Finding f : report.findings()) {
      ObjectNode node = findings.addObject();
      node.put("id", f.id());
      node.put("family", f.family().label());
      node.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
      node.put("title", f.title());
      node.put("verdict", f.verdict().name().toLowerCase(Locale.ROOT));
      node.put("evidence", f.evidence());
      node.put("hint", f.hint());
    }
    return root;
  }

  /** Writes the report as indented JSON. */
  public void write(ProbeReport report, OutputStream out) throws IOException {
    MAPPER.writeValue(out, toJson(report));
  }
}
