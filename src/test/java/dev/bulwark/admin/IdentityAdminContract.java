package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.EventDetail;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.identity.Invitation;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.RefreshOutcome;
import dev.bulwark.identity.tokens.TokenGrant;
import dev.bulwark.identity.tokens.TokenSubject;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.Stores;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The account and organisation admin API over the real admin listener, run against each store
 * backend: every operation, its refusals (malformed, oversized, unknown fields, hostile login
 * names, duplicates, unknown ids, out-of-range pages), deletion erasing personal data, disabling
 * revoking sessions, and a role change acknowledged only after its durable record.
 */
public abstract class IdentityAdminContract {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = "tangerine-Orbit-walrus-1987-quiet";
  static final Origin ORIGIN = new Origin("req-1", "192.0.2.7", "test");

  /** A durable sink that keeps every event and acknowledges when the test releases it. */
  static final class HeldSink implements DurableSink {
    final List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
    volatile CompletableFuture<Void> release = CompletableFuture.completedFuture(null);

    @Override
    public void accept(SecurityEvent event) {
      seen.add(event);
    }

    @Override
    public CompletableFuture<Void> acceptDurably(SecurityEvent event) {
      seen.add(event);
      return release.thenApply(v -> null);
    }
  }

  @SuppressWarnings("NullAway.Init")
  protected Stores stores;

  @SuppressWarnings("NullAway.Init")
  IdentityAdminListener admin;

  final HeldSink durable = new HeldSink();

  /** Opens a fresh backend for one test. */
  protected abstract Stores open() throws Exception;

  /** Runs after the stores are closed (drop a schema). */
  protected void afterClose() throws Exception {}

  @BeforeEach
  void start() throws Exception {
    stores = open();
    admin = new IdentityAdminListener(stores, durable);
  }

