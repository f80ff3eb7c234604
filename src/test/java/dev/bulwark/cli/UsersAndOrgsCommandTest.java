package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark users} and {@code bulwark orgs} against a running gateway whose admin listener
 * asks for a token: the happy path through every subcommand, and each error in one line.
 */
class UsersAndOrgsCommandTest {
  private static final String TOKEN = "cli-users-token-0123456789abcdefghijklmnop";
  private static StubUpstream upstream;
  private static TestGateway gw;
  private static Path config;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
            routes:
              - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
            """,
            upstream.port(),
            Map.of("BULWARK_ADMIN_TOKEN", TOKEN));
    Path tokenFile = gw.dir().resolve("admin-token");
    Files.writeString(tokenFile, TOKEN + "\n");
    config = gw.dir().resolve("with-admin-port.yaml");
    Files.writeString(
        config,
        Files.readString(gw.configFile())
            .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + gw.gateway().adminPort())
            .replace("${env:BULWARK_ADMIN_TOKEN}", "${file:" + tokenFile + "}"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    upstream.close();
  }

  private static CliRun withStdin(String input, String... args) {
    InputStream before = System.in;
    System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    try {
      return CliRun.of(args);
    } finally {
      System.setIn(before);
    }
  }

  private static String c() {
    return config.toString();
  }

  @Test
  void accountsAreCreatedInvitedListedDisabledAndDeleted() {
    CliRun made =
        withStdin(
            "tangerine-Orbit-walrus-1987-quiet\n",
            "users",
            "-c",
            c(),
            "create",
            "ada",
            "--email",
            "ada@example.com",
            "--password-stdin");
    assertThat(made.status()).as(made.err()).isZero();
    assertThat(made.out()).startsWith("created ada (id ");
    CliRun invited = CliRun.of("users", "-c", c(), "invite", "grace", "--name", "Grace H");
    assertThat(invited.status()).as(invited.err()).isZero();
    assertThat(invited.out()).contains("invitation token: ").contains("expires: ");
    Matcher token = Pattern.compile("invitation token: (\\S+)").matcher(invited.out());
    assertThat(token.find()).isTrue();
    assertThat(token.group(1)).hasSizeGreaterThan(40);

    CliRun list = CliRun.of("users", "-c", c(), "list");
    assertThat(list.out()).contains("ada").contains("grace").contains("ada@example.com");
    CliRun page = CliRun.of("users", "-c", c(), "list", "--limit", "1");
    assertThat(page.out()).contains("more: --after ");
    CliRun show = CliRun.of("users", "-c", c(), "show", "ada");
    assertThat(show.out()).contains("login:         ada").contains("password:      set");
    assertThat(CliRun.of("users", "-c", c(), "sessions", "ada").out()).contains("no live sessions");
    assertThat(CliRun.of("users", "-c", c(), "disable", "ada").out())
        .contains("disabled ")
        .contains("0 session(s) revoked");
    assertThat(CliRun.of("users", "-c", c(), "show", "ada").out())
        .contains("status:        disabled");
    assertThat(CliRun.of("users", "-c", c(), "enable", "ada").status()).isZero();
    assertThat(CliRun.of("users", "-c", c(), "revoke", "ada", "--all").out())
        .contains("revoked 0 session(s)");
    assertThat(CliRun.of("users", "-c", c(), "remove-second-factor", "ada").out())
        .contains("no second factor was enrolled");

    CliRun unconfirmed = CliRun.of("users", "-c", c(), "delete", "grace");
    assertThat(unconfirmed.status()).isEqualTo(1);
    assertThat(unconfirmed.err()).contains("add --yes");
    assertThat(CliRun.of("users", "-c", c(), "delete", "grace", "--yes").out())
        .contains("deleted ");
    CliRun gone = CliRun.of("users", "-c", c(), "show", "grace");
    assertThat(gone.status()).isEqualTo(1);
    assertThat(gone.err().strip())
        .isEqualTo("bulwark users: refused (404): no such account")
        .doesNotContain("\n");
  }

  @Test
  void organisationsAndRoles() throws Exception {
    assertThat(
            withStdin(
                    "tangerine-Orbit-walrus-1987-quiet\n",
                    "users",
                    "-c",
                    c(),
                    "create",
                    "hopper",
                    "--password-stdin")
                .status())
        .isZero();
    CliRun made = CliRun.of("orgs", "-c", c(), "create", "navy", "--name", "US Navy");
    assertThat(made.status()).as(made.err()).isZero();
    assertThat(made.out()).startsWith("created navy (id ");
    assertThat(CliRun.of("orgs", "-c", c(), "list").out()).contains("navy").contains("US Navy");
    assertThat(CliRun.of("orgs", "-c", c(), "show", "navy").out()).contains("name:    US Navy");
    CliRun added = CliRun.of("orgs", "-c", c(), "add-member", "navy", "hopper", "--role", "admin");
    assertThat(added.status()).as(added.err()).isZero();
    assertThat(added.out()).contains("is admin in navy");
    assertThat(CliRun.of("orgs", "-c", c(), "members", "navy").out()).contains("admin");
    assertThat(CliRun.of("users", "-c", c(), "show", "hopper").out()).contains("as admin");
    assertThat(CliRun.of("orgs", "-c", c(), "remove-member", "navy", "hopper").out())
        .contains("no longer a member");
    assertThat(CliRun.of("orgs", "-c", c(), "members", "navy").out()).contains("no members");
    CliRun dup = CliRun.of("orgs", "-c", c(), "create", "navy");
    assertThat(dup.status()).isEqualTo(1);
    assertThat(dup.err().strip()).isEqualTo("bulwark orgs: refused (409): slug: taken");
    assertThat(CliRun.of("orgs", "-c", c(), "delete", "navy", "--yes").out()).contains("deleted ");
    gw.awaitLine("\"event\":\"role-granted\"");
    gw.awaitLine("\"event\":\"role-revoked\"");
  }

  @Test
  void eachErrorIsOneLineSayingWhatToDo() {
    CliRun weak =
        withStdin("password\n", "users", "-c", c(), "create", "weakling", "--password-stdin");
    assertThat(weak.status()).isEqualTo(1);
    assertThat(weak.err()).startsWith("bulwark users: refused (400): password: ");
    assertThat(weak.err().strip()).doesNotContain("\n");

    CliRun empty = withStdin("", "users", "-c", c(), "create", "nobody", "--password-stdin");
    assertThat(empty.err().strip())
        .isEqualTo("bulwark users: --password-stdin: standard input is empty");

    CliRun noTerminal = CliRun.of("users", "-c", c(), "create", "nobody");
    assertThat(noTerminal.status()).isEqualTo(1);
    assertThat(noTerminal.err()).contains("--password-stdin").contains("users invite");

    String admin = "http://127.0.0.1:" + gw.gateway().adminPort();
    CliRun noToken = CliRun.of("users", "--admin", admin, "list");
    assertThat(noToken.status()).isEqualTo(1);
    assertThat(noToken.err().strip())
        .startsWith("bulwark users: refused (401): unauthorized")
        .contains("set BULWARK_ADMIN_TOKEN, or give -c");

    CliRun down = CliRun.of("orgs", "--admin", "http://127.0.0.1:1", "list");
    assertThat(down.status()).isEqualTo(1);
    assertThat(down.err().strip())
        .startsWith("bulwark orgs: cannot reach the admin listener at http://127.0.0.1:1")
        .contains("is the gateway running");

    CliRun bad = CliRun.of("users", "-c", c(), "invite", "a\u202eb");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err().strip()).startsWith("bulwark users: refused (400): login: ");

    CliRun both = CliRun.of("users", "-c", c(), "revoke", "ada", "sid", "--all");
    assertThat(both.err()).contains("give a SESSION id");

    CliRun missingRole = CliRun.of("orgs", "-c", c(), "add-member", "navy", "hopper");
    assertThat(missingRole.status()).isEqualTo(2);
    assertThat(missingRole.err()).contains("--role");
  }
}
