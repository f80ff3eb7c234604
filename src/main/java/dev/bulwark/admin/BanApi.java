package dev.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.config.Units;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.store.Ban;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The ban API over the ban store: {@code GET /bans} lists, {@code POST /bans} (JSON {@code
 * {"address", "duration", "reason"}}) bans, {@code DELETE /bans/ADDRESS} lifts. Changing requests
 * must be JSON or DELETE, which a browser cannot send cross-site without a preflight that the admin
 * listener never answers. Every change is a security event.
 */
final class BanApi {
  /** The largest body {@code POST /bans} takes, in bytes. */
  static final int MAX_BODY = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAX_DURATION = OperatorBans.MAX_DURATION;

  private final OperatorBans bans;

  BanApi(OperatorBans bans) {
    this.bans = bans;
  }

  /** Adds the ban routes, for operators only. */
  void register(AdminRouter.Builder router) {
    router
        .get("/bans", AdminAccess.OPERATOR, this::list)
        .route("POST", "/bans", AdminAccess.OPERATOR, MAX_BODY, this::add)
        .route("DELETE", "/bans/{address}", AdminAccess.OPERATOR, 0, this::remove);
  }

  private void list(AdminCall call) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("bans");
    for (Ban b : bans.list()) {
      arr.add(describe(b));
    }
    call.json(200, out.toString());
  }

  private static ObjectNode describe(Ban b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("address", b.address());
    n.put("until", Instant.ofEpochMilli(b.untilMillis()).toString());
    n.put("by", b.by());
    n.put("reason", b.reason());
    n.put("repeat", b.repeat());
    return n;
  }

  private void add(AdminCall call) {
    String type = call.header("content-type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      call.error(415, "expected a JSON body (content-type: application/json)");
      return;
    }
    JsonNode n;
    try {
      n = JSON.readTree(call.body());
    } catch (IOException e) {
      call.error(400, "malformed JSON");
      return;
    }
    String address = canonical(n == null ? null : text(n, "address"));
    if (n == null || address == null) {
      call.error(400, "address: expected an IPv4 or IPv6 address");
      return;
    }
    String d = text(n, "duration");
    Duration duration = d == null ? Duration.ofHours(1) : Units.parseDuration(d);
    if (duration == null
        || duration.isNegative()
        || duration.isZero()
        || duration.compareTo(MAX_DURATION) > 0) {
      call.error(400, "duration: expected a duration such as 15m or 24h, at most 365d");
      return;
    }
    String reasonText = text(n, "reason");
    String reason = reasonText == null ? "banned by an operator" : truncate(reasonText, 200);
    bans.ban(address, duration, reason, call.requestId(), origin(call))
        .thenAccept(
            o -> {
              Ban ban = o.ban();
              if (o.done() && ban != null) {
                call.json(201, describe(ban).toString());
              } else {
                call.error(o.status(), String.valueOf(o.message()));
              }
            });
  }

  private void remove(AdminCall call) {
    String address = canonicalFromPath(call.param("address"));
    if (address == null) {
      call.error(400, "expected /bans/ADDRESS with an IPv4 or IPv6 address");
      return;
    }
    bans.unban(address, call.requestId(), origin(call))
        .thenAccept(
            o -> {
              if (o.done()) {
                ObjectNode out = JSON.createObjectNode();
                out.put("address", address);
                out.put("removed", true);
                call.json(200, out.toString());
              } else {
                call.error(o.status(), String.valueOf(o.message()));
              }
            });
  }

  /** Returns who made an admin change: the operator's address, user agent and the path called. */
  private static SecurityEvent.Origin origin(AdminCall call) {
    return new SecurityEvent.Origin(call.peerAddress(), call.header("user-agent"), call.path());
  }

  /** Decodes a path segment and canonicalises it; null when malformed (a bad % escape too). */
  private static @Nullable String canonicalFromPath(String raw) {
    try {
      return canonical(URLDecoder.decode(raw, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformedEscape) {
      return null;
    }
  }

  /** Returns the canonical form of an address literal (IPv4-mapped as IPv4), or null. */
  static @Nullable String canonical(@Nullable String literal) {
    if (literal == null || literal.length() > 64) {
      return null;
    }
    byte[] a = IpAddresses.parse(literal.trim());
    return a == null ? null : IpAddresses.format(a);
  }

  private static @Nullable String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
