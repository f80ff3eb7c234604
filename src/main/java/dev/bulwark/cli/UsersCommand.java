package dev.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark users create|invite|list|show|disable|enable|delete|sessions|revoke|
 * remove-second-factor}: the accounts of a running gateway, through its admin API. An account is
 * named by its id or its login name. A password is never an argument: it is asked without echo, or
 * read from the first line of standard input with {@code --password-stdin}. Exit 0 on success, 1
 * when the gateway refused or could not be reached.
 */
@Command(
    name = "users",
    description = "Create, list, disable and delete accounts on a running gateway.",
    mixinStandardHelpOptions = true)
final class UsersCommand {
  @Mixin AdminClient.Options where = new AdminClient.Options();

  @Command(
      name = "create",
      description = "Create an account with a password (asked without echo, or --password-stdin).")
  int create(
      @Parameters(paramLabel = "LOGIN") String login,
      @Option(names = "--email", description = "Email address") @Nullable String email,
      @Option(names = "--name", description = "Display name (default: the login)")
          @Nullable String displayName,
      @Option(
              names = "--password-stdin",
              description = "Read the password from the first line of standard input.")
          boolean passwordStdin) {
    AdminClient admin = where.client();
    String password = password(admin, login, passwordStdin);
    if (password == null) {
      return 1;
    }
    return made(admin, body(login, email, displayName).put("password", password));
  }

  @Command(
      name = "invite",
      description = {
        "Create an account without a password and print its one-time invitation token.",
        "Give the token to the person (mailed too when identity.mail is set); it is valid for 7"
            + " days, redeemed at the login API's POST /auth/invitation."
      })
  int invite(
      @Parameters(paramLabel = "LOGIN") String login,
      @Option(names = "--email", description = "Email address") @Nullable String email,
      @Option(names = "--name", description = "Display name (default: the login)")
          @Nullable String displayName) {
    return made(where.client(), body(login, email, displayName));
  }

  private static ObjectNode body(String login, @Nullable String email, @Nullable String name) {
    ObjectNode b = AdminClient.JSON.createObjectNode().put("login", login);
    if (email != null) {
      b.put("email", email);
    }
    if (name != null) {
      b.put("displayName", name);
    }
    return b;
  }

  private int made(AdminClient admin, ObjectNode body) {
    JsonNode r = admin.call("POST", "/accounts", body.toString(), 201);
    if (r == null) {
      return 1;
    }
    JsonNode a = r.path("account");
    PrintWriter o = where.out();
    o.println("created " + a.path("login").asText() + " (id " + a.path("id").asText() + ")");
    JsonNode inv = r.path("invitation");
    if (!inv.isMissingNode()) {
      o.println("invitation token: " + inv.path("token").asText());
      o.println("expires: " + inv.path("expires").asText() + " (shown once; keep it secret)");
    }
    o.flush();
    return 0;
  }

