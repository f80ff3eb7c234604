package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark bans list|add|remove}: the ban list of a running gateway, through its admin
 * listener (found as {@link AdminClient} says). Exit 0 on success, 1 when the gateway refused or
 * could not be reached.
 */
@Command(
    name = "bans",
    description = "List, add and remove bans on a running gateway (through its admin listener).",
    mixinStandardHelpOptions = true)
final class BansCommand {
  @Mixin AdminClient.Options where = new AdminClient.Options();

  @Command(name = "list", description = "List the active bans.")
  int list() {
    return where.list(
        "/bans",
        "bans",
        "no active bans",
        b ->
            String.format(
                "%-39s until %s  by %s  (%s)",
                b.path("address").asText(),
                b.path("until").asText(),
                b.path("by").asText(),
                b.path("reason").asText()));
  }

  @Command(name = "add", description = "Ban an address.")
  int add(
      @Parameters(paramLabel = "ADDRESS", description = "IPv4 or IPv6 address") String address,
      @Option(names = "--duration", defaultValue = "1h", description = "e.g. 15m, 24h (default 1h)")
          String duration,
      @Option(names = "--reason", description = "Why (logged with the ban)")
          @Nullable String reason) {
    ObjectNode body = AdminClient.JSON.createObjectNode();
    body.put("address", address);
    body.put("duration", duration);
    if (reason != null) {
      body.put("reason", reason);
    }
    JsonNode r = where.client().call("POST", "/bans", body.toString(), 201);
    if (r == null) {
      return 1;
    }
    return where.said("banned: " + r);
  }

  @Command(name = "remove", description = "Lift the ban of an address.")
  int remove(@Parameters(paramLabel = "ADDRESS") String address) {
    if (where.client().call("DELETE", "/bans/" + AdminClient.segment(address), null, 200) == null) {
      return 1;
    }
    return where.said("unbanned: " + address);
  }
}
