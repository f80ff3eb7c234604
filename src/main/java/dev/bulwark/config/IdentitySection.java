package dev.bulwark.config;

import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordSettings;
import dev.bulwark.identity.password.PwnedRangeSettings;
import dev.bulwark.identity.totp.TotpSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the top-level {@code identity} section (passwords, TOTP, the login throttle, mail, reset)
 * into {@link IdentitySettings}, every mistake reported with its path; settings weaker than the
 * defaults are accepted with a warning.
 */
public final class IdentitySection implements ConfigSection<IdentitySettings> {
  /** The section's key. */
  public static final String KEY = "identity";

  /** The one instance. */
  public static final IdentitySection INSTANCE = new IdentitySection();

  static final Set<String> KEYS =
      Set.of("passwords", "totp", "login-throttle", "tokens", "mail", "reset");
  static final Set<String> PASSWORD_KEYS =
      Set.of("argon2", "min-length", "max-length", "min-score", "breached-file", "pwned-range");
  static final Set<String> ARGON2_KEYS = Set.of("memory", "iterations", "parallelism");
  static final Set<String> RANGE_KEYS = Set.of("url", "timeout", "on-failure");
  static final Set<String> TOTP_KEYS = Set.of("issuer", "skew-steps");
  static final Set<String> THROTTLE_KEYS =
      Set.of(
          "window",
          "free-failures",
          "mfa-free-failures",
          "address-free-failures",
          "base-delay",
          "max-delay",
          "hold-limit",
          "names-per-address",
          "addresses-per-name",
          "max-tracked");

  /** The largest breached-password file read (a list of 50 million SHA-1 lines is about 2 GiB). */
  static final long MAX_BREACHED_FILE_BYTES = 4L * 1024 * 1024 * 1024;

  private IdentitySection() {}

  @Override
  public Place place() {
    return Place.TOP;
  }

  @Override
  public List<String> keys() {
    return List.of(KEY);
  }

  @Override
  public Class<IdentitySettings> type() {
    return IdentitySettings.class;
  }

  @Override
  public IdentitySettings absent() {
    return IdentitySettings.DEFAULTS;
  }

  @Override
  public IdentitySettings read(ConfigNode holder, IdentitySettings inherited, ReadContext context) {
    ConfigNode n = holder.get(KEY);
    if (!n.present() || !n.expectMapping(KEYS)) {
      return IdentitySettings.DEFAULTS;
    }
    return new IdentitySettings(
        passwords(n.get("passwords"), context.baseDir()),
        totp(n.get("totp")),
        throttle(n.get("login-throttle")),
        MailSection.read(n.get("mail"), context.baseDir()),
        MailSection.reset(n.get("reset")));
  }

  /** The endpoint kind that mails reset links, which needs {@code identity.mail}. */
  static final String RESET_ENDPOINT = "password-reset";

  @Override
  public void checkRoutes(
      ConfigNode top, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    boolean mail = top.get(KEY).get("mail").present();
    for (int i = 0; i < routes.size(); i++) {
      if (!mail && clean.get(i) && RESET_ENDPOINT.equals(routes.get(i).serve())) {
        nodes
            .get(i)
            .get("serve")
            .error(
                RESET_ENDPOINT
                    + " without identity.mail (expected: identity.mail with the SMTP server and"
                    + " link-base the reset links are mailed with)");
      }
    }
  }

  static PasswordSettings passwords(ConfigNode n, Path baseDir) {
    PasswordSettings d = PasswordSettings.DEFAULTS;
    if (!n.present() || !n.expectMapping(PASSWORD_KEYS)) {
      return d;
    }
    Argon2Cost cost = argon2(n.get("argon2"));
    ConfigNode minNode = n.get("min-length");
    int min = minNode.integer(d.minLength(), PasswordSettings.MIN_LENGTH_FLOOR, 256);
    if (min < d.minLength()) {
      minNode.warning(
          min + " characters is below the default " + d.minLength() + " (OWASP, NIST 800-63B)");
    }
    ConfigNode maxNode = n.get("max-length");
    int max = maxNode.integer(d.maxLength(), PasswordSettings.MAX_LENGTH_FLOOR, 1024);
    if (max < min) {
      maxNode.invalid("at least min-length (" + min + ")");
      max = Math.max(min, d.maxLength());
    }
    ConfigNode scoreNode = n.get("min-score");
    int score = scoreNode.integer(d.minScore(), 0, 4);
    if (score < d.minScore()) {
      scoreNode.warning(
          "zxcvbn score " + score + " lets common and easily guessed passwords through");
    }
    Path breached = null;
    ConfigNode fileNode = n.get("breached-file");
    String file = fileNode.string("a file of breached passwords, one a line");
    if (file != null) {
      Path p = baseDir.resolve(file).normalize();
      String problem = ReadableFile.problem(p, MAX_BREACHED_FILE_BYTES);
      if (problem != null) {
        fileNode.error(p + ": " + problem);
      } else {
        breached = p;
      }
    }
    PwnedRangeSettings range = range(n.get("pwned-range"));
    return new PasswordSettings(cost, min, max, score, breached, range);
  }

