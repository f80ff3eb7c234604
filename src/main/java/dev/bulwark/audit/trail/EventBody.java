package dev.bulwark.audit.trail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.bulwark.audit.SecurityEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The plain body of an event record before it is sealed: one JSON object with {@code time}, {@code
 * event} (the kind's wire name) and the event's fields in their order, as the security log writes
 * them. Every text value is cut to {@link #MAX_TEXT_CHARS} characters and every character outside
 * printable ASCII is escaped, so a hostile user agent or reason neither grows a record without
 * bound nor carries a newline, an ANSI sequence or a quote out of its string.
 */
final class EventBody {
  /** Text fields longer than this are cut, and say by how much. */
  static final int MAX_TEXT_CHARS = 512;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private EventBody() {}

  /** Returns the body of {@code event} as UTF-8 (in fact ASCII) JSON. */
  static byte[] of(SecurityEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", Instant.ofEpochMilli(event.epochMillis()).toString());
      g.writeStringField("event", event.kind().wireName());
      event.writeFields(
          new SecurityEvent.Fields() {
            @Override
            public void text(String name, String value) {
              try {
                g.writeStringField(name, bounded(value));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }

            @Override
            public void number(String name, long value) {
              try {
                g.writeNumberField(name, value);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          });
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String bounded(String value) {
    if (value.length() <= MAX_TEXT_CHARS) {
      return value;
    }
    return value.substring(0, MAX_TEXT_CHARS)
        + "...(cut "
        + (value.length() - MAX_TEXT_CHARS)
        + " chars)";
  }
}
