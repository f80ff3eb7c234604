package dev.bulwark.admin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import org.junit.jupiter.api.Test;

/**
 * Events carry attacker-controlled text (a path, a user agent, a reason quoting a request): on the
 * page and in the feed it stays text, with control and bidi characters shown as escapes.
 */
class DashboardEscapingTest {
  private static final String PATH = "/x\"><script>alert(1)</script><img src=x onerror=alert(2)>";
  private static final String AGENT =
      "Mozilla' onmouseover='alert(3)\u001b[31mRED\u001b[0m\r\nX-Injected: yes\u202eevil";

  @Test
  void hostileTextInAnEventRendersInertOnThePageAndInTheFeed() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      l.security.publish(
          SecurityEvent.adminAuthFailed("req-1", "203.0.113.9", 401, "wrong token", "GET", PATH)
              .withOrigin(new SecurityEvent.Origin("203.0.113.9", AGENT, PATH)));
      l.security.publish(
          SecurityEvent.refused(
              SecurityEventKind.REQUEST_REFUSED,
              "req-2",
              "198.51.100.4",
              "api</td><td>",
              413,
              "body <b>over</b> the limit\n\u0007"));
      String cookie = l.signIn();
      String page = l.get("/dashboard", "cookie", cookie).body();
      assertThat(page)
          .doesNotContain("<script>alert")
          .doesNotContain("<img")
          .doesNotContain("onmouseover='")
          .doesNotContain("<b>over")
          .doesNotContain("api</td>")
          .doesNotContain("\u001b")
          .doesNotContain("\u202e")
          .doesNotContain("\u0007")
          .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
          .contains("Mozilla&#39; onmouseover=&#39;alert(3)\\x1b[31mRED")
          .contains("\\x0d\\x0aX-Injected: yes\\u202eevil")
          .contains("body &lt;b&gt;over&lt;/b&gt; the limit\\x0a\\x07")
          .contains("api&lt;/td&gt;&lt;td&gt;");
      // Lint findings and the summary are escaped too.
      assertThat(page).contains("no rate limit &lt;b&gt;here&lt;/b&gt;", "&lt;upstream&gt;");
      // The offender's ban form carries the canonical address only.
      assertThat(page).contains("value=\"203.0.113.9\"");

      String feed = l.get("/dashboard/events.json", "cookie", cookie).body();
      JsonNode events = new ObjectMapper().readTree(feed).get("events");
      assertThat(events).hasSize(2);
      JsonNode newest = events.get(0);
      assertThat(newest.get("reason").asText()).isEqualTo("body <b>over</b> the limit\\x0a\\x07");
      JsonNode first = events.get(1);
      assertThat(first.get("details").asText())
          .contains("user-agent=Mozilla' onmouseover='alert(3)\\x1b[31mRED\\x1b[0m\\x0d\\x0a")
          .doesNotContain("\u001b")
          .doesNotContain("\n");
    }
  }

  @Test
  void visibleShowsControlAndBidiCharactersAsEscapes() {
    assertThat(Html.visible("a\u0000b\u001bc\u007fd\u0085e\u202ef\u2066g\u2028h\ufeff"))
        .isEqualTo("a\\x00b\\x1bc\\x7fd\\x85e\\u202ef\\u2066g\\u2028h\\ufeff");
    assertThat(Html.escape("<a href='x' title=\"y\">&`</a>"))
        .isEqualTo("&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&#96;&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
    assertThat(Html.visible("plain text, ünïcödé")).isEqualTo("plain text, ünïcödé");
  }
}