  static Argon2Cost argon2(ConfigNode n) {
    Argon2Cost d = Argon2Cost.OWASP;
    if (!n.present() || !n.expectMapping(ARGON2_KEYS)) {
      return d;
    }
    long memory =
        n.get("memory").size((long) d.memoryKib() * 1024, 1024L * 1024, 1024L * 1024 * 1024);
    int iterations = n.get("iterations").integer(d.iterations(), 1, Argon2Cost.MAX_ITERATIONS);
    int parallelism = n.get("parallelism").integer(d.parallelism(), 1, Argon2Cost.MAX_PARALLELISM);
    Argon2Cost cost = new Argon2Cost((int) (memory / 1024), iterations, parallelism);
    if (!cost.atLeastOwasp()) {
      n.warning(
          "m="
              + cost.memoryKib()
              + " KiB, t="
              + iterations
              + " is below OWASP's table (at least 7 MiB, and memory in MiB times iterations at"
              + " least 35, such as 19MiB with 2 iterations)");
    }
    return cost;
  }

  static PwnedRangeSettings range(ConfigNode n) {
    PwnedRangeSettings d = PwnedRangeSettings.OFF;
    if (!n.present() || !n.expectMapping(RANGE_KEYS)) {
      return d;
    }
    Duration timeout =
        n.get("timeout").duration(d.timeout(), Duration.ofMillis(100), Duration.ofSeconds(30));
    String failure = n.get("on-failure").choice(List.of("allow", "refuse"), "allow");
    ConfigNode urlNode = n.get("url");
    String text = urlNode.requiredString("the base URL of a Pwned-Passwords-compatible range API");
    URI url = text == null ? null : url(urlNode, text);
    return new PwnedRangeSettings(
        url, timeout, PwnedRangeSettings.OnFailure.valueOf(failure.toUpperCase(Locale.ROOT)));
  }

  private static @Nullable URI url(ConfigNode node, String text) {
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      node.invalid("an absolute https URL");
      return null;
    }
    String host = u.getHost();
    if (!u.isAbsolute() || host == null || u.getRawQuery() != null || u.getRawFragment() != null) {
      node.invalid("an absolute https URL without query or fragment");
      return null;
    }
    if ("http".equals(u.getScheme()) && !loopback(host)) {
      node.invalid("https (plain http only to a loopback address)");
      return null;
    }
    if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
      node.invalid("an https URL");
      return null;
    }
    return u;
  }

  static boolean loopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false; // a name: never resolved while reading the configuration
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static TotpSettings totp(ConfigNode n) {
    TotpSettings d = TotpSettings.DEFAULTS;
    if (!n.present() || !n.expectMapping(TOTP_KEYS)) {
      return d;
    }
    ConfigNode issuerNode = n.get("issuer");
    String issuer = issuerNode.string("a name such as Example Inc", d.issuer());
    if (issuer.isBlank() || issuer.length() > 64 || issuer.indexOf(':') >= 0) {
      issuerNode.invalid("1 to 64 characters without a colon");
      issuer = d.issuer();
    }
    int skew = n.get("skew-steps").integer(d.skewSteps(), 0, TotpSettings.MAX_SKEW_STEPS);
    return new TotpSettings(issuer, skew);
  }

  static ThrottleSettings throttle(ConfigNode n) {
    ThrottleSettings d = ThrottleSettings.DEFAULTS;
    if (!n.present() || !n.expectMapping(THROTTLE_KEYS)) {
      return d;
    }
    Duration window =
        n.get("window").duration(d.window(), Duration.ofMinutes(1), Duration.ofHours(24));
    int free = n.get("free-failures").integer(d.freeFailures(), 1, 100);
    int mfaFree = n.get("mfa-free-failures").integer(d.mfaFreeFailures(), 1, 20);
    int addressFree = n.get("address-free-failures").integer(d.addressFreeFailures(), 1, 100_000);
    Duration base =
        n.get("base-delay").duration(d.baseDelay(), Duration.ofMillis(100), Duration.ofMinutes(1));
    ConfigNode maxNode = n.get("max-delay");
    Duration max = maxNode.duration(d.maxDelay(), Duration.ofSeconds(1), Duration.ofHours(24));
    if (max.compareTo(base) < 0) {
      maxNode.invalid("at least base-delay (" + Units.formatDuration(base) + ")");
      max = base;
    }
    Duration hold =
        n.get("hold-limit").duration(d.holdLimit(), Duration.ZERO, Duration.ofSeconds(10));
    int names = n.get("names-per-address").integer(d.namesPerAddress(), 2, 100_000);
    int addresses = n.get("addresses-per-name").integer(d.addressesPerName(), 2, 100_000);
    int tracked = n.get("max-tracked").integer(d.maxTracked(), 1000, 10_000_000);
    return new ThrottleSettings(
        window, free, mfaFree, addressFree, base, max, hold, names, addresses, tracked);
  }
}
