package dev.bulwark.audit.trail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.bulwark.audit.SecurityEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The plain body of an event record before it is sealed: one flat JSON object under ECS names (see
 * {@link EcsNames}), schema {@value EcsNames#SCHEMA}: {@code bulwark.schema}, {@code @timestamp},
 * {@code event.action}, {@code event.outcome}, then the event's fields in their order and the
 * request's origin. Every text value is cut to {@link #MAX_TEXT_CHARS} characters (its name then
 * listed in {@code bulwark.truncated}) and every character outside printable ASCII is escaped, so a
 * hostile user agent or reason neither grows a record without bound nor carries a newline, an ANSI
 * sequence or a quote out of its string.
 */
final class EventBody {
  /** Text fields longer than this are cut, and say by how much. */
  static final int MAX_TEXT_CHARS = 512;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  /** The last timestamp formatted: a flood's events share their millisecond. */
  private static volatile Stamp lastStamp = new Stamp(0, Instant.EPOCH.toString());

  private record Stamp(long millis, String text) {}

  private EventBody() {}

  /** Returns {@code millis} as ISO-8601 ({@link Instant#toString()}). */
  static String timestamp(long millis) {
    Stamp s = lastStamp;
    if (s.millis() != millis) {
      s = new Stamp(millis, Instant.ofEpochMilli(millis).toString());
      lastStamp = s;
    }
    return s.text();
  }

  /** Returns the body of {@code event} as UTF-8 (in fact ASCII) JSON. */
  static byte[] of(SecurityEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    String action = event.kind().wireName();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      Writer w = new Writer(g);
      g.writeStartObject();
      g.writeNumberField(EcsNames.SCHEMA_FIELD, EcsNames.SCHEMA);
      g.writeStringField(EcsNames.TIMESTAMP, timestamp(event.epochMillis()));
      g.writeStringField(EcsNames.ACTION, action);
      g.writeStringField(EcsNames.OUTCOME, EcsNames.outcome(action));
      event.writeFields(
          new SecurityEvent.Fields() {
            @Override
            public void text(String name, String value) {
              if (!value.equals(SecurityEvent.NO_REQUEST)
                  || !(name.equals("requestId") || name.equals("client"))) {
                w.text(EcsNames.of(action, name), value);
              }
            }

            @Override
            public void number(String name, long value) {
              w.number(EcsNames.of(action, name), value);
            }
          });
      SecurityEvent.Origin origin = event.origin();
      if (origin != null) {
        w.optionalText(EcsNames.SOURCE_IP, origin.address());
        w.optionalText(EcsNames.USER_AGENT, origin.userAgent());
        w.optionalText(EcsNames.URL_PATH, origin.path());
      }
      if (!w.truncated.isEmpty()) {
        g.writeArrayFieldStart(EcsNames.TRUNCATED);
        for (String name : w.truncated) {
          g.writeString(name);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes each field once (the first value of a name wins), cutting long text. */
  private static final class Writer {
    private final JsonGenerator g;
    private final Set<String> written = new HashSet<>();
    final List<String> truncated = new ArrayList<>();

    Writer(JsonGenerator g) {
      this.g = g;
    }

    void optionalText(String name, @Nullable String value) {
      if (value != null) {
        text(name, value);
      }
    }

    void text(String name, String value) {
      if (!written.add(name)) {
        return;
      }
      try {
        if (value.length() > MAX_TEXT_CHARS) {
          truncated.add(name);
        }
        g.writeStringField(name, bounded(value));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void number(String name, long value) {
      if (!written.add(name)) {
        return;
      }
      try {
        g.writeNumberField(name, value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
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