  /**
   * Reads the new password from stdin or the terminal; null (after saying why) when there is none.
   */
  private @Nullable String password(AdminClient admin, String login, boolean fromStdin) {
    if (fromStdin) {
      try {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null || line.isEmpty()) {
          admin.error("--password-stdin: standard input is empty");
          return null;
        }
        return line;
      } catch (IOException e) {
        admin.error("--password-stdin: standard input cannot be read (" + e.getMessage() + ")");
        return null;
      }
    }
    Console console = System.console();
    if (console == null) {
      admin.error(
          "no terminal to ask the password on: pipe it with --password-stdin, or use 'bulwark"
              + " users invite'");
      return null;
    }
    char[] first = console.readPassword("Password for %s: ", login);
    char[] again = console.readPassword("Again: ");
    try {
      if (first == null || again == null || first.length == 0) {
        admin.error("no password given");
        return null;
      }
      if (!Arrays.equals(first, again)) {
        admin.error("the two passwords differ; nothing was created");
        return null;
      }
      return new String(first);
    } finally {
      if (first != null) {
        Arrays.fill(first, '\0');
      }
      if (again != null) {
        Arrays.fill(again, '\0');
      }
    }
  }

  @Command(name = "list", description = "List accounts, a page at a time.")
  int list(@Mixin AdminClient.Page page) {
    return where.page(
        "/accounts",
        page,
        "accounts",
        "no accounts",
        a ->
            String.format(
                "%-36s  %-24s  %-8s  %s",
                a.path("id").asText(),
                a.path("login").asText(),
                a.path("status").asText(),
                a.path("email").asText("-")));
  }

  @Command(name = "show", description = "Show an account and its memberships.")
  int show(@Parameters(paramLabel = "ACCOUNT", description = "Id or login") String account) {
    JsonNode a = where.client().call("GET", "/accounts/" + AdminClient.segment(account), null, 200);
    if (a == null) {
      return 1;
    }
    PrintWriter o = where.out();
    o.println("id:            " + a.path("id").asText());
    o.println("login:         " + a.path("login").asText());
    o.println(
        "email:         "
            + a.path("email").asText("-")
            + (a.path("emailVerified").asBoolean() ? " (verified)" : ""));
    o.println("display name:  " + a.path("displayName").asText());
    o.println("status:        " + a.path("status").asText());
    o.println("password:      " + (a.path("password").asBoolean() ? "set" : "none (invited)"));
    o.println("second factor: " + (a.path("secondFactor").asBoolean() ? "enrolled" : "none"));
    o.println("created:       " + a.path("created").asText());
    for (JsonNode m : a.path("memberships")) {
      o.println(
          "member of:     " + m.path("organisation").asText() + " as " + m.path("role").asText());
    }
    o.flush();
    return 0;
  }

  @Command(name = "disable", description = "Disable an account and revoke all its sessions.")
  int disable(@Parameters(paramLabel = "ACCOUNT") String account) {
    JsonNode r =
        where
            .client()
            .call("POST", "/accounts/" + AdminClient.segment(account) + "/disable", null, 200);
    if (r == null) {
      return 1;
    }
    return where.said(
        "disabled "
            + r.path("account").path("id").asText()
            + "; "
            + r.path("sessionsRevoked").asInt()
            + " session(s) revoked");
  }

  @Command(name = "enable", description = "Enable a disabled account.")
  int enable(@Parameters(paramLabel = "ACCOUNT") String account) {
    JsonNode r =
        where
            .client()
            .call("POST", "/accounts/" + AdminClient.segment(account) + "/enable", null, 200);
    if (r == null) {
      return 1;
    }
    return where.said("enabled " + r.path("account").path("id").asText());
  }

  @Command(
      name = "delete",
      description = "Delete an account: erase its personal data and revoke its sessions.")
  int delete(
      @Parameters(paramLabel = "ACCOUNT") String account,
      @Option(names = "--yes", description = "Confirm: this cannot be undone.") boolean yes) {
    AdminClient admin = where.client();
    if (!yes) {
      return admin.error("delete erases " + account + "'s personal data for good; add --yes");
    }
    JsonNode r = admin.call("DELETE", "/accounts/" + AdminClient.segment(account), null, 200);
    if (r == null) {
      return 1;
    }
    return where.said(
        "deleted "
            + r.path("id").asText()
            + "; "
            + r.path("sessionsRevoked").asInt()
            + " session(s) revoked");
  }

  @Command(name = "sessions", description = "List an account's live sessions.")
  int sessions(@Parameters(paramLabel = "ACCOUNT") String account) {
    return where.list(
        "/accounts/" + AdminClient.segment(account) + "/sessions",
        "sessions",
        "no live sessions",
        s ->
            String.format(
                "%s  since %s  last used %s  from %s  (%s)",
                s.path("id").asText(),
                s.path("created").asText(),
                s.path("lastUsed").asText(),
                s.path("clientAddress").asText(),
                s.path("userAgent").asText()));
  }

  @Command(name = "revoke", description = "Revoke one session of an account, or all with --all.")
  int revoke(
      @Parameters(paramLabel = "ACCOUNT") String account,
      @Parameters(paramLabel = "SESSION", arity = "0..1") @Nullable String session,
      @Option(names = "--all", description = "Revoke every session of the account") boolean all) {
    AdminClient admin = where.client();
    if ((session == null) == !all) {
      return admin.error("give a SESSION id (see 'bulwark users sessions') or --all, not both");
    }
    String path =
        "/accounts/"
            + AdminClient.segment(account)
            + "/sessions"
            + (session == null ? "" : "/" + AdminClient.segment(session));
    JsonNode r = admin.call("DELETE", path, null, 200);
    if (r == null) {
      return 1;
    }
    return where.said(
        session == null
            ? "revoked " + r.path("revoked").asInt() + " session(s)"
            : "revoked session " + session);
  }

  @Command(
      name = "remove-second-factor",
      description =
          "Remove an account's TOTP and recovery codes and end its sessions (after checking who"
              + " asks).")
  int removeSecondFactor(@Parameters(paramLabel = "ACCOUNT") String account) {
    JsonNode r =
        where
            .client()
            .call(
                "DELETE",
                "/accounts/" + AdminClient.segment(account) + "/second-factor",
                null,
                200);
    if (r == null) {
      return 1;
    }
    return where.said(
        r.path("removed").asBoolean()
            ? "second factor removed, " + r.path("sessionsRevoked").asInt() + " session(s) revoked"
            : "no second factor was enrolled");
  }
}
