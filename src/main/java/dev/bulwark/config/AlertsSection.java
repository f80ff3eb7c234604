package dev.bulwark.config;

import dev.bulwark.audit.alert.AlertRule;
import dev.bulwark.audit.alert.AlertSettings;
import dev.bulwark.audit.alert.RuleSettings;
import dev.bulwark.audit.alert.Severity;
import dev.bulwark.audit.alert.WebhookSettings;
import dev.bulwark.audit.alert.WorkingHours;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code audit.alerts}: the alert rules (each on by default with its own threshold and
 * window, each can be turned {@code off}), the bound on keys counted, and the webhooks with their
 * delivery bounds. A webhook must be {@code https}, or {@code http} on a loopback address; its
 * secret must be a reference, never written in the file.
 */
final class AlertsSection {
  static final Set<String> KEYS =
      Set.of(
          "enabled",
          "rules",
          "max-keys",
          "gateway-id",
          "webhooks",
          "queue",
          "max-attempts",
          "backoff",
          "max-backoff");

  private static final Set<String> RULE_KEYS =
      Set.of("enabled", "threshold", "window", "cool-down", "severity");
  private static final Set<String> WEBHOOK_KEYS = Set.of("url", "secret", "timeout", "headers");
  private static final int MAX_WEBHOOKS = 10;
  private static final int MAX_HEADERS = 20;
  private static final Pattern HOURS = Pattern.compile("(\\d\\d):(\\d\\d)-(\\d\\d):(\\d\\d)");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

