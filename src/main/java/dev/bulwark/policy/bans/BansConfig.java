package dev.bulwark.policy.bans;

import dev.bulwark.config.BanCapacity;
import dev.bulwark.config.ClientAddressKeyed;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.StartupNote;
import dev.bulwark.exchange.CidrSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Automatic banning: rules such as "20 answers with status 401 or 403 to one client within 5
 * minutes ban it for 15 minutes, doubling on each repeat up to 24 hours". A banned client is
 * refused before any other work, with 403 JSON ({@code action: deny}) or by closing the connection
 * ({@code drop}). Addresses in {@code exempt} (loopback unless the list is given), and trusted
 * proxies, are never banned by a rule.
 */
public record BansConfig(boolean drop, List<String> exempt, List<Rule> rules, int maxBans)
    implements StartupNote, ClientAddressKeyed, BanCapacity {
  /**
   * Exempt when {@code exempt} is not given: the developer's own curl and a reverse proxy on the
   * same host (whose clients all arrive as loopback until {@code trusted-proxies} names it) must
   * not lock everyone out.
   */
  public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1");

  /** The default: one rule against credential guessing and probing. */
  public static final BansConfig DEFAULTS =
      new BansConfig(
          false,
          LOOPBACK,
          List.of(
              new Rule(
                  "auth-failures",
                  Set.of(401, 403),
                  20,
                  Duration.ofMinutes(5),
                  Duration.ofMinutes(15),
                  Duration.ofHours(24))),
          100_000);

  static final Set<String> KEYS = Set.of("action", "exempt", "rules", "max-bans");
  static final Set<String> RULE_KEYS =
      Set.of("name", "status", "count", "window", "ban", "max-ban");

  public BansConfig {
    exempt = List.copyOf(exempt);
    rules = List.copyOf(rules);
  }

  /** One rule: {@code count} answers with one of {@code statuses} within {@code window}. */
  public record Rule(
      String name,
      Set<Integer> statuses,
      int count,
      Duration window,
      Duration ban,
      Duration maxBan) {
    public Rule {
      statuses = Set.copyOf(statuses);
    }

    /**
     * Returns what triggers the rule, in words: "20 answers with status 401 or 403 within 5
     * minutes".
     */
    public String trigger() {
      return count
          + (count == 1 ? " answer" : " answers")
          + " with status "
          + statusesInWords(statuses)
          + " within "
          + inWords(window);
    }

    /** How long a ban is remembered for doubling: twice the longest ban, at least a day. */
    public Duration repeatMemory() {
      Duration twice = maxBan.multipliedBy(2);
      return twice.compareTo(Duration.ofDays(1)) > 0 ? twice : Duration.ofDays(1);
    }
  }

  /**
   * Returns one line saying whether bans are on and what triggers them, for the start-up log:
   * "automatic bans on: auth-failures: 20 answers with status 401 or 403 within 5 minutes ban a
   * client for 15 minutes (doubling on repeats, up to 24 hours); never banned: 127.0.0.0/8, ::1 and
   * trusted proxies (bans.exempt)".
   */
  @Override
  public String startupNote() {
    if (rules.isEmpty()) {
      return "automatic bans off";
    }
    StringBuilder sb = new StringBuilder("automatic bans on");
    sb.append(drop ? " (connections of banned clients are closed)" : "").append(": ");
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      sb.append(i == 0 ? "" : "; ")
          .append(r.name())
          .append(": ")
          .append(r.trigger())
          .append(" ban a client for ")
          .append(inWords(r.ban()));
      if (r.maxBan().compareTo(r.ban()) > 0) {
        sb.append(" (doubling on repeats, up to ").append(inWords(r.maxBan())).append(')');
      }
    }
    sb.append("; never banned: ");
    if (!exempt.isEmpty()) {
      sb.append(String.join(", ", exempt)).append(" and ");
    }
    return sb.append("trusted proxies (bans.exempt)").toString();
  }

  /** Bans are per client address whenever there is a rule. */
  @Override
  public boolean keyedByClientAddress() {
    return !rules.isEmpty();
  }

  @Override
  public String keyedFeature() {
    return "automatic bans";
  }

  /** Returns a duration in words: "5 minutes", "1 hour", "90 seconds". */
  static String inWords(Duration d) {
    long s = d.getSeconds();
    if (s >= 86_400 && s % 86_400 == 0) {
      return plural(s / 86_400, "day");
    }
    if (s >= 3600 && s % 3600 == 0) {
      return plural(s / 3600, "hour");
    }
    if (s >= 60 && s % 60 == 0) {
      return plural(s / 60, "minute");
    }
    return plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  /** Returns statuses in words, in order: "401 or 403", "401, 403 or 429". */
  static String statusesInWords(Set<Integer> statuses) {
    List<String> sorted = new java.util.TreeSet<>(statuses).stream().map(String::valueOf).toList();
    if (sorted.size() == 1) {
      return sorted.get(0);
    }
    return String.join(", ", sorted.subList(0, sorted.size() - 1))
        + " or "
        + sorted.get(sorted.size() - 1);
  }

  /** Reads {@code bans} ({@code off} for none); absent means the defaults. */
  public static BansConfig read(ConfigNode n) {
    if (!n.present()) {
      return DEFAULTS;
    }
    if (n.isOff()) {
      n.warning("off: no client is ever banned automatically, however many 401/403 it collects");
      return new BansConfig(false, List.of(), List.of(), DEFAULTS.maxBans());
    }
    if (!n.expectMapping(KEYS)) {
      return DEFAULTS;
    }
    String action = n.get("action").string("deny or drop", "deny");
    if (!action.equals("deny") && !action.equals("drop")) {
      n.get("action").invalid("deny (403 JSON) or drop (close the connection)");
    }
    // A given list replaces the loopback default, so [] makes loopback bannable too.
    List<String> exempt = n.get("exempt").present() ? new ArrayList<>() : LOOPBACK;
    for (ConfigNode e : n.get("exempt").elements()) {
      String s = e.requiredString("an address or CIDR such as 10.0.0.0/8");
      if (s != null && CidrSet.isValid(s)) {
        exempt.add(s);
      } else if (s != null) {
        e.invalid("an address or CIDR such as 10.0.0.0/8, without host bits set");
      }
    }
    List<Rule> rules = DEFAULTS.rules();
    ConfigNode rulesNode = n.get("rules");
    if (rulesNode.present()) {
      rules = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (ConfigNode r : rulesNode.elements()) {
        Rule rule = readRule(r);
        if (rule != null && !names.add(rule.name())) {
          r.get("name").invalid("a name not used by another rule");
        } else if (rule != null) {
          rules.add(rule);
        }
      }
    }
    int maxBans = n.get("max-bans").integer(DEFAULTS.maxBans(), 1, 10_000_000);
    return new BansConfig(action.equals("drop"), exempt, rules, maxBans);
  }

  private static @org.jspecify.annotations.Nullable Rule readRule(ConfigNode n) {
    if (!n.expectMapping(RULE_KEYS)) {
      return null;
    }
    String name = n.get("name").requiredString("a rule name such as auth-failures");
    if (name != null && !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      n.get("name").invalid("lower-case letters, digits, '.', '_' and '-', at most 63");
      name = null;
    }
    Set<Integer> statuses = new HashSet<>();
    ConfigNode statusNode = n.get("status");
    if (!statusNode.present()) {
      statusNode.error("missing (expected: a list of statuses such as [401, 403])");
    }
    for (ConfigNode s : statusNode.elements()) {
      int code = s.integer(0, 100, 599);
      if (code > 0) {
        statuses.add(code);
      }
    }
    int count =
        required(n.get("count"), "how many answers trigger the ban, such as 20")
            ? n.get("count").integer(0, 1, 1_000_000)
            : 0;
    Duration window =
        required(n.get("window"), "a duration such as 5m")
            ? n.get("window").duration(Duration.ZERO, Duration.ofSeconds(1), Duration.ofDays(1))
            : Duration.ZERO;
    Duration ban =
        required(n.get("ban"), "how long the first ban lasts, such as 15m")
            ? n.get("ban").duration(Duration.ZERO, Duration.ofSeconds(1), Duration.ofDays(365))
            : Duration.ZERO;
    Duration maxBan = n.get("max-ban").duration(ban, Duration.ofSeconds(1), Duration.ofDays(365));
    if (!ban.isZero() && maxBan.compareTo(ban) < 0) {
      n.get("max-ban")
          .invalid("at least the ban (" + dev.bulwark.config.Units.formatDuration(ban) + ")");
    }
    if (name == null || statuses.isEmpty() || count == 0 || window.isZero() || ban.isZero()) {
      return null;
    }
    return new Rule(name, statuses, count, window, ban, maxBan);
  }

  private static boolean required(ConfigNode n, String expected) {
    if (!n.present()) {
      n.error("missing (expected: " + expected + ")");
      return false;
    }
    return true;
  }
}
