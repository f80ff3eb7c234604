package dev.bulwark.probe;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a report as SARIF 2.1.0: one rule per check that ran, one result per warning or failure,
 * located at the probed URL, so CI systems show findings inline.
 */
public final class SarifReportWriter {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

  /** Returns the report as a SARIF log tree. */
  public ObjectNode toSarif(ProbeReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "bulwark-probe");
    driver.put("semanticVersion", "0.1.0");
    ArrayNode rules = driver.putArray("rules");
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    for (Finding f : report.findings()) {
      if (ruleIndex.containsKey(f.id())) {
        continue;
      }
      ruleIndex.put(f.id(), ruleIndex.size());
      ObjectNode rule = rules.addObject();
      rule.put("id", f.id());
      rule.putObject("shortDescription").put("text", f.title());
      if (!f.hint().isEmpty()) {
        rule.putObject("help").put("text", f.hint());
      }
      rule.putObject("defaultConfiguration").put("level", level(f.severity()));
      ObjectNode properties = rule.putObject("properties");
      properties.putArray("tags").add("security").add(f.family().label());
      properties.put("security-severity", securitySeverity(f.severity()));
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : report.findings()) {
      if (f.verdict() != Verdict.FAIL && f.verdict() != Verdict.WARN) {
        continue;
      }
      ObjectNode result = results.addObject();
      result.put("ruleId", f.id());
      result.put("ruleIndex", ruleIndex.get(f.id()));
      result.put("level", f.verdict() == Verdict.FAIL ? "error" : "warning");
      result
          .putObject("message")
          .put(
              "text",
              f.title() + ": " + f.evidence() + (f.hint().isEmpty() ? "" : " Fix: " + f.hint()));
      result
          .putArray("locations")
          .addObject()
          .putObject("physicalLocation")
          .putObject("artifactLocation")
          .put("uri", report.target());
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    invocation.put("executionSuccessful", !report.aborted());
    invocation.put("startTimeUtc", report.startedAt().toString());
    if (report.abortedReason() != null) {
      invocation
          .putArray("toolExecutionNotifications")
          .addObject()
          .put("level", "error")
          .putObject("message")
          .put("text", report.abortedReason());
    }
    ObjectNode properties = run.putObject("properties");
    properties.put("score", report.score().value());
    properties.put("grade", report.score().grade());
    properties.put("requestsSent", report.requestsSent());
    return root;
  }

  /** Writes the SARIF log as indented JSON. */
  public void write(ProbeReport report, OutputStream out) throws IOException {
    MAPPER.writeValue(out, toSarif(report));
  }

  private static String level(Severity severity) {
    return switch (severity) {
      case CRITICAL, HIGH -> "error";
      case MEDIUM, LOW -> "warning";
      case INFO -> "note";
    };
  }

  private static String securitySeverity(Severity severity) {
    return switch (severity) {
      case CRITICAL -> "9.5";
      case HIGH -> "7.5";
      case MEDIUM -> "5.0";
      case LOW -> "3.0";
      case INFO -> "0.0";
    };
  }
}
