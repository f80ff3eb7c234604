package dev.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Headers that claim the client's address never cross the gateway from a client, in any case and
 * whatever the route keeps; docs/routes-and-limits.md names each of them.
 */
class ClientAddressHeadersTest {

  private static MultiMap copy(RequestHeaderRules rules, String... namesAndValues) {
    MultiMap in = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      in.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HeaderHygiene.copyRequestHeaders(in, out, rules);
    return out;
  }

  @Test
  void everyClientAddressHeaderIsDroppedInAnyCaseEvenWhenARouteKeepsIt() {
    RequestHeaderRules keepsAll =
        RequestHeaderRules.compile(
            List.of(), ClientAddressHeaders.NAMES, /* forwardUnderscores= */ true);
    for (String n : ClientAddressHeaders.NAMES) {
      for (String spelling :
          List.of(n, n.toUpperCase(Locale.ROOT), n.replace('-', '_'), capitalised(n))) {
        MultiMap out = copy(keepsAll, spelling, "203.0.113.9", "X-Trace", "t");
        assertThat(out.contains(spelling)).as(spelling).isFalse();
        assertThat(out.get("x-trace")).isEqualTo("t");
      }
    }
  }

  @Test
  void namesThatOnlyResembleThemPass() {
    RequestHeaderRules rules = RequestHeaderRules.compile(List.of(), List.of(), false);
    for (String n :
        List.of("X-Real-IPs", "X-Client", "Client-IP-Hint", "X-Forwarded-Prefix", "IP", "Via")) {
      assertThat(copy(rules, n, "v").contains(n)).as(n).isTrue();
    }
  }

  @Test
  void theForwardingDocsListEveryDroppedName() throws Exception {
    String page = Files.readString(Path.of("docs/routes-and-limits.md")).toLowerCase(Locale.ROOT);
    for (String n : ClientAddressHeaders.NAMES) {
      assertThat(page).as(n).contains("`" + n + "`");
    }
  }

  private static String capitalised(String n) {
    StringBuilder sb = new StringBuilder(n.length());
    boolean up = true;
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      sb.append(up ? Character.toUpperCase(c) : c);
      up = c == '-';
    }
    return sb.toString();
  }
}
