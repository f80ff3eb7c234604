package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark orgs create|list|show|delete|members|add-member|remove-member}: the organisations
 * of a running gateway and the roles of accounts in them, through its admin API. An organisation is
 * named by its id or slug, an account by its id or login. Exit 0 on success, 1 otherwise.
 */
@Command(
    name = "orgs",
    description =
        "Create organisations and set the roles of accounts in them on a running gateway.",
    mixinStandardHelpOptions = true)
final class OrgsCommand {
  @Mixin AdminClient.Options where = new AdminClient.Options();

  private static String org(String org) {
    return "/organisations/" + AdminClient.segment(org);
  }

  @Command(name = "create", description = "Create an organisation.")
  int create(
      @Parameters(paramLabel = "SLUG", description = "Lower-case letters, digits, hyphens")
          String slug,
      @Option(names = "--name", description = "Its name (default: the slug)")
          @Nullable String name) {
    ObjectNode b = AdminClient.JSON.createObjectNode().put("slug", slug);
    if (name != null) {
      b.put("name", name);
    }
    JsonNode r = where.client().call("POST", "/organisations", b.toString(), 201);
    return r == null
        ? 1
        : where.said("created " + r.path("slug").asText() + " (id " + r.path("id").asText() + ")");
  }

  @Command(name = "list", description = "List organisations, a page at a time.")
  int list(@Mixin AdminClient.Page page) {
    return where.page(
        "/organisations",
        page,
        "organisations",
        "no organisations",
        g ->
            String.format(
                "%-36s  %-24s  %s",
                g.path("id").asText(), g.path("slug").asText(), g.path("name").asText()));
  }

  @Command(name = "show", description = "Show an organisation.")
  int show(@Parameters(paramLabel = "ORG", description = "Id or slug") String org) {
    JsonNode r = where.client().call("GET", org(org), null, 200);
    if (r == null) {
      return 1;
    }
    where.said("id:      " + r.path("id").asText());
    where.said("slug:    " + r.path("slug").asText());
    where.said("name:    " + r.path("name").asText());
    return where.said("created: " + r.path("created").asText());
  }

  @Command(name = "delete", description = "Delete an organisation and every membership of it.")
  int delete(
      @Parameters(paramLabel = "ORG") String org,
      @Option(names = "--yes", description = "Confirm: this cannot be undone.") boolean yes) {
    AdminClient admin = where.client();
    if (!yes) {
      return admin.error("delete removes " + org + " and every membership of it; add --yes");
    }
    JsonNode r = admin.call("DELETE", org(org), null, 200);
    return r == null ? 1 : where.said("deleted " + r.path("id").asText());
  }

  @Command(name = "members", description = "List the members of an organisation and their roles.")
  int members(@Parameters(paramLabel = "ORG") String org, @Mixin AdminClient.Page page) {
    return where.page(
        org(org) + "/members",
        page,
        "members",
        "no members",
        m -> String.format("%-36s  %s", m.path("account").asText(), m.path("role").asText()));
  }

  @Command(
      name = "add-member",
      description = "Make an account a member with a role, or change its role (role-granted).")
  int addMember(
      @Parameters(paramLabel = "ORG") String org,
      @Parameters(paramLabel = "ACCOUNT", description = "Id or login") String account,
      @Option(names = "--role", required = true, description = "The role, such as admin or member")
          String role) {
    String body = AdminClient.JSON.createObjectNode().put("role", role).toString();
    JsonNode r =
        where
            .client()
            .call("PUT", org(org) + "/members/" + AdminClient.segment(account), body, 200);
    return r == null ? 1 : where.said(r.path("account").asText() + " is " + role + " in " + org);
  }

  @Command(name = "remove-member", description = "End an account's membership (role-revoked).")
  int removeMember(
      @Parameters(paramLabel = "ORG") String org,
      @Parameters(paramLabel = "ACCOUNT") String account) {
    JsonNode r =
        where
            .client()
            .call("DELETE", org(org) + "/members/" + AdminClient.segment(account), null, 200);
    return r == null
        ? 1
        : where.said(r.path("account").asText() + " is no longer a member of " + org);
  }
}
