package dev.bulwark.audit.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The JSON form of an alert, the same in the log line and the webhook body (version 1 of the
 * schema; fields are only ever added). Every text is cut to {@link #MAX_TEXT_CHARS} characters and
 * every character outside printable ASCII is escaped, so text that came from a request (an account
 * name, an address) can neither break the JSON nor carry a newline or an ANSI sequence into a log
 * line.
 */
public final class AlertJson {
  /** The schema version written in {@code version}. */
  public static final int VERSION = 1;

  /** Text values longer than this are cut, and say by how much. */
  static final int MAX_TEXT_CHARS = 512;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private AlertJson() {}

  /** Returns the webhook body of an alert: one JSON object, ASCII only. */
  public static String body(Alert alert) {
    return write(alert, false);
  }

  /** Returns the log line of an alert (no newline): the body with {@code type} first. */
  public static String logLine(Alert alert) {
    return write(alert, true);
  }

  private static String write(Alert a, boolean logLine) {
    StringWriter out = new StringWriter(400);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (logLine) {
        g.writeStringField("type", "alert");
      }
      g.writeNumberField("version", VERSION);
      g.writeStringField("id", a.id());
      g.writeStringField("time", Instant.ofEpochMilli(a.epochMillis()).toString());
      g.writeStringField("gateway", cut(a.gateway()));
      g.writeStringField("rule", a.rule().configName());
      g.writeStringField("severity", a.severity().wireName());
      g.writeStringField("event", a.rule().kind().wireName());
      g.writeStringField("key", cut(a.key()));
      g.writeNumberField("count", a.count());
      g.writeNumberField("threshold", a.threshold());
      g.writeNumberField("windowSeconds", a.window().toSeconds());
      g.writeStringField("firstEvent", Instant.ofEpochMilli(a.firstEventMillis()).toString());
      g.writeStringField("lastEvent", Instant.ofEpochMilli(a.lastEventMillis()).toString());
      g.writeArrayFieldStart("sampleEvents");
      for (String id : a.sampleEvents()) {
        g.writeString(cut(id));
      }
      g.writeEndArray();
      g.writeNumberField("suppressed", a.suppressed());
      g.writeStringField("summary", cut(a.summary()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String cut(String value) {
    if (value.length() <= MAX_TEXT_CHARS) {
      return value;
    }
    return value.substring(0, MAX_TEXT_CHARS)
        + "...(cut "
        + (value.length() - MAX_TEXT_CHARS)
        + " chars)";
  }

  /** Returns a duration as the config writes it: {@code 90s}, {@code 5m}, {@code 1h}. */
  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s > 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s > 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s > 0 ? s + "s" : d.toMillis() + "ms";
  }
}
