package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.Membership;
import dev.bulwark.store.Organisation;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoredFieldLimits;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The organisation API of the admin listener (operators only): create, list, show, delete an
 * organisation (named in a path by its id or its slug), list its members, give an account a role in
 * it ({@code role-granted}) and end a membership ({@code role-revoked}). Every change is answered
 * only once its security event is stored by the audit trail (when there is one).
 */
public final class OrganisationsApi {
  /** The largest body a call takes, in bytes. */
  static final int MAX_BODY = 4096;

  /** The longest organisation name. */
  static final int MAX_NAME = 200;

  /** What a slug may be: lower-case letters, digits and inner hyphens, 1 to 63 characters. */
  static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

  /** What a role may be: letters, digits, {@code . _ -}, 1 to 64 characters. */
  static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private static final String BY = "admin";

  private final OrganisationStore organisations;
  private final AccountStore accounts;
  private final SecurityEvents security;

  /** An API over the organisation store, naming members through the account store. */
  public OrganisationsApi(
      OrganisationStore organisations, AccountStore accounts, SecurityEvents security) {
    this.organisations = requireNonNull(organisations, "organisations");
    this.accounts = requireNonNull(accounts, "accounts");
    this.security = requireNonNull(security, "security");
  }

  /** Adds the organisation routes, for operators only. */
  public AdminRouter.Builder register(AdminRouter.Builder router) {
    AdminAccess op = AdminAccess.OPERATOR;
    return router
        .get("/organisations", op, this::list)
        .route("POST", "/organisations", op, MAX_BODY, this::create)
        .get("/organisations/{org}", op, this::show)
        .route("DELETE", "/organisations/{org}", op, 0, this::delete)
        .get("/organisations/{org}/members", op, this::members)
        .route("PUT", "/organisations/{org}/members/{account}", op, MAX_BODY, this::setRole)
        .route("DELETE", "/organisations/{org}/members/{account}", op, 0, this::removeMember);
  }

  private void list(AdminCall call) {
    JsonRequest.PageQuery page = AdminAnswers.parsed(call, () -> JsonRequest.page(call));
    if (page == null) {
      return;
    }
    organisations
        .list(page.after(), page.limit())
        .whenComplete(
            AdminAnswers.json(
                call,
                "organisations not listed",
                (Page<Organisation> p) -> {
                  ObjectNode out = JSON.createObjectNode();
                  ArrayNode arr = out.putArray("organisations");
                  p.items().forEach(o -> arr.add(view(o)));
                  out.put("next", p.next());
                  return out;
                }));
  }

  /** What a create call asks for: a slug and a display name. */
  private record NewOrganisation(String slug, String name) {}

  private static NewOrganisation newOrganisation(AdminCall call) {
    ObjectNode n = JsonRequest.object(call, Set.of("slug", "name"));
    String slug = JsonRequest.required(n, "slug", 64);
    if (!SLUG.matcher(slug).matches()) {
      throw new JsonRequest.Invalid(
          400, "slug", "expected lower-case letters, digits and hyphens (1 to 63)");
    }
    String given = JsonRequest.text(n, "name", MAX_NAME);
    return new NewOrganisation(slug, given == null || given.isBlank() ? slug : given);
  }

