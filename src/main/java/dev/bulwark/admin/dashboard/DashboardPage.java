package dev.bulwark.admin.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.alert.Alert;
import dev.bulwark.config.Problem;
import dev.bulwark.store.Ban;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's pages as HTML text: every value from an event, a ban, an alert or the
 * configuration goes through {@link Html#escape}; no inline script or style, so the page works
 * under the dashboard's Content-Security-Policy.
 */
final class DashboardPage {
  /** Events shown in the live panel (and sent by the JSON endpoint). */
  static final int LIVE = 50;

  /** Rows of the denials and offenders panels. */
  static final int TOP = 15;

  /** Kinds that record a refused request or credential: the denials and offenders panels. */
  static final Set<SecurityEventKind> DENIALS =
      EnumSet.of(
          SecurityEventKind.TOKEN_INVALID,
          SecurityEventKind.TOKEN_EXPIRED,
          SecurityEventKind.ACCESS_DENIED,
          SecurityEventKind.REQUEST_REFUSED,
          SecurityEventKind.RESPONSE_BLOCKED,
          SecurityEventKind.ADMIN_AUTH_FAILED,
          SecurityEventKind.CERTIFICATE_REFUSED,
          SecurityEventKind.LOGIN_FAILED,
          SecurityEventKind.MFA_FAILED,
          SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED,
          SecurityEventKind.LOGIN_THROTTLED,
          SecurityEventKind.SIGNATURE_INVALID,
          SecurityEventKind.SIGNATURE_REPLAYED,
          SecurityEventKind.DIGEST_MISMATCH,
          SecurityEventKind.REFRESH_TOKEN_REUSED,
          SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> COMMON =
      Set.of("requestId", "client", "route", "status", "reason");

  private DashboardPage() {}

  /** One event as the live panel shows it; every field already {@link Html#visible}. */
  record Row(
      String time,
      String event,
      String client,
      String route,
      String status,
      String reason,
      String details,
      String requestId) {
    static Row of(SecurityEvent e) {
      Map<String, String> f = new LinkedHashMap<>();
      e.writeFields(
          new SecurityEvent.Fields() {
            @Override
            public void text(String name, String value) {
              f.put(name, value);
            }

            @Override
            public void number(String name, long value) {
              f.put(name, Long.toString(value));
            }
          });
      StringBuilder details = new StringBuilder();
      for (Map.Entry<String, String> d : f.entrySet()) {
        if (!COMMON.contains(d.getKey())) {
          details.append(details.length() == 0 ? "" : "; ").append(d.getKey()).append('=');
          details.append(d.getValue());
        }
      }
      SecurityEvent.Origin o = e.origin();
      if (o != null) {
        append(details, "from", o.address());
        append(details, "user-agent", o.userAgent());
        append(details, "path", o.path());
      }
      return new Row(
          DashboardPage.time(e.epochMillis()),
          e.kind().wireName(),
          Html.visible(e.client()),
          Html.visible(e.route()),
          e.status() == 0 ? "" : Integer.toString(e.status()),
          Html.visible(e.reason()),
          Html.visible(details.toString()),
          Html.visible(e.requestId()));
    }

    private static void append(StringBuilder sb, String name, @Nullable String value) {
      if (value != null) {
        sb.append(sb.length() == 0 ? "" : "; ").append(name).append('=').append(value);
      }
    }
  }

  /** Returns the live events as JSON ({@code {"events":[...]}}, newest first). */
  static String eventsJson(List<SecurityEvent> newestFirst) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("events");
    for (int i = 0; i < Math.min(LIVE, newestFirst.size()); i++) {
      Row r = Row.of(newestFirst.get(i));
      ObjectNode n = arr.addObject();
      n.put("time", r.time());
      n.put("event", r.event());
      n.put("client", r.client());
      n.put("route", r.route());
      n.put("status", r.status());
      n.put("reason", r.reason());
      n.put("details", r.details());
      n.put("requestId", r.requestId());
    }
    return out.toString();
  }

  /** Returns the dashboard page. */
  static String render(
      String csrf,
      @Nullable String flash,
      List<SecurityEvent> events,
      List<Alert> alerts,
      List<Ban> bans,
      MeterRegistry registry,
      String configSummary,
      List<Problem> lint,
      long nowMillis) {
    StringBuilder sb = head("Bulwark security dashboard");
    sb.append("<header><h1>Bulwark security dashboard</h1>");
    sb.append("<form method=\"post\" action=\"/dashboard/sign-out\" class=\"inline\">");
    csrf(sb, csrf);
    sb.append("<button type=\"submit\" id=\"sign-out\">Sign out</button></form></header>\n");
    if (flash != null) {
      sb.append("<p class=\"flash\" id=\"flash\">").append(Html.escape(flash)).append("</p>\n");
    }
    sb.append("<main>\n");
    liveEvents(sb, events);
    denials(sb, events, registry);
    offenders(sb, events, bans, csrf);
    activeBans(sb, bans, csrf, nowMillis);
    alerts(sb, alerts);
    rateLimits(sb, registry);
    config(sb, configSummary, lint);
    sb.append("</main>\n</body>\n</html>\n");
    return sb.toString();
  }

  private static void liveEvents(StringBuilder sb, List<SecurityEvent> events) {
    sb.append("<section id=\"events\"><h2>Live events</h2>");
    sb.append("<p class=\"note\">The last ").append(LIVE);
    sb.append(" security events, newest first; refreshed every few seconds.</p>");
    sb.append("<table><thead><tr><th>Time</th><th>Event</th><th>Client</th><th>Route</th>");
    sb.append("<th>Status</th><th>Reason</th><th>Details</th><th>Request</th></tr></thead>");
    sb.append("<tbody id=\"events-body\">");
    for (int i = 0; i < Math.min(LIVE, events.size()); i++) {
      Row r = Row.of(events.get(i));
      sb.append("<tr>");
      for (String cell :
          new String[] {
            r.time(),
            r.event(),
            r.client(),
            r.route(),
            r.status(),
            r.reason(),
            r.details(),
            r.requestId()
          }) {
        cell(sb, cell);
      }
      sb.append("</tr>");
    }
    sb.append("</tbody></table></section>\n");
  }

  private static void denials(StringBuilder sb, List<SecurityEvent> events, MeterRegistry reg) {
    Map<String, long[]> byReason = new LinkedHashMap<>();
    Map<String, String[]> labels = new HashMap<>();
    for (SecurityEvent e : events) {
      if (!DENIALS.contains(e.kind())) {
        continue;
      }
      String reason = e.reason() == null ? "" : e.reason();
      String key = e.kind().wireName() + '\u0000' + reason;
      long[] c = byReason.computeIfAbsent(key, k -> new long[2]);
      c[0] += 1 + e.suppressed();
      c[1] = Math.max(c[1], e.epochMillis());
      labels.putIfAbsent(key, new String[] {e.kind().wireName(), reason});
    }
    sb.append("<section id=\"denials\"><h2>Recent denials by reason</h2>");
    sb.append("<p class=\"note\">From the recent security events (repeats held back counted).</p>");
    sb.append("<table><thead><tr><th>Event</th><th>Reason</th><th>Count</th><th>Last</th>");
    sb.append("</tr></thead><tbody>");
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(byReason.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    for (int i = 0; i < Math.min(TOP, rows.size()); i++) {
      String[] l = labels.get(rows.get(i).getKey());
      long[] c = rows.get(i).getValue();
      sb.append("<tr>");
      cell(sb, l == null ? "" : l[0]);
      cell(sb, l == null ? "" : l[1]);
      cell(sb, Long.toString(c[0]));
      cell(sb, time(c[1]));
      sb.append("</tr>");
    }
    empty(sb, rows.isEmpty(), 4, "No denial among the recent events.");
    sb.append("</tbody></table>");
    // Most refusals (ip-filter, rate limits, CORS, contracts...) are counted, not written as
    // events.
    Map<String, Double> byPolicy = new TreeMap<>();
    for (Counter c : reg.find("bulwark_policy_decisions").counters()) {
      String key = c.getId().getTag("policy") + " " + c.getId().getTag("decision");
      byPolicy.merge(key, c.count(), Double::sum);
    }
    sb.append("<h3>Refusals by policy since start</h3><table id=\"by-policy\"><thead><tr>");
    sb.append("<th>Policy</th><th>Decision</th><th>Count</th></tr></thead><tbody>");
    for (Map.Entry<String, Double> e : byPolicy.entrySet()) {
      String[] pd = e.getKey().split(" ", 2);
      sb.append("<tr>");
      cell(sb, pd[0]);
      cell(sb, pd.length > 1 ? pd[1] : "");
      cell(sb, Long.toString(Math.round(e.getValue())));
      sb.append("</tr>");
    }
    empty(sb, byPolicy.isEmpty(), 3, "No request refused since start.");
    sb.append("</tbody></table></section>\n");
  }

  private static void offenders(
      StringBuilder sb, List<SecurityEvent> events, List<Ban> bans, String csrf) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, String> lastReason = new HashMap<>();
    for (SecurityEvent e : events) {
      if (!DENIALS.contains(e.kind())
          || e.client().equals(SecurityEvent.NO_REQUEST)
          || e.client().equals("unknown")) {
        continue;
      }
      counts.computeIfAbsent(e.client(), k -> new long[1])[0] += 1 + e.suppressed();
      lastReason.putIfAbsent(
          e.client(), e.kind().wireName() + (e.reason() == null ? "" : ": " + e.reason()));
    }
    Set<String> banned = new HashSet<>();
    for (Ban b : bans) {
      banned.add(b.address());
    }
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(counts.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    sb.append("<section id=\"offenders\"><h2>Top offending addresses</h2>");
    sb.append("<table><thead><tr><th>Address</th><th>Denials</th><th>Latest</th><th>Ban</th>");
    sb.append("</tr></thead><tbody>");
    for (int i = 0; i < Math.min(TOP, rows.size()); i++) {
      String address = rows.get(i).getKey();
      sb.append("<tr>");
      cell(sb, address);
      cell(sb, Long.toString(rows.get(i).getValue()[0]));
      cell(sb, lastReason.get(address));
      sb.append("<td>");
      String canonical = dev.bulwark.admin.OperatorBans.canonical(address);
      if (banned.contains(address)) {
        sb.append("banned");
      } else if (canonical != null) {
        banForm(sb, canonical, csrf);
      }
      sb.append("</td></tr>");
    }
    empty(sb, rows.isEmpty(), 4, "No address refused among the recent events.");
    sb.append("</tbody></table></section>\n");
  }

  private static void banForm(StringBuilder sb, String address, String csrf) {
    sb.append("<form method=\"post\" action=\"/dashboard/ban\" class=\"inline\">");
    csrf(sb, csrf);
    sb.append("<input type=\"hidden\" name=\"address\" value=\"")
        .append(Html.escape(address))
        .append("\">");
    durationSelect(sb);
    sb.append("<button type=\"submit\" class=\"ban\" data-address=\"")
        .append(Html.escape(address))
        .append("\">Ban</button></form>");
  }

  private static void durationSelect(StringBuilder sb) {
    sb.append("<select name=\"duration\" aria-label=\"duration\">");
    for (String d : Dashboard.DURATIONS) {
      sb.append("<option")
          .append(d.equals("1h") ? " selected" : "")
          .append('>')
          .append(d)
          .append("</option>");
    }
    sb.append("</select>");
  }

  private static void activeBans(StringBuilder sb, List<Ban> bans, String csrf, long now) {
    sb.append("<section id=\"bans\"><h2>Active bans</h2>");
    sb.append("<table><thead><tr><th>Address</th><th>Until</th><th>By</th><th>Reason</th>");
    sb.append("<th>Repeat</th><th></th></tr></thead><tbody id=\"bans-body\">");
    int shown = 0;
    for (Ban b : bans) {
      if (!b.activeAt(now)) {
        continue;
      }
      shown++;
      sb.append("<tr>");
      cell(sb, b.address());
      cell(sb, time(b.untilMillis()));
      cell(sb, b.by());
      cell(sb, b.reason());
      cell(sb, Integer.toString(b.repeat()));
      sb.append("<td><form method=\"post\" action=\"/dashboard/unban\" class=\"inline\">");
      csrf(sb, csrf);
      sb.append("<input type=\"hidden\" name=\"address\" value=\"")
          .append(Html.escape(b.address()))
          .append("\"><button type=\"submit\" class=\"unban\" data-address=\"")
          .append(Html.escape(b.address()))
          .append("\">Unban</button></form></td></tr>");
    }
    empty(sb, shown == 0, 6, "No active ban.");
    sb.append("</tbody></table>");
    sb.append("<form method=\"post\" action=\"/dashboard/ban\" id=\"ban-form\">");
    csrf(sb, csrf);
    sb.append("<label>Ban an address <input name=\"address\" required maxlength=\"64\"></label> ");
    durationSelect(sb);
    sb.append(" <button type=\"submit\">Ban</button></form></section>\n");
  }

  private static void alerts(StringBuilder sb, List<Alert> alerts) {
    sb.append("<section id=\"alerts\"><h2>Alerts</h2>");
    sb.append("<table><thead><tr><th>Time</th><th>Severity</th><th>Rule</th><th>Key</th>");
    sb.append("<th>Summary</th></tr></thead><tbody>");
    for (Alert a : alerts) {
      sb.append("<tr>");
      cell(sb, time(a.epochMillis()));
      cell(sb, a.severity().wireName());
      cell(sb, a.rule().configName());
      cell(sb, a.key());
      cell(sb, a.summary());
      sb.append("</tr>");
    }
    empty(sb, alerts.isEmpty(), 5, "No alert since start.");
    sb.append("</tbody></table></section>\n");
  }

  private static void rateLimits(StringBuilder sb, MeterRegistry registry) {
    Map<String, Double> perRoute = new TreeMap<>();
    for (Counter c : registry.find("bulwark_policy_decisions").counters()) {
      String policy = c.getId().getTag("policy");
      if ("rate-limit".equals(policy) || "subject-limit".equals(policy)) {
        String key = c.getId().getTag("route") + " " + policy + " " + c.getId().getTag("decision");
        perRoute.merge(key, c.count(), Double::sum);
      }
    }
    sb.append("<section id=\"rate-limits\"><h2>Rate-limit hits per route</h2>");
    sb.append("<table><thead><tr><th>Route</th><th>Limit</th><th>Decision</th><th>Count</th>");
    sb.append("</tr></thead><tbody>");
    for (Map.Entry<String, Double> e : perRoute.entrySet()) {
      String[] p = e.getKey().split(" ", 3);
      sb.append("<tr>");
      for (String s : p) {
        cell(sb, s);
      }
      cell(sb, Long.toString(Math.round(e.getValue())));
      sb.append("</tr>");
    }
    empty(sb, perRoute.isEmpty(), 4, "No request refused by a rate limit since start.");
    sb.append("</tbody></table></section>\n");
  }

  private static void config(StringBuilder sb, String summary, List<Problem> lint) {
    sb.append("<section id=\"config\"><h2>Configuration in force</h2>");
    sb.append("<pre>");
    for (String line : summary.split("\n", -1)) {
      sb.append(Html.escape(line)).append('\n');
    }
    sb.append("</pre>");
    sb.append("<h3>Lint</h3><ul id=\"lint\">");
    for (Problem p : lint) {
      sb.append("<li>").append(Html.escape(p.toString())).append("</li>");
    }
    if (lint.isEmpty()) {
      sb.append("<li>No finding: the configuration passes the hardening checklist.</li>");
    }
    sb.append("</ul></section>\n");
  }

  /** Returns the sign-in page, with a one-line message when one is given. */
  static String signIn(boolean tokenRequired, @Nullable String message) {
    StringBuilder sb = head("Sign in - Bulwark");
    sb.append("<main class=\"narrow\"><h1>Bulwark security dashboard</h1>");
    if (message != null) {
      sb.append("<p class=\"error\" id=\"error\">").append(Html.escape(message)).append("</p>");
    }
    sb.append("<form method=\"post\" action=\"/dashboard/sign-in\" id=\"sign-in\">");
    if (tokenRequired) {
      sb.append("<label>Admin token <input type=\"password\" name=\"token\" id=\"token\"");
      sb.append(" autocomplete=\"current-password\" required></label> ");
    } else {
      sb.append("<p>This admin listener has no <code>admin.token</code>: it listens on");
      sb.append(" loopback, and whoever can reach it may sign in.</p>");
    }
    sb.append("<button type=\"submit\">Sign in</button></form></main>\n</body>\n</html>\n");
    return sb.toString();
  }

  /**
   * Returns the sign-in page of a dashboard for admin accounts: login name, password and a code
   * from the authenticator app (or a recovery code).
   */
  static String signInWithAccount(@Nullable String message) {
    StringBuilder sb = head("Sign in - Bulwark");
    sb.append("<main class=\"narrow\"><h1>Bulwark security dashboard</h1>");
    if (message != null) {
      sb.append("<p class=\"error\" id=\"error\">").append(Html.escape(message)).append("</p>");
    }
    sb.append("<form method=\"post\" action=\"/dashboard/sign-in\" id=\"sign-in\">");
    sb.append("<label>Login name <input type=\"text\" name=\"login\" id=\"login\"");
    sb.append(" autocomplete=\"username\" required></label> ");
    sb.append("<label>Password <input type=\"password\" name=\"password\" id=\"password\"");
    sb.append(" autocomplete=\"current-password\" required></label> ");
    sb.append("<label>Code <input type=\"text\" name=\"code\" id=\"code\"");
    sb.append(" autocomplete=\"one-time-code\" inputmode=\"numeric\" required></label> ");
    sb.append("<p>The code from your authenticator app, or one of your recovery codes.</p>");
    sb.append("<button type=\"submit\">Sign in</button></form></main>\n</body>\n</html>\n");
    return sb.toString();
  }

  /** Returns a page that says one thing (a refusal). */
  static String message(String title, String message) {
    StringBuilder sb = head(title + " - Bulwark");
    sb.append("<main class=\"narrow\"><h1>").append(Html.escape(title)).append("</h1><p>");
    sb.append(Html.escape(message));
    sb.append("</p><p><a href=\"/dashboard\">Back to the dashboard</a></p></main>\n");
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  private static StringBuilder head(String title) {
    StringBuilder sb = new StringBuilder(16 * 1024);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    sb.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    sb.append("<title>").append(Html.escape(title)).append("</title>\n");
    sb.append("<link rel=\"stylesheet\" href=\"/dashboard/static/dashboard.css\">\n");
    sb.append("<script src=\"/dashboard/static/dashboard.js\" defer></script>\n");
    sb.append("</head>\n<body>\n");
    return sb;
  }

  private static void csrf(StringBuilder sb, String csrf) {
    sb.append("<input type=\"hidden\" name=\"csrf\" value=\"")
        .append(Html.escape(csrf))
        .append("\">");
  }

  private static void cell(StringBuilder sb, @Nullable String text) {
    sb.append("<td>").append(Html.escape(text)).append("</td>");
  }

  private static void empty(StringBuilder sb, boolean none, int columns, String text) {
    if (none) {
      sb.append("<tr><td colspan=\"").append(columns).append("\" class=\"none\">");
      sb.append(Html.escape(text)).append("</td></tr>");
    }
  }

  private static String time(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