  @AfterEach
  void stop() throws Exception {
    admin.close();
    stores.close();
    afterClose();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  HttpResponse<String> send(String method, String path, @Nullable String json) throws Exception {
    return admin.send(method, path, json);
  }

  static JsonNode body(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  JsonNode created(String login, @Nullable String password) throws Exception {
    String json =
        JSON.createObjectNode()
            .put("login", login)
            .put("email", login + "@example.com")
            .put("displayName", "Person " + login)
            .put("password", password)
            .toString();
    HttpResponse<String> r = send("POST", "/accounts", json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return body(r);
  }

  String accountId(String login) throws Exception {
    return created(login, null).path("account").path("id").asText();
  }

  private static void refused(HttpResponse<String> r, int status, @Nullable String field)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode n = body(r);
    assertThat(n.path("status").asInt()).isEqualTo(status);
    assertThat(n.path("requestId").asText()).isNotEmpty();
    assertThat(n.path("error").asText()).doesNotContain("\n").doesNotContain("Exception");
    if (field != null) {
      assertThat(n.path("field").asText()).isEqualTo(field);
    }
  }

  // --- hostile input first ---

  @Test
  void aBodyOfOneMegabyteIsRefusedWith413() throws Exception {
    byte[] big =
        ("{\"login\":\"" + "a".repeat(1024 * 1024) + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (String path : List.of("/accounts", "/organisations", "/organisations/x/members/y")) {
      String method = path.contains("members") ? "PUT" : "POST";
      assertThat(
              admin.raw(
                  method + " " + path + " HTTP/1.1", "Content-Type: application/json\r\n", big))
          .startsWith("HTTP/1.1 413")
          .contains("\"status\":413");
    }
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
  }

  @Test
  void malformedJsonTrailingDataDuplicateKeysAndWrongTypesAre400() throws Exception {
    refused(send("POST", "/accounts", "{\"login\":"), 400, null);
    refused(send("POST", "/accounts", "{\"login\":\"ada\"} {}"), 400, null);
    refused(send("POST", "/accounts", "{\"login\":\"ada\",\"login\":\"root\"}"), 400, null);
    refused(send("POST", "/accounts", "[\"ada\"]"), 400, null);
    refused(send("POST", "/accounts", "{\"login\":[\"ada\"]}"), 400, "login");
    refused(send("POST", "/accounts", "{\"login\":\"ada\",\"password\":12}"), 400, "password");
    HttpResponse<String> plain =
        admin.send("POST", "/accounts", null, "Bearer " + IdentityAdminListener.TOKEN);
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
  }

  @Test
  void unknownFieldsAreRefusedByName() throws Exception {
    refused(send("POST", "/accounts", "{\"login\":\"ada\",\"isAdmin\":true}"), 400, "isAdmin");
    refused(send("POST", "/organisations", "{\"slug\":\"acme\",\"owner\":\"ada\"}"), 400, "owner");
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
  }

  @Test
  void hostileLoginNamesAreRefused() throws Exception {
    refused(
        send("POST", "/accounts", "{\"login\":\"" + "a".repeat(10 * 1024) + "\"}"), 400, "login");
    refused(send("POST", "/accounts", "{\"login\":\"ad\\u0000a\"}"), 400, "login");
    refused(send("POST", "/accounts", "{\"login\":\"ad\\u202ea\"}"), 400, "login");
    // Cyrillic a inside a Latin name: mixed scripts.
    refused(send("POST", "/accounts", "{\"login\":\"\\u0430dmin\"}"), 400, "login");
    refused(send("POST", "/accounts", "{\"login\":\"   \"}"), 400, "login");
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
  }

  @Test
  void aTakenLoginOrALookAlikeOfOneIs409() throws Exception {
    accountId("paypal");
    accountId("mary");
    refused(send("POST", "/accounts", "{\"login\":\"PayPal\"}"), 409, "login");
    refused(send("POST", "/accounts", "{\"login\":\"\\uff50aypal\"}"), 409, "login");
    refused(send("POST", "/accounts", "{\"login\":\"paypa1\"}"), 409, "login");
    refused(send("POST", "/accounts", "{\"login\":\"rnary\"}"), 409, "login");
    assertThat(await(stores.accounts().list("", 10)).items()).hasSize(2);
  }

  @Test
  void emailsDisplayNamesAndWeakPasswordsAreChecked() throws Exception {
    refused(send("POST", "/accounts", "{\"login\":\"ada\",\"email\":\"not-mail\"}"), 400, "email");
    refused(
        send("POST", "/accounts", "{\"login\":\"ada\",\"displayName\":\"a\\nb\"}"),
        400,
        "displayName");
    refused(
        send("POST", "/accounts", "{\"login\":\"ada\",\"password\":\"password123\"}"),
        400,
        "password");
    refused(
        send("POST", "/accounts", "{\"login\":\"ada\",\"password\":\"" + "x".repeat(2000) + "\"}"),
        400,
        "password");
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
  }

  @Test
  void pagesAreBoundedAndChainWithoutGapsOrRepeats() throws Exception {
    for (int i = 0; i < 5; i++) {
      accountId("user" + i);
    }
    for (String bad : List.of("0", "1001", "-1", "abc", "99999999999")) {
      refused(send("GET", "/accounts?limit=" + bad, null), 400, "limit");
      refused(send("GET", "/organisations?limit=" + bad, null), 400, "limit");
    }
    refused(send("GET", "/accounts?after=" + "z".repeat(300), null), 400, "after");
    Set<String> seen = new HashSet<>();
    String after = "";
    int pages = 0;
    do {
      JsonNode page = body(send("GET", "/accounts?limit=2&after=" + after, null));
      assertThat(page.path("accounts").size()).isLessThanOrEqualTo(2);
      for (JsonNode a : page.path("accounts")) {
        assertThat(seen.add(a.path("id").asText())).isTrue();
      }
      after = page.path("next").isNull() ? "" : page.path("next").asText();
      pages++;
    } while (!after.isEmpty() && pages < 10);
    assertThat(seen).hasSize(5);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void unknownIdsAre404() throws Exception {
    for (String[] call :
        List.of(
            new String[] {"GET", "/accounts/nobody"},
            new String[] {"DELETE", "/accounts/nobody"},
            new String[] {"POST", "/accounts/nobody/disable"},
            new String[] {"POST", "/accounts/nobody/enable"},
            new String[] {"GET", "/accounts/nobody/sessions"},
            new String[] {"DELETE", "/accounts/nobody/sessions"},
            new String[] {"DELETE", "/accounts/nobody/second-factor"},
            new String[] {"GET", "/organisations/nothing"},
            new String[] {"DELETE", "/organisations/nothing"},
            new String[] {"GET", "/organisations/nothing/members"})) {
      refused(send(call[0], call[1], null), 404, null);
    }
    refused(send("PUT", "/organisations/nothing/members/nobody", "{\"role\":\"x\"}"), 404, null);
    assertThat(admin.raw("GET /accounts/%ZZ HTTP/1.1", "", new byte[0]))
        .startsWith("HTTP/1.1 400")
        .contains("\"field\":\"id\"");
  }

  @Test
  void withoutTheAdminTokenEveryCallIs401() throws Exception {
    accountId("ada");
    for (String[] call :
        List.of(
            new String[] {"GET", "/accounts"},
            new String[] {"GET", "/accounts/ada"},
            new String[] {"DELETE", "/accounts/ada"},
            new String[] {"GET", "/organisations"})) {
      assertThat(admin.send(call[0], call[1], null, null).statusCode()).isEqualTo(401);
      assertThat(admin.send(call[0], call[1], null, "Bearer wrong").statusCode()).isEqualTo(401);
    }
    assertThat(admin.send("POST", "/accounts", "{\"login\":\"eve\"}", null).statusCode())
        .isEqualTo(401);
    assertThat(await(stores.accounts().list("", 10)).items()).hasSize(1);
  }

  // --- each operation ---

  @Test
  void anAccountWithAPasswordIsCreatedShownAndListedWithoutItsHash() throws Exception {
    JsonNode made = created("Ada", PASSWORD);
    String id = made.path("account").path("id").asText();
    assertThat(made.has("invitation")).isFalse();
    assertThat(made.path("account").path("password").asBoolean()).isTrue();
    HttpResponse<String> shown = send("GET", "/accounts/" + id, null);
    assertThat(shown.statusCode()).isEqualTo(200);
    assertThat(shown.body()).doesNotContain("argon2").doesNotContain(PASSWORD);
    assertThat(body(shown).path("login").asText()).isEqualTo("Ada");
    assertThat(body(shown).path("email").asText()).isEqualTo("Ada@example.com");
    assertThat(body(send("GET", "/accounts/ada", null)).path("id").asText()).isEqualTo(id);
    assertThat(body(send("GET", "/accounts", null)).path("accounts").get(0).path("id").asText())
        .isEqualTo(id);
    String hash = await(stores.accounts().byId(id)).orElseThrow().passwordHash();
    assertThat(hash).startsWith("$argon2id$");
    assertThat(durable.seen)
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(SecurityEventKind.ACCOUNT_CREATED);
              assertThat(e.detail()).isEqualTo(new EventDetail.AccountChange(id, "password"));
            });
  }

  @Test
  void anAccountWithoutAPasswordGetsAOneTimeInvitationStoredHashed() throws Exception {
    JsonNode made = created("grace", null);
    String id = made.path("account").path("id").asText();
    String token = made.path("invitation").path("token").asText();
    assertThat(token).hasSizeGreaterThan(40);
    assertThat(Instant.parse(made.path("invitation").path("expires").asText()))
        .isAfter(Instant.now().plus(Invitation.VALIDITY).minusSeconds(60));
    // A second invitation replaces the first.
    HttpResponse<String> again = send("POST", "/accounts/" + id + "/invitation", null);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    String second = body(again).path("invitation").path("token").asText();
    assertThat(
            await(
                stores
                    .accounts()
                    .consumeToken(
                        OneTimePurpose.INVITATION, Invitation.hash(token), Instant.now())))
        .isEmpty();
    assertThat(
            await(
                stores
                    .accounts()
                    .consumeToken(
                        OneTimePurpose.INVITATION, Invitation.hash(second), Instant.now())))
        .contains(id);
    assertThat(
            await(
                stores
                    .accounts()
                    .consumeToken(
                        OneTimePurpose.INVITATION, Invitation.hash(second), Instant.now())))
        .isEmpty();
    String withPassword = created("linus", PASSWORD).path("account").path("id").asText();
    refused(send("POST", "/accounts/" + withPassword + "/invitation", null), 409, null);
  }

  @Test
  void deletingErasesPersonalDataRevokesSessionsAndFreesTheLogin() throws Exception {
    String id = created("hopper", PASSWORD).path("account").path("id").asText();
    assertThat(send("POST", "/organisations", "{\"slug\":\"navy\"}").statusCode()).isEqualTo(201);
    assertThat(
            send("PUT", "/organisations/navy/members/" + id, "{\"role\":\"owner\"}").statusCode())
        .isEqualTo(200);
    TokenGrant grant = signIn(id);
    HttpResponse<String> r = send("DELETE", "/accounts/" + id, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(body(r).path("sessionsRevoked").asInt()).isEqualTo(1);
    assertThat(await(stores.accounts().byId(id))).isEmpty();
    assertThat(await(stores.accounts().byLogin("hopper"))).isEmpty();
    assertThat(await(stores.organisations().membershipsOf(id, 10))).isEmpty();
    assertThat(await(stores.accounts().list("", 10)).items()).isEmpty();
    assertThat(refresh(grant)).isInstanceOf(RefreshOutcome.Refused.class);
    refused(send("GET", "/accounts/" + id, null), 404, null);
    assertThat(durable.seen)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.ACCOUNT_DELETED);
    assertThat(durable.seen.toString()).doesNotContain("hopper@example.com");
    // The login name is free again.
    assertThat(accountId("hopper")).isNotEqualTo(id);
  }

  @Test
  void disablingRevokesEverySessionAndARefreshAfterIsRefused() throws Exception {
    String id = created("turing", PASSWORD).path("account").path("id").asText();
    TokenGrant one = signIn(id);
    TokenGrant two = signIn(id);
    HttpResponse<String> r = send("POST", "/accounts/" + id + "/disable", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(body(r).path("sessionsRevoked").asInt()).isEqualTo(2);
    assertThat(body(r).path("account").path("status").asText()).isEqualTo("disabled");
    assertThat(refresh(one)).isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(refresh(two)).isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(stores.refreshTokens().revoked(one.sessionId())).isTrue();
    assertThat(body(send("GET", "/accounts/" + id + "/sessions", null)).path("sessions")).isEmpty();
    HttpResponse<String> back = send("POST", "/accounts/" + id + "/enable", null);
    assertThat(body(back).path("account").path("status").asText()).isEqualTo("active");
    assertThat(durable.seen)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.ACCOUNT_DISABLED, SecurityEventKind.ACCOUNT_ENABLED);
  }

  @Test
  void sessionsAreListedAndRevokedOneByOneOrAll() throws Exception {
    String id = created("lovelace", PASSWORD).path("account").path("id").asText();
    TokenGrant one = signIn(id);
    TokenGrant two = signIn(id);
    TokenGrant three = signIn(id);
    JsonNode list = body(send("GET", "/accounts/" + id + "/sessions", null));
    assertThat(list.path("sessions")).hasSize(3);
    assertThat(list.path("sessions").get(0).path("clientAddress").asText()).isEqualTo("192.0.2.7");
    HttpResponse<String> r =
        send("DELETE", "/accounts/" + id + "/sessions/" + one.sessionId(), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(refresh(one)).isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(refresh(two)).isInstanceOf(RefreshOutcome.Granted.class);
    // Another account's session, or one already revoked, is not this account's to revoke.
    String other = created("babbage", PASSWORD).path("account").path("id").asText();
    TokenGrant theirs = signIn(other);
    refused(send("DELETE", "/accounts/" + id + "/sessions/" + theirs.sessionId(), null), 404, null);
    refused(send("DELETE", "/accounts/" + id + "/sessions/" + one.sessionId(), null), 404, null);
    JsonNode all = body(send("DELETE", "/accounts/" + id + "/sessions", null));
    assertThat(all.path("revoked").asInt()).isEqualTo(2);
    assertThat(refresh(three)).isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(refresh(theirs)).isInstanceOf(RefreshOutcome.Granted.class);
  }

  @Test
  void theSecondFactorIsRemoved() throws Exception {
    String id = created("knuth", PASSWORD).path("account").path("id").asText();
    await(stores.accounts().enrolTotp(id, new byte[20]));
    await(stores.accounts().replaceRecoveryCodes(id, List.of("h1", "h2")));
    TokenGrant withOtp = signIn(id);
    JsonNode r = body(send("DELETE", "/accounts/" + id + "/second-factor", null));
    assertThat(r.path("removed").asBoolean()).isTrue();
    assertThat(await(stores.accounts().totp(id))).isEmpty();
    assertThat(await(stores.accounts().recoveryCodes(id))).isEmpty();
    // Its sessions end with it, so no token keeps an amr the account can no longer show.
    assertThat(r.path("sessionsRevoked").asInt()).isEqualTo(1);
    assertThat(refresh(withOtp)).isInstanceOf(RefreshOutcome.Refused.class);
    // Removing nothing ends nothing.
    TokenGrant later = signIn(id);
    JsonNode again = body(send("DELETE", "/accounts/" + id + "/second-factor", null));
    assertThat(again.path("removed").asBoolean()).isFalse();
    assertThat(again.path("sessionsRevoked").asInt()).isZero();
    assertThat(refresh(later)).isInstanceOf(RefreshOutcome.Granted.class);
  }

  @Test
  void organisationsAndMembershipsWithRoleEvents() throws Exception {
    String id = accountId("dijkstra");
    HttpResponse<String> made =
        send("POST", "/organisations", "{\"slug\":\"acme\",\"name\":\"Acme Inc\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String org = body(made).path("id").asText();
    refused(send("POST", "/organisations", "{\"slug\":\"acme\"}"), 409, "slug");
    refused(send("POST", "/organisations", "{\"slug\":\"Acme Corp\"}"), 400, "slug");
    refused(send("POST", "/organisations", "{\"slug\":\"a\\u0000b\"}"), 400, "slug");
    assertThat(body(send("GET", "/organisations/acme", null)).path("id").asText()).isEqualTo(org);
    assertThat(body(send("GET", "/organisations", null)).path("organisations")).hasSize(1);
    refused(
        send("PUT", "/organisations/acme/members/dijkstra", "{\"role\":\"own er\"}"), 400, "role");
    refused(send("PUT", "/organisations/acme/members/dijkstra", "{\"rank\":\"x\"}"), 400, "rank");
    HttpResponse<String> granted =
        send("PUT", "/organisations/acme/members/dijkstra", "{\"role\":\"admin\"}");
    assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
    assertThat(durable.seen)
        .filteredOn(e -> e.kind() == SecurityEventKind.ROLE_GRANTED)
        .singleElement()
        .satisfies(
            e -> assertThat(e.detail()).isEqualTo(new EventDetail.RoleGrant(id, "admin", org)));
    JsonNode members = body(send("GET", "/organisations/" + org + "/members", null));
    assertThat(members.path("members").get(0).path("role").asText()).isEqualTo("admin");
    HttpResponse<String> removed = send("DELETE", "/organisations/acme/members/" + id, null);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(durable.seen)
        .filteredOn(e -> e.kind() == SecurityEventKind.ROLE_REVOKED)
        .singleElement()
        .satisfies(
            e -> assertThat(e.detail()).isEqualTo(new EventDetail.RoleGrant(id, "admin", org)));
    refused(send("DELETE", "/organisations/acme/members/" + id, null), 404, null);
    assertThat(send("DELETE", "/organisations/acme", null).statusCode()).isEqualTo(200);
    refused(send("GET", "/organisations/" + org, null), 404, null);
    assertThat(durable.seen)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.ORGANISATION_CREATED, SecurityEventKind.ORGANISATION_DELETED);
  }

  @Test
  void aRoleChangeIsAcknowledgedOnlyAfterItsDurableRecordIsStored() throws Exception {
    String id = accountId("hamilton");
    assertThat(send("POST", "/organisations", "{\"slug\":\"nasa\"}").statusCode()).isEqualTo(201);
    durable.release = new CompletableFuture<>();
    int before = durable.seen.size();
    CompletableFuture<HttpResponse<String>> answer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return send("PUT", "/organisations/nasa/members/" + id, "{\"role\":\"admin\"}");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (durable.seen.size() == before && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(durable.seen.get(before).kind()).isEqualTo(SecurityEventKind.ROLE_GRANTED);
    try {
      answer.get(500, TimeUnit.MILLISECONDS);
      throw new AssertionError("answered before the record was stored");
    } catch (TimeoutException expected) {
      // right: the role is set, its record handed over, and no answer yet
    }
    durable.release.complete(null);
    assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    SecurityEvent.Origin origin =
        java.util.Objects.requireNonNull(durable.seen.get(before).origin());
    assertThat(origin.path()).isEqualTo("/organisations/nasa/members/" + id);
  }

  @Test
  void aTrailThatCannotWriteMakesTheAnswer503() throws Exception {
    durable.release = CompletableFuture.failedFuture(new java.io.IOException("disk full"));
    HttpResponse<String> r = send("POST", "/accounts", "{\"login\":\"noether\"}");
    refused(r, 503, null);
    assertThat(body(r).path("error").asText()).contains("audit record was not written");
  }

  TokenGrant signIn(String account) throws Exception {
    return await(
        admin.tokens.signIn(new TokenSubject(account, Set.of(), Set.of()), List.of("pwd"), ORIGIN));
  }

  RefreshOutcome refresh(TokenGrant grant) throws Exception {
    return await(
        admin.tokens.refresh(
            grant.refreshToken(),
            ORIGIN,
            account ->
                stores
                    .accounts()
                    .byId(account)
                    .thenApply(
                        a ->
                            a.isPresent()
                                    && a.get().status() == dev.bulwark.store.AccountStatus.ACTIVE
                                ? new TokenSubject(account, Set.of(), Set.of())
                                : null)));
  }
}