  private void create(AdminCall call) {
    NewOrganisation wanted = AdminAnswers.parsed(call, () -> newOrganisation(call));
    if (wanted == null) {
      return;
    }
    organisations
        .create(wanted.slug(), wanted.name())
        .thenApply(made -> made.orElseThrow(() -> new JsonRequest.Invalid(409, "slug", "taken")))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "organisation not created",
                o ->
                    new AdminAnswers.Change(
                        changed(call, SecurityEventKind.ORGANISATION_CREATED, o),
                        201,
                        view(o),
                        "organisation " + o.id() + " created")));
  }

  private void show(AdminCall call) {
    resolve(call).whenComplete(AdminAnswers.json(call, "organisation not read", o -> view(o)));
  }

  private void delete(AdminCall call) {
    resolve(call)
        .thenCompose(
            o ->
                organisations
                    .delete(o.id())
                    .thenApply(
                        gone -> {
                          if (!gone) {
                            throw new JsonRequest.Invalid(404, "", "no such organisation");
                          }
                          return o;
                        }))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "organisation not deleted",
                o -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.put("id", o.id());
                  out.put("deleted", true);
                  return new AdminAnswers.Change(
                      changed(call, SecurityEventKind.ORGANISATION_DELETED, o),
                      200,
                      out,
                      "organisation deleted");
                }));
  }

  private static SecurityEvent changed(AdminCall call, SecurityEventKind kind, Organisation o) {
    return SecurityEvent.organisationChanged(
        kind, call.requestId(), call.peerAddress(), BY, o.id(), o.slug());
  }

  private void members(AdminCall call) {
    JsonRequest.PageQuery page = AdminAnswers.parsed(call, () -> JsonRequest.page(call));
    if (page == null) {
      return;
    }
    resolve(call)
        .thenCompose(o -> organisations.members(o.id(), page.after(), page.limit()))
        .whenComplete(
            AdminAnswers.json(
                call,
                "members not listed",
                p -> {
                  ObjectNode out = JSON.createObjectNode();
                  ArrayNode arr = out.putArray("members");
                  for (Membership m : p.items()) {
                    arr.addObject().put("account", m.accountId()).put("role", m.role());
                  }
                  out.put("next", p.next());
                  return out;
                }));
  }

  private static String role(AdminCall call) {
    ObjectNode n = JsonRequest.object(call, Set.of("role"));
    String role = JsonRequest.required(n, "role", 64);
    if (!ROLE.matcher(role).matches()) {
      throw new JsonRequest.Invalid(
          400, "role", "expected letters, digits, '.', '_' or '-' (1 to 64)");
    }
    return role;
  }

  private void setRole(AdminCall call) {
    String role = AdminAnswers.parsed(call, () -> role(call));
    if (role == null) {
      return;
    }
    resolve(call)
        .thenCompose(
            o ->
                AccountLookup.resolve(accounts, call.param("account"))
                    .thenCompose(
                        a ->
                            organisations
                                .setMembership(a.id(), o.id(), role)
                                .thenApply(
                                    set -> {
                                      if (!set) {
                                        throw new JsonRequest.Invalid(
                                            404, "", "no such account or organisation");
                                      }
                                      return new Member(a, o, role);
                                    })))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "role not granted",
                m ->
                    new AdminAnswers.Change(
                        SecurityEvent.roleGranted(
                            call.requestId(),
                            call.peerAddress(),
                            BY,
                            m.account().id(),
                            role,
                            m.organisation().id()),
                        200,
                        m.json(),
                        "role granted")));
  }

  /** A membership as the API shows it. */
  private record Member(Account account, Organisation organisation, String role) {
    ObjectNode json() {
      ObjectNode n = JSON.createObjectNode();
      n.put("account", account.id());
      n.put("organisation", organisation.id());
      n.put("role", role);
      return n;
    }
  }

  private void removeMember(AdminCall call) {
    resolve(call)
        .thenCompose(
            o ->
                AccountLookup.resolve(accounts, call.param("account"))
                    .thenCompose(
                        a ->
                            organisations
                                .membershipsOf(a.id(), StoredFieldLimits.PAGE)
                                .thenCompose(
                                    ms -> {
                                      Optional<Membership> had =
                                          ms.stream()
                                              .filter(m -> m.organisationId().equals(o.id()))
                                              .findFirst();
                                      if (had.isEmpty()) {
                                        throw new JsonRequest.Invalid(
                                            404, "", "the account is not a member");
                                      }
                                      return organisations
                                          .removeMembership(a.id(), o.id())
                                          .thenApply(x -> new Member(a, o, had.get().role()));
                                    })))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "membership not removed",
                m -> {
                  ObjectNode out = m.json();
                  out.put("removed", true);
                  return new AdminAnswers.Change(
                      SecurityEvent.roleRevoked(
                          call.requestId(),
                          call.peerAddress(),
                          BY,
                          m.account().id(),
                          m.role(),
                          m.organisation().id()),
                      200,
                      out,
                      "membership removed");
                }));
  }

  /** Completes with the organisation a path names by id, else by slug; 404 when none. */
  private CompletionStage<Organisation> resolve(AdminCall call) {
    String key = AccountLookup.decoded(call.param("org"));
    if (key == null || key.length() > 256) {
      return CompletableFuture.failedFuture(
          new JsonRequest.Invalid(400, "org", "expected an organisation id or slug"));
    }
    return organisations
        .byId(key)
        .thenCompose(
            byId ->
                byId.isPresent() || !SLUG.matcher(key).matches()
                    ? CompletableFuture.completedFuture(byId)
                    : organisations.bySlug(key))
        .thenApply(
            o -> o.orElseThrow(() -> new JsonRequest.Invalid(404, "", "no such organisation")));
  }

  static ObjectNode view(Organisation o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", o.id());
    n.put("slug", o.slug());
    n.put("name", o.name());
    n.put("created", o.created().toString());
    return n;
  }
}