  /** Headers the sender sets itself, or that the HTTP client does not let a caller set. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "content-type",
          "content-length",
          "host",
          "connection",
          "expect",
          "upgrade",
          "user-agent",
          "transfer-encoding",
          "te",
          "trailer",
          "keep-alive",
          "proxy-connection",
          "bulwark-signature",
          "bulwark-alert-id");

  private AlertsSection() {}

  static AlertSettings read(ConfigNode n) {
    if (n.isOff()) {
      return off();
    }
    if (!n.present() || !n.expectMapping(KEYS)) {
      return AlertSettings.DEFAULTS;
    }
    AlertSettings d = AlertSettings.DEFAULTS;
    boolean enabled = n.get("enabled").bool(true);
    int maxKeys = n.get("max-keys").integer(d.maxKeys(), 100, 1_000_000);
    String gatewayId = n.get("gateway-id").string("a name for this gateway in alerts", "");
    Map<AlertRule, RuleSettings> rules = new EnumMap<>(AlertRule.class);
    Set<String> adminRoles = new LinkedHashSet<>(d.adminRoles());
    WorkingHours[] hours = {d.workingHours()};
    ConfigNode rulesNode = n.get("rules");
    Map<String, ConfigNode> given = rulesNode.entries();
    for (Map.Entry<String, ConfigNode> e : given.entrySet()) {
      if (AlertRule.named(e.getKey()) == null) {
        e.getValue().error("unknown rule (expected one of: " + ruleNames() + ")");
      }
    }
    for (AlertRule r : AlertRule.values()) {
      ConfigNode rn = rulesNode.get(r.configName());
      rules.put(r, readRule(r, rn, adminRoles, hours));
    }
    AlertSettings.Delivery dd = d.delivery();
    int queue = n.get("queue").integer(dd.queue(), 1, 100_000);
    int attempts = n.get("max-attempts").integer(dd.maxAttempts(), 1, 20);
    ConfigNode backoffNode = n.get("backoff");
    Duration backoff =
        backoffNode.duration(dd.backoff(), Duration.ofMillis(100), Duration.ofHours(1));
    ConfigNode maxBackoffNode = n.get("max-backoff");
    Duration maxBackoff =
        maxBackoffNode.duration(
            backoff.compareTo(dd.maxBackoff()) > 0 ? backoff : dd.maxBackoff(),
            Duration.ofMillis(100),
            Duration.ofHours(24));
    if (maxBackoff.compareTo(backoff) < 0) {
      maxBackoffNode.error(
          Units.formatDuration(maxBackoff)
              + " (expected: at least backoff, "
              + Units.formatDuration(backoff)
              + ")");
      maxBackoff = backoff;
    }
    List<WebhookSettings> webhooks = new ArrayList<>();
    ConfigNode hooksNode = n.get("webhooks");
    List<ConfigNode> hooks = hooksNode.elements();
    if (hooks.size() > MAX_WEBHOOKS) {
      hooksNode.error(hooks.size() + " webhooks (expected: at most " + MAX_WEBHOOKS + ")");
    } else {
      for (ConfigNode h : hooks) {
        WebhookSettings w = readWebhook(h);
        if (w != null) {
          webhooks.add(w);
        }
      }
    }
    return new AlertSettings(
        enabled,
        rules,
        adminRoles,
        hours[0],
        maxKeys,
        gatewayId,
        webhooks,
        new AlertSettings.Delivery(queue, attempts, backoff, maxBackoff));
  }

  private static AlertSettings off() {
    AlertSettings d = AlertSettings.DEFAULTS;
    return new AlertSettings(
        false,
        d.rules(),
        d.adminRoles(),
        d.workingHours(),
        d.maxKeys(),
        d.gatewayId(),
        List.of(),
        d.delivery());
  }

  private static String ruleNames() {
    List<String> names = new ArrayList<>();
    for (AlertRule r : AlertRule.values()) {
      names.add(r.configName());
    }
    return String.join(", ", names);
  }

  private static RuleSettings readRule(
      AlertRule rule, ConfigNode n, Set<String> adminRoles, WorkingHours[] hours) {
    RuleSettings d = rule.defaults();
    if (n.isOff()) {
      return new RuleSettings(false, d.threshold(), d.window(), d.coolDown(), d.severity());
    }
    Set<String> keys = new LinkedHashSet<>(RULE_KEYS);
    if (rule == AlertRule.NEW_ADMIN) {
      keys.add("roles");
    } else if (rule == AlertRule.ROLE_GRANTED_OUTSIDE_HOURS) {
      keys.addAll(List.of("hours", "days", "zone"));
    }
    if (!n.present() || !n.expectMapping(keys)) {
      return d;
    }
    boolean enabled = n.get("enabled").bool(true);
    int threshold = n.get("threshold").integer(d.threshold(), 1, RuleSettings.MAX_THRESHOLD);
    Duration window =
        n.get("window").duration(d.window(), Duration.ofSeconds(1), Duration.ofDays(1));
    Duration coolDown = n.get("cool-down").duration(window, Duration.ZERO, Duration.ofDays(1));
    String sev =
        n.get("severity").choice(List.of("info", "warning", "critical"), d.severity().wireName());
    Severity severity = Severity.valueOf(sev.toUpperCase(Locale.ROOT));
    if (rule == AlertRule.NEW_ADMIN && n.get("roles").present()) {
      List<String> roles = n.get("roles").strings("a role name such as admin");
      if (roles.isEmpty()) {
        n.get("roles").error("empty (expected: at least one role; turn the rule off instead)");
      } else {
        adminRoles.clear();
        adminRoles.addAll(roles);
      }
    }
    if (rule == AlertRule.ROLE_GRANTED_OUTSIDE_HOURS) {
      hours[0] = readHours(n, hours[0]);
    }
    return new RuleSettings(enabled, threshold, window, coolDown, severity);
  }

  private static WorkingHours readHours(ConfigNode n, WorkingHours d) {
    LocalTime start = d.start();
    LocalTime end = d.end();
    ConfigNode hoursNode = n.get("hours");
    String text = hoursNode.string("hours such as 08:00-18:00");
    if (text != null) {
      Matcher m = HOURS.matcher(text);
      LocalTime s = null;
      LocalTime e = null;
      if (m.matches()) {
        s = time(m.group(1), m.group(2));
        e = time(m.group(3), m.group(4));
      }
      if (s == null || e == null || s.equals(e)) {
        hoursNode.invalid("hours such as 08:00-18:00 (24-hour clock, start and end different)");
      } else {
        start = s;
        end = e;
      }
    }
    Set<DayOfWeek> days = d.days();
    ConfigNode daysNode = n.get("days");
    if (daysNode.present()) {
      Set<DayOfWeek> read = EnumSet.noneOf(DayOfWeek.class);
      for (ConfigNode dn : daysNode.elements()) {
        String day = dn.requiredString("a day such as mon");
        DayOfWeek w = day == null ? null : day(day);
        if (day != null && w == null) {
          dn.invalid("a day: mon, tue, wed, thu, fri, sat or sun");
        } else if (w != null) {
          read.add(w);
        }
      }
      days = read;
    }
    ZoneId zone = d.zone();
    ConfigNode zoneNode = n.get("zone");
    String z = zoneNode.string("a time zone such as Europe/Berlin or UTC");
    if (z != null) {
      try {
        zone = ZoneId.of(z);
      } catch (DateTimeException ex) {
        zoneNode.invalid("a time zone such as Europe/Berlin or UTC");
      }
    }
    return new WorkingHours(start, end, days, zone);
  }

  private static @Nullable LocalTime time(String h, String m) {
    int hh = Integer.parseInt(h);
    int mm = Integer.parseInt(m);
    if (hh > 23 || mm > 59) {
      return null;
    }
    return LocalTime.of(hh, mm);
  }

  private static @Nullable DayOfWeek day(String s) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().substring(0, 3).equalsIgnoreCase(s)) {
        return d;
      }
    }
    return null;
  }

  private static @Nullable WebhookSettings readWebhook(ConfigNode h) {
    if (!h.present() || !h.expectMapping(WEBHOOK_KEYS)) {
      if (!h.present()) {
        h.invalid("a webhook: { url, secret }");
      }
      return null;
    }
    int before = h.problems().errorCount();
    URI url = readUrl(h.get("url"));
    ConfigNode secretNode = h.get("secret");
    String raw = secretNode.rawText();
    String secret = null;
    if (!secretNode.present()) {
      secretNode.error(
          "missing (expected: a reference to the shared signing secret, such as"
              + " ${env:ALERT_WEBHOOK_SECRET})");
    } else if (raw != null && !raw.contains("${")) {
      secretNode.error(
          "literal secret (expected: a secret reference such as ${env:ALERT_WEBHOOK_SECRET} or"
              + " ${file:/run/secrets/alert-webhook})");
    } else {
      secret = secretNode.string("a reference to the shared signing secret");
      if (secret != null
          && secret.getBytes(StandardCharsets.UTF_8).length < WebhookSettings.MIN_SECRET_BYTES) {
        secretNode.error(
            "the secret it names is "
                + secret.getBytes(StandardCharsets.UTF_8).length
                + " bytes (expected: at least "
                + WebhookSettings.MIN_SECRET_BYTES
                + "; 32 random bytes are best)");
        secret = null;
      }
    }
    Duration timeout =
        h.get("timeout")
            .duration(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1));
    Map<String, String> headers = readHeaders(h.get("headers"));
    if (url == null || secret == null || h.problems().errorCount() != before) {
      return null;
    }
    return WebhookSettings.of(url, secret, timeout, headers);
  }

  private static @Nullable URI readUrl(ConfigNode n) {
    String text = n.requiredString("the webhook's https URL");
    if (text == null) {
      return null;
    }
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      n.invalid("an https URL such as https://alerts.example.com/bulwark");
      return null;
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost();
    if (!(scheme.equals("https") || scheme.equals("http")) || host == null) {
      n.invalid("an https URL such as https://alerts.example.com/bulwark");
      return null;
    }
    if (u.getRawUserInfo() != null) {
      n.error(
          "carries credentials (expected: none in the URL; send them in headers with a"
              + " ${env:..} reference)");
      return null;
    }
    if (u.getRawFragment() != null) {
      n.invalid("a URL without a #fragment");
      return null;
    }
    if (scheme.equals("http") && !isLoopback(host)) {
      n.error(
          "plain http to "
              + host
              + " (expected: https, so the alert and its signature cannot be read or held back on"
              + " the way; http is accepted only on 127.0.0.1, ::1 or localhost)");
      return null;
    }
    return u;
  }

  private static boolean isLoopback(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return new HostPort(h, 1).isLoopback();
  }

  private static Map<String, String> readHeaders(ConfigNode n) {
    Map<String, String> out = new TreeMap<>();
    Map<String, ConfigNode> entries = n.entries();
    if (entries.size() > MAX_HEADERS) {
      n.error(entries.size() + " headers (expected: at most " + MAX_HEADERS + ")");
      return out;
    }
    for (Map.Entry<String, ConfigNode> e : entries.entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      ConfigNode v = e.getValue();
      if (!TOKEN.matcher(name).matches()) {
        v.error("not a header name (expected: letters, digits and - only)");
        continue;
      }
      if (RESERVED_HEADERS.contains(name)) {
        v.error("set by the gateway itself (expected: another header)");
        continue;
      }
      String value = v.requiredString("a header value");
      if (value == null) {
        continue;
      }
      if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
        v.error("contains a control or non-ASCII character (expected: printable ASCII)");
        continue;
      }
      out.put(name, value);
    }
    return out;
  }
}
