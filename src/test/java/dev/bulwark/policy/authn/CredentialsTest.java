package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.Caller;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The AUTHN stage's walk over several credential providers, with providers made up here. */
class CredentialsTest {
  private static final Caller ALICE =
      new Caller("alice", "test", Set.of(), Set.of(), Set.of(), Map.of(), Long.MAX_VALUE);
  private static final Verdict.Invalid BAD_COOKIE =
      new Verdict.Invalid(
          SecurityEventKind.TOKEN_INVALID,
          "unknown session",
          Denial.of(401, "unauthorized", "invalid session"),
          "Session realm=\"bulwark\"");

  private final List<String> asked = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  /** A provider that answers a fixed verdict (or holds its callback for the test). */
  private CredentialProvider provider(
      String name, Verdict verdict, AtomicReference<Consumer<Verdict>> held) {
    return new CredentialProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String challenge() {
        return name + " realm=\"bulwark\"";
      }

      @Override
      public Denial missing() {
        return Denial.of(401, "unauthorized", "no " + name);
      }

      @Override
      public void authenticate(Exchange exchange, Consumer<Verdict> done) {
        asked.add(name);
        if (held.get() == null && verdict instanceof Verdict.NotMine && name.startsWith("async")) {
          held.set(done);
          return;
        }
        done.accept(verdict);
      }
    };
  }

  private CredentialProvider provider(String name, Verdict verdict) {
    return provider(name, verdict, new AtomicReference<>());
  }

  private AuthnPolicy authn(CredentialProvider... providers) {
    return new AuthnPolicy(
        "api",
        new Credentials(List.of(providers)),
        SecurityEvents.of(new SecurityLog(events::add)));
  }

  @Test
  void anInvalidCredentialEndsTheWalkAndNoLaterProviderIsAsked() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .run(
                authn(
                    provider("Cookie", BAD_COOKIE),
                    provider("Bearer", new Verdict.Authenticated(ALICE))));
    assertThat(fx.status()).isEqualTo(401);
    assertThat(asked).containsExactly("Cookie");
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Session realm=\"bulwark\"");
    assertThat(fx.exchange().denyReason()).isEqualTo("invalid session");
    assertThat(events)
        .singleElement()
        .asString()
        .contains("\"event\":\"token-invalid\"", "unknown session");
  }

  @Test
  void whenEveryProviderAbstainsEveryChallengeIsSentWithOneGenericRefusal() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .run(
                authn(
                    provider("Cookie", Verdict.notMine()), provider("Bearer", Verdict.notMine())));
    assertThat(fx.status()).isEqualTo(401);
    assertThat(asked).containsExactly("Cookie", "Bearer");
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Cookie realm=\"bulwark\"", "Bearer realm=\"bulwark\"");
    assertThat(fx.exchange().denyReason()).isEqualTo("no credential presented");
    assertThat(events).isEmpty();
  }

  @Test
  void anAbstainingProviderHandsTheRequestToTheNextOne() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .run(
                authn(
                    provider("Cookie", Verdict.notMine()),
                    provider("Bearer", new Verdict.Authenticated(ALICE)),
                    provider("Never", BAD_COOKIE)));
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(asked).containsExactly("Cookie", "Bearer");
    assertThat(fx.attr(Caller.KEY)).isSameAs(ALICE);
    assertThat(fx.exchange().subject()).isEqualTo("alice");
  }

  @Test
  void aVerdictFromAnotherThreadIsActedOnOnlyBackOnTheExchangeLoop() throws Exception {
    AtomicReference<Consumer<Verdict>> held = new AtomicReference<>();
    FakeExchange fx =
        FakeExchange.get("/x")
            .holdResumes()
            .run(
                authn(
                    provider("async-cookie", Verdict.notMine(), held),
                    provider("Bearer", new Verdict.Authenticated(ALICE))));
    assertThat(fx.outcome()).isEqualTo(Outcome.PENDING);
    Thread other =
        new Thread(() -> java.util.Objects.requireNonNull(held.get()).accept(Verdict.notMine()));
    other.start();
    other.join();
    assertThat(asked).containsExactly("async-cookie");
    assertThat(fx.pendingResumes()).isEqualTo(1);
    fx.settle();
    assertThat(asked).containsExactly("async-cookie", "Bearer");
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aVerdictThatArrivesAfterTheExchangeEndedChangesNothing() {
    AtomicReference<Consumer<Verdict>> held = new AtomicReference<>();
    FakeExchange fx =
        FakeExchange.get("/x").run(authn(provider("async-cookie", Verdict.notMine(), held)));
    fx.exchange().deny(Denial.BODY_TIMEOUT);
    java.util.Objects.requireNonNull(held.get()).accept(new Verdict.Authenticated(ALICE));
    assertThat(fx.status()).isEqualTo(408);
    assertThat(fx.attr(Caller.KEY)).isNull();
    assertThat(fx.exchange().subject()).isNull();
  }

  @Test
  void aTracedWalkNotesWhichProviderDecidedAndHow() {
    TraceLines authenticated = new TraceLines();
    TraceLines refused = new TraceLines();
    TraceLines none = new TraceLines();

    FakeExchange.get("/x")
        .trace(authenticated)
        .run(
            authn(
                provider("cookie", Verdict.notMine()),
                provider("bearer", new Verdict.Authenticated(ALICE))));
    FakeExchange.get("/x").trace(refused).run(authn(provider("cookie", BAD_COOKIE)));
    FakeExchange.get("/x").trace(none).run(authn(provider("cookie", Verdict.notMine())));

    assertThat(authenticated.lines())
        .contains("note      authn: bearer authenticated alice (issuer test)");
    assertThat(refused.lines())
        .contains("note      authn: cookie refused the credential: unknown session");
    assertThat(none.lines()).contains("note      authn: no credential of cookie");
  }
}
