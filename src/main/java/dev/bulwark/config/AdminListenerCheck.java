package dev.bulwark.config;

/**
 * Judges the admin listener's address together with its credential: reachable from other hosts
 * without {@code admin.token} is an error (anyone there could lift bans and read metrics); on
 * loopback without a token it keeps working, so that a default cannot lock the operator out, and is
 * linted.
 */
final class AdminListenerCheck {
  private static final String SET_TOKEN =
      "set admin.token to a secret reference such as ${env:BULWARK_ADMIN_TOKEN}";

  private AdminListenerCheck() {}

  /** Reports the errors and warnings that need the file's listeners and its admin section. */
  static void check(ListenConfig listen, AdminConfig admin, ConfigNode top) {
    HostPort address = listen.admin();
    if (address == null || address.isLoopback()) {
      return;
    }
    ConfigNode at = top.get("listen").get("admin");
    if (!admin.tokenRequired()) {
      if (!top.get("admin").get("token").present()) { // a bad token is reported where it is
        at.error(
            address
                + ": admin listener reachable from other hosts without a credential (expected: a"
                + " loopback address such as 127.0.0.1:"
                + address.port()
                + ", or "
                + SET_TOKEN
                + ")");
      }
      return;
    }
    if (admin.tls().enabled()) {
      return;
    }
    at.warning(
        address
            + ": the admin listener speaks plain HTTP, so its token crosses the network in clear"
            + " (set admin.tls: same, keep it on a management network, or on 127.0.0.1 behind an"
            + " SSH tunnel)");
  }

  /**
   * Lints a loopback admin listener without a token, a dashboard signed in to with the token alone
   * on a gateway that has accounts, and a ring of recent decisions kept with no admin listener to
   * read it (a valid file only).
   */
  static void lint(BulwarkConfig config, Problems problems) {
    HostPort address = config.listen().admin();
    if (address == null && config.server().explainRecent() > 0) {
      problems.warning(
          "server.explain-recent",
          config.server().explainRecent()
              + ": recent decisions are kept but listen.admin is off, so nobody can read them"
              + " (set listen.admin, or remove server.explain-recent)");
    }
    if (address != null
        && config.admin().tokenRequired()
        && config.tokens().enabled()
        && config.admin().dashboardOrganisation() == null) {
      problems.warning(
          "admin.dashboard",
          "not set: the dashboard signs in with the admin token alone, although this gateway has"
              + " accounts (set admin.dashboard.organisation to the operators' organisation, so"
              + " that its admins sign in with password and second factor)");
    }
    if (address == null || config.admin().tokenRequired()) {
      return;
    }
    problems.warning(
        "admin.token",
        "not set: any process on this host (or a backend tricked into a request) can read metrics"
            + " and change bans through the admin listener at "
            + address
            + " ("
            + SET_TOKEN
            + ")");
  }
}
