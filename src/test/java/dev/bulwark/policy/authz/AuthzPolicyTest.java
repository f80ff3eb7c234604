package dev.bulwark.policy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.Caller;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Authorization against a fake exchange: deny by default, roles, scopes, organisations, methods.
 */
class AuthzPolicyTest {
  private final List<String> events = new ArrayList<>();

  private static Caller caller(Set<String> roles, Set<String> scopes, Set<String> orgs) {
    return new Caller("alice", "test", roles, scopes, orgs, Map.of(), Long.MAX_VALUE);
  }

  /** The authentication stage as far as authorization cares: it leaves a caller (or not). */
  private static Policy authenticatedAs(@Nullable Caller caller) {
    return new Policy() {
      @Override
      public Stage stage() {
        return Stage.AUTHN;
      }

      @Override
      public String name() {
        return "authn";
      }

      @Override
      public void onRequest(Exchange exchange) {
        if (caller != null) {
          exchange.attr(Caller.KEY, caller);
          exchange.authenticated(caller.subject());
        }
        exchange.proceed();
      }
    };
  }

  private AuthzPolicy authz(AccessRule require, Map<String, AccessRule> methods, String... params) {
    return new AuthzPolicy(
        "api",
        new RouteAccess(false, true, List.of(), require, methods),
        List.of(params),
        SecurityEvents.of(new SecurityLog(events::add)));
  }

  private static final Caller ADMIN = caller(Set.of("admin"), Set.of("read"), Set.of("acme"));
  private static final Caller PLAIN = caller(Set.of(), Set.of(), Set.of("acme"));

  private static void forbidden(FakeExchange fx) {
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().get("www-authenticate"))
        .isEqualTo("Bearer realm=\"bulwark\", error=\"insufficient_scope\"");
  }

  @Test
  void aRequestWithNoCallerIsRefusedEvenUnderAnAuthenticatedRule() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .run(authenticatedAs(null), authz(new AccessRule.Authenticated(), Map.of()));
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.exchange().denyReason()).isEqualTo("no authenticated caller at authorization");
  }

  @Test
  void aRoleRuleRefusesACallerWithoutTheRoleAndLogsWhy() {
    AuthzPolicy p = authz(new AccessRule.Role("admin"), Map.of());
    FakeExchange fx = FakeExchange.get("/x").run(authenticatedAs(PLAIN), p);
    forbidden(fx);
    assertThat(events)
        .singleElement()
        .asString()
        .contains(
            "\"event\":\"access-denied\"",
            "\"subject\":\"alice\"",
            "\"method\":\"GET\"",
            "\"rule\":\"role:admin\"");
    assertThat(FakeExchange.get("/x").run(authenticatedAs(ADMIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aScopeRuleNeedsTheScopeNotARoleOfTheSameName() {
    AuthzPolicy p = authz(new AccessRule.Scope("read"), Map.of());
    forbidden(
        FakeExchange.get("/x").run(authenticatedAs(caller(Set.of("read"), Set.of(), Set.of())), p));
    assertThat(FakeExchange.get("/x").run(authenticatedAs(ADMIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void memberOfAPathParameterComparesTheOrganisationInThePath() {
    AuthzPolicy p = authz(new AccessRule.MemberOf("org", false), Map.of(), "org");
    assertThat(
            FakeExchange.get("/orgs/acme/x")
                .params("acme")
                .run(authenticatedAs(PLAIN), p)
                .outcome())
        .isEqualTo(Outcome.PROCEEDED);
    for (String other : new String[] {"globex", "ACME", "acme ", "", "acme,globex"}) {
      forbidden(FakeExchange.get("/orgs/x").params(other).run(authenticatedAs(PLAIN), p));
    }
  }

  @Test
  void memberOfAQueryParameterRefusesARepeatedOrMissingValue() {
    AuthzPolicy p = authz(new AccessRule.MemberOf("org", true), Map.of());
    assertThat(FakeExchange.get("/x?org=acme").run(authenticatedAs(PLAIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
    forbidden(FakeExchange.get("/x?org=acme&org=globex").run(authenticatedAs(PLAIN), p));
    forbidden(FakeExchange.get("/x?org=globex&org=acme").run(authenticatedAs(PLAIN), p));
    forbidden(FakeExchange.get("/x").run(authenticatedAs(PLAIN), p));
    forbidden(FakeExchange.get("/x?orgs=acme").run(authenticatedAs(PLAIN), p));
  }

  @Test
  void aMethodRuleReplacesTheRouteRuleForThatMethodOnly() {
    AuthzPolicy p =
        authz(new AccessRule.Authenticated(), Map.of("DELETE", new AccessRule.Role("admin")));
    assertThat(FakeExchange.get("/x").run(authenticatedAs(PLAIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
    forbidden(FakeExchange.request("DELETE", "/x").run(authenticatedAs(PLAIN), p));
    assertThat(FakeExchange.request("DELETE", "/x").run(authenticatedAs(ADMIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aMethodNoRuleCoversIsRefusedByDefault() {
    AuthzPolicy p = authz(RouteAccess.NOBODY, Map.of("GET", new AccessRule.Authenticated()));
    assertThat(FakeExchange.get("/x").run(authenticatedAs(PLAIN), p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
    forbidden(FakeExchange.request("POST", "/x").run(authenticatedAs(ADMIN), p));
  }

  @Test
  void anEmptyAnyOfAllowsNobodyAndAllOfNeedsEveryRule() {
    forbidden(
        FakeExchange.get("/x")
            .run(authenticatedAs(ADMIN), authz(new AccessRule.AnyOf(List.of()), Map.of())));
    AuthzPolicy both =
        authz(
            new AccessRule.AllOf(
                List.of(new AccessRule.Role("admin"), new AccessRule.Scope("write"))),
            Map.of());
    forbidden(FakeExchange.get("/x").run(authenticatedAs(ADMIN), both));
  }

  @Test
  void aTracedDecisionNotesWhichRuleDecidedAndTheValueItRead() {
    AuthzPolicy p = authz(new AccessRule.MemberOf("org", false), Map.of(), "org");
    TraceLines allowed = new TraceLines();
    TraceLines refused = new TraceLines();

    FakeExchange.get("/orgs/acme/x").params("acme").trace(allowed).run(authenticatedAs(PLAIN), p);
    FakeExchange.get("/orgs/globex/x")
        .params("globex")
        .trace(refused)
        .run(authenticatedAs(PLAIN), p);

    assertThat(allowed.lines())
        .contains("note      authz: allowed alice: member-of:{org} with org=acme held");
    assertThat(refused.lines())
        .contains("note      authz: refused alice: member-of:{org} with org=globex failed");
  }

  @Test
  void aTracedRefusalOfACompositeRuleNamesTheAtomThatFailed() {
    AuthzPolicy p =
        authz(
            new AccessRule.AllOf(
                List.of(new AccessRule.Role("admin"), new AccessRule.Scope("write"))),
            Map.of("DELETE", new AccessRule.AnyOf(List.of())));
    TraceLines all = new TraceLines();
    TraceLines none = new TraceLines();

    FakeExchange.get("/x").trace(all).run(authenticatedAs(ADMIN), p);
    FakeExchange.request("DELETE", "/x").trace(none).run(authenticatedAs(ADMIN), p);

    assertThat(all.lines()).contains("note      authz: refused alice: scope:write failed");
    assertThat(none.lines())
        .contains(
            "note      authz: refused alice by the rule for DELETE: no rule allows this method");
  }
}
