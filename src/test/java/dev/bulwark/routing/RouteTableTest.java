package dev.bulwark.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static RouteTable.Entry<String> e(
      @org.jspecify.annotations.Nullable String host,
      String path,
      Set<String> methods,
      String name) {
    return new RouteTable.Entry<>(
        host == null ? HostMatcher.any() : HostMatcher.parse(host),
        RoutePattern.parse(path),
        methods,
        name);
  }

  private static RouteTable.Entry<String> e(
      String path, Set<String> methods, RouteTable.Rules rules, String name) {
    return new RouteTable.Entry<>(
        HostMatcher.any(), RoutePattern.parse(path), methods, rules, name);
  }

  @SafeVarargs
  private static RouteTable<String> tableOf(RouteTable.Entry<String>... entries) {
    return new RouteTable<>(List.of(entries));
  }

  private final RouteTable<String> table =
      tableOf(
          e(null, "/**", Set.of(), "all"),
          e(null, "/api/**", Set.of(), "api"),
          e(null, "/api/health", Set.of(), "health"),
          e(null, "/api/orgs/{org}/items", Set.of("GET"), "items"),
          e(null, "/api/orgs/{org}/**", Set.of(), "org"),
          e("admin.example.com", "/api/**", Set.of(), "admin"),
          e("*.example.com", "/api/**", Set.of(), "tenant"));

  @Test
  void mostSpecificRouteWins() {
    assertThat(table.match("x", "/api/health", "GET").route()).isEqualTo("health");
    assertThat(table.match("x", "/api/other", "GET").route()).isEqualTo("api");
    assertThat(table.match("x", "/api", "GET").route()).isEqualTo("api");
    assertThat(table.match("x", "/elsewhere", "GET").route()).isEqualTo("all");
    assertThat(table.match("x", "/api/orgs/acme/items", "GET").route()).isEqualTo("items");
    assertThat(table.match("x", "/api/orgs/acme/items", "GET").params()).containsExactly("acme");
    assertThat(table.match("x", "/api/orgs/acme/other/deep", "GET").route()).isEqualTo("org");
  }

  @Test
  void exactHostBeatsWildcardBeatsAny() {
    assertThat(table.match("admin.example.com", "/api/x", "GET").route()).isEqualTo("admin");
    assertThat(table.match("a.b.example.com", "/api/x", "GET").route()).isEqualTo("tenant");
    assertThat(table.match("example.com", "/api/x", "GET").route()).isEqualTo("api");
    assertThat(table.match("evilexample.com", "/api/x", "GET").route()).isEqualTo("api");
  }

  @Test
  void methodOutsideARouteIsRefusedNotPassedToABroaderRoute() {
    RouteTable.Match<String> m = table.match("x", "/api/orgs/acme/items", "DELETE");
    assertThat(m.route()).isNull();
    assertThat(m.allowed()).containsExactly("GET");
  }

  @Test
  void methodOutsideARouteFallsThroughOnlyWhenTheRouteSaysSo() {
    RouteTable<String> t =
        tableOf(
            e(null, "/api/**", Set.of(), "api"),
            e("/api/echo", Set.of("POST"), new RouteTable.Rules(true, false, true), "echo"));
    assertThat(t.match("x", "/api/echo", "PUT").route()).isEqualTo("api");
    assertThat(t.match("x", "/api/echo", "POST").route()).isEqualTo("echo");
  }

  @Test
  void routesOfTheSameShapeShareTheirPathsByMethod() {
    RouteTable<String> t =
        tableOf(
            e(null, "/api/**", Set.of(), "api"),
            e(null, "/things/{id}", Set.of("GET"), "read"),
            e(null, "/things/{x}", Set.of("POST"), "write"),
            e("other.example", "/things/{id}", Set.of("DELETE"), "other"));
    assertThat(t.match("x", "/things/1", "GET").route()).isEqualTo("read");
    assertThat(t.match("x", "/things/1", "POST").route()).isEqualTo("write");
    RouteTable.Match<String> m = t.match("x", "/things/1", "PUT");
    assertThat(m.route()).isNull();
    assertThat(m.allowed()).containsExactly("GET", "POST");
    assertThat(t.match("other.example", "/things/1", "DELETE").route()).isEqualTo("other");
  }

  @Test
  void aPathThatReachesANarrowerRouteOnlyByLetterCaseIsRefused() {
    RouteTable<String> t =
        tableOf(e(null, "/api/**", Set.of(), "api"), e(null, "/api/admin/**", Set.of(), "adm"));
    assertThat(t.match("x", "/api/ADMIN/stats", "GET").refusal())
        .isEqualTo(RouteTable.Refusal.CASE);
    assertThat(t.match("x", "/api/Admin", "GET").refusal()).isEqualTo(RouteTable.Refusal.CASE);
    assertThat(t.match("x", "/API/admin/x", "GET").refusal()).isEqualTo(RouteTable.Refusal.CASE);
    assertThat(t.match("x", "/api/admin/STATS", "GET").route()).isEqualTo("adm");
    assertThat(t.match("x", "/api/Other", "GET").route()).isEqualTo("api");
  }

  @Test
  void aCaseInsensitiveRouteTakesEverySpelling() {
    RouteTable<String> t =
        tableOf(
            e(null, "/api/**", Set.of(), "api"),
            e("/api/orgs/{org}/**", Set.of(), new RouteTable.Rules(false, false, false), "orgs"));
    RouteTable.Match<String> m = t.match("x", "/API/Orgs/AcMe/x", "GET");
    assertThat(m.route()).isEqualTo("orgs");
    assertThat(m.params()).containsExactly("AcMe");
  }

  @Test
  void upperCaseLiteralsInRoutesAreMatchedExactlyAndGuardedToo() {
    RouteTable<String> t =
        tableOf(e(null, "/**", Set.of(), "all"), e(null, "/Admin/**", Set.of(), "adm"));
    assertThat(t.match("x", "/Admin/x", "GET").route()).isEqualTo("adm");
    assertThat(t.match("x", "/admin/x", "GET").refusal()).isEqualTo(RouteTable.Refusal.CASE);
  }

  @Test
  void pathParametersAreRefusedWhereverTheyWouldLead() {
    assertThat(table.match("x", "/api/orgs;x=1/acme/items", "GET").refusal())
        .isEqualTo(RouteTable.Refusal.PATH_PARAMETERS);
    assertThat(table.match("x", "/api/health;jsessionid=1", "GET").refusal())
        .isEqualTo(RouteTable.Refusal.PATH_PARAMETERS);
    assertThat(table.match("x", "/api/;x/health", "GET").refusal())
        .isEqualTo(RouteTable.Refusal.EMPTY_SEGMENT);
  }

  @Test
  void pathParametersAreMatchedWithoutThemOnARouteThatForwardsThem() {
    RouteTable<String> t =
        tableOf(
            e(null, "/api/**", Set.of(), "api"),
            e("/api/orgs/{org}/**", Set.of(), new RouteTable.Rules(true, true, false), "orgs"));
    RouteTable.Match<String> m = t.match("x", "/api/orgs;a=b/acme;v=2/x", "GET");
    assertThat(m.route()).isEqualTo("orgs");
    assertThat(m.params()).containsExactly("acme");
    assertThat(t.match("x", "/api/other;a=b", "GET").refusal())
        .isEqualTo(RouteTable.Refusal.PATH_PARAMETERS);
  }

  @Test
  void methodNotAllowedAnywhereReportsAllowedMethods() {
    RouteTable<String> t = tableOf(e(null, "/things", Set.of("GET", "HEAD"), "things"));
    RouteTable.Match<String> m = t.match("x", "/things", "POST");
    assertThat(m.route()).isNull();
    assertThat(m.allowed()).containsExactly("GET", "HEAD");
    assertThat(t.match("x", "/nothing", "GET").allowed()).isEmpty();
  }

  @Test
  void emptyTemplateSegmentDoesNotMatch() {
    assertThat(table.match("x", "/api/orgs//items", "GET").route()).isEqualTo("api");
  }

  @Test
  void malformedPatternsAreRefused() {
    assertThatThrownBy(() -> RoutePattern.parse("/a/**/b")).hasMessageContaining("last segment");
    assertThatThrownBy(() -> RoutePattern.parse("/a/{}")).hasMessageContaining("{name}");
    assertThatThrownBy(() -> RoutePattern.parse("/a/../b")).hasMessageContaining("normalised");
    assertThat(RoutePattern.parse("/a/{x}").sameShape(RoutePattern.parse("/a/{y}"))).isTrue();
  }
}
