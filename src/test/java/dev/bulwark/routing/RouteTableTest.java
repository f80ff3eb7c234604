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

  private final RouteTable<String> table =
      new RouteTable<>(
          List.of(
              e(null, "/**", Set.of(), "all"),
              e(null, "/api/**", Set.of(), "api"),
              e(null, "/api/health", Set.of(), "health"),
              e(null, "/api/orgs/{org}/items", Set.of("GET"), "items"),
              e(null, "/api/orgs/{org}/**", Set.of(), "org"),
              e("admin.example.com", "/api/**", Set.of(), "admin"),
              e("*.example.com", "/api/**", Set.of(), "tenant")));

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
  void methodOutsideARouteFallsToTheNextMatchingRoute() {
    assertThat(table.match("x", "/api/orgs/acme/items", "DELETE").route()).isEqualTo("org");
  }

  @Test
  void methodNotAllowedAnywhereReportsAllowedMethods() {
    RouteTable<String> t =
        new RouteTable<>(List.of(e(null, "/things", Set.of("GET", "HEAD"), "things")));
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
