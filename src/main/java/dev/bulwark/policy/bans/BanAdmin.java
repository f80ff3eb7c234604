package dev.bulwark.policy.bans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.Units;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The ban API of the admin listener: {@code GET /bans} lists, {@code POST /bans} (JSON {@code
 * {"address", "duration", "reason"}}) bans, {@code DELETE /bans/ADDRESS} lifts. Changing requests
 * must be JSON or DELETE, which a browser cannot send cross-site without a preflight that the admin
 * listener never answers. Every change is a security event.
 */
public final class BanAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 4096;
  private static final Duration MAX_DURATION = Duration.ofDays(365);

  private final BanStore store;
  private final SecurityEvents security;

  public BanAdmin(BanStore store, SecurityEvents security) {
    this.store = store;
    this.security = security;
  }

  /** Handles a request whose path is {@code /bans} or below it. */
  public void handle(HttpServerRequest req, String path) {
    String method = req.method().name();
    if (path.equals("/bans") && (method.equals("GET") || method.equals("HEAD"))) {
      reply(req, 200, list());
    } else if (path.equals("/bans") && method.equals("POST")) {
      String type = req.getHeader("content-type");
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        error(req, 415, "expected a JSON body (content-type: application/json)");
        return;
      }
      readBounded(req);
    } else if (path.startsWith("/bans/") && method.equals("DELETE")) {
      remove(req, path.substring("/bans/".length()));
    } else {
      error(req, 405, "GET or POST /bans, DELETE /bans/ADDRESS");
    }
  }

  /**
   * Reads the body up to {@link #MAX_BODY}: a larger one (declared or sent) gets 413 and the
   * connection closed without buffering the rest.
   */
  private void readBounded(HttpServerRequest req) {
    String declared = req.getHeader("content-length");
    if (declared != null
        && (!declared.matches("\\d{1,9}") || Long.parseLong(declared) > MAX_BODY)) {
      tooLarge(req);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(
        chunk -> {
          if (refused[0]) {
            return;
          }
          if (body.length() + chunk.length() > MAX_BODY) {
            refused[0] = true;
            tooLarge(req);
            return;
          }
          body.appendBuffer(chunk);
        });
    req.exceptionHandler(
        e -> {
          if (!refused[0]) {
            refused[0] = true;
            error(req, 400, "unreadable body");
          }
        });
    req.endHandler(
        v -> {
          if (!refused[0]) {
            add(req, body);
          }
        });
  }

  /**
   * Answers 413; on HTTP/1 the connection is then closed (the unread rest of the body cannot be
   * skipped safely), on HTTP/2 only the stream ends.
   */
  private static void tooLarge(HttpServerRequest req) {
    ObjectNode n = JSON.createObjectNode();
    n.put("error", "body larger than " + MAX_BODY + " bytes");
    n.put("status", 413);
    boolean http1 = req.version() != io.vertx.core.http.HttpVersion.HTTP_2;
    if (http1) {
      req.response().putHeader("connection", "close");
    }
    req.response()
        .setStatusCode(413)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(n.toString())
        .onComplete(
            v -> {
              if (http1) {
                req.connection().close();
              }
            });
  }

  private ObjectNode list() {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("bans");
    List<Ban> bans = store.list();
    bans.sort((a, b) -> a.address().compareTo(b.address()));
    for (Ban b : bans) {
      arr.add(describe(b));
    }
    return out;
  }

  static ObjectNode describe(Ban b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("address", b.address());
    n.put("until", Instant.ofEpochMilli(b.untilMillis()).toString());
    n.put("by", b.by());
    n.put("reason", b.reason());
    n.put("repeat", b.repeat());
    return n;
  }

  private void add(HttpServerRequest req, Buffer body) {
    JsonNode n;
    try {
      n = JSON.readTree(body.getBytes());
    } catch (IOException e) {
      error(req, 400, "malformed JSON");
      return;
    }
    String address = canonical(n == null ? null : text(n, "address"));
    if (address == null) {
      error(req, 400, "address: expected an IPv4 or IPv6 address");
      return;
    }
    String d = text(n, "duration");
    Duration duration = d == null ? Duration.ofHours(1) : Units.parseDuration(d);
    if (duration == null
        || duration.isNegative()
        || duration.isZero()
        || duration.compareTo(MAX_DURATION) > 0) {
      error(req, 400, "duration: expected a duration such as 15m or 24h, at most 365d");
      return;
    }
    String reasonText = text(n, "reason");
    String reason = reasonText == null ? "banned by an operator" : truncate(reasonText, 200);
    store
        .ban(address, duration, duration, Duration.ofDays(1), reason, "admin")
        .whenComplete(
            (ban, failure) -> {
              if (failure != null) {
                // Our own failures: the store is down, or the ban list is full (max-bans).
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                error(req, 503, "ban not recorded (" + cause.getMessage() + ")");
                return;
              }
              security.publish(
                  SecurityEvent.ban(
                      SecurityEvent.NO_REQUEST,
                      address,
                      "admin",
                      Instant.ofEpochMilli(ban.untilMillis()),
                      ban.repeat(),
                      reason));
              reply(req, 201, describe(ban));
            });
  }

  private void remove(HttpServerRequest req, String raw) {
    String address = canonicalFromPath(raw);
    if (address == null) {
      error(req, 400, "expected /bans/ADDRESS with an IPv4 or IPv6 address");
      return;
    }
    store
        .unban(address)
        .whenComplete(
            (removed, failure) -> {
              if (failure != null) {
                error(req, 503, "store unavailable: ban not lifted");
                return;
              }
              if (!removed) {
                error(req, 404, "no active ban for " + address);
                return;
              }
              security.publish(SecurityEvent.unban(SecurityEvent.NO_REQUEST, address, "admin"));
              ObjectNode out = JSON.createObjectNode();
              out.put("address", address);
              out.put("removed", true);
              reply(req, 200, out);
            });
  }

  /** Decodes a path segment and canonicalises it; null when malformed (a bad % escape too). */
  private static @org.jspecify.annotations.Nullable String canonicalFromPath(String raw) {
    try {
      return canonical(java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformedEscape) {
      return null;
    }
  }

  /** Returns the canonical form of an address literal (IPv4-mapped as IPv4), or null. */
  public static @org.jspecify.annotations.Nullable String canonical(
      @org.jspecify.annotations.Nullable String literal) {
    if (literal == null || literal.length() > 64) {
      return null;
    }
    byte[] a = IpAddresses.parse(literal.trim());
    return a == null ? null : IpAddresses.format(a);
  }

  private static @org.jspecify.annotations.Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static void reply(HttpServerRequest req, int status, ObjectNode body) {
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.toString());
  }

  private static void error(HttpServerRequest req, int status, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("error", message);
    n.put("status", status);
    reply(req, status, n);
  }
}
