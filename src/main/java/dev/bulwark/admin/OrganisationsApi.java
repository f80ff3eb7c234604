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
import org.jspecify.annotations.Nullable;

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
    JsonRequest.PageQuery page;
    try {
      page = JsonRequest.page(call);
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    organisations
        .list(page.after(), page.limit())
        .whenComplete(
            (Page<Organisation> p, @Nullable Throwable failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "organisations not listed");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              ArrayNode arr = out.putArray("organisations");
              p.items().forEach(o -> arr.add(view(o)));
              out.put("next", p.next());
              call.json(200, out.toString());
            });
  }

  private void create(AdminCall call) {
    String slug;
    String name;
    try {
      ObjectNode n = JsonRequest.object(call, Set.of("slug", "name"));
      slug = JsonRequest.required(n, "slug", 64);
      if (!SLUG.matcher(slug).matches()) {
        throw new JsonRequest.Invalid(
            400, "slug", "expected lower-case letters, digits and hyphens (1 to 63)");
      }
      String given = JsonRequest.text(n, "name", MAX_NAME);
      name = given == null || given.isBlank() ? slug : given;
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    organisations
        .create(slug, name)
        .thenApply(made -> made.orElseThrow(() -> new JsonRequest.Invalid(409, "slug", "taken")))
        .whenComplete(
            (o, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "organisation not created");
                return;
              }
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.organisationChanged(
                      SecurityEventKind.ORGANISATION_CREATED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      o.id(),
                      o.slug()),
                  201,
                  view(o).toString(),
                  "organisation " + o.id() + " created");
            });
  }

  private void show(AdminCall call) {
    resolve(call)
        .whenComplete(
            (o, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "organisation not read");
              } else {
                call.json(200, view(o).toString());
              }
            });
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
            (o, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "organisation not deleted");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("id", o.id());
              out.put("deleted", true);
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.organisationChanged(
                      SecurityEventKind.ORGANISATION_DELETED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      o.id(),
                      o.slug()),
                  200,
                  out.toString(),
                  "organisation deleted");
            });
  }

  private void members(AdminCall call) {
    JsonRequest.PageQuery page;
    try {
      page = JsonRequest.page(call);
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    resolve(call)
        .thenCompose(o -> organisations.members(o.id(), page.after(), page.limit()))
        .whenComplete(
            (p, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "members not listed");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              ArrayNode arr = out.putArray("members");
              for (Membership m : p.items()) {
                arr.addObject().put("account", m.accountId()).put("role", m.role());
              }
              out.put("next", p.next());
              call.json(200, out.toString());
            });
  }

  private void setRole(AdminCall call) {
    String role;
    try {
      ObjectNode n = JsonRequest.object(call, Set.of("role"));
      role = JsonRequest.required(n, "role", 64);
      if (!ROLE.matcher(role).matches()) {
        throw new JsonRequest.Invalid(
            400, "role", "expected letters, digits, '.', '_' or '-' (1 to 64)");
      }
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    resolve(call)
        .thenCompose(
            o ->
                AccountsApi.resolve(accounts, call.param("account"))
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
            (m, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "role not granted");
                return;
              }
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.roleGranted(
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      m.account().id(),
                      role,
                      m.organisation().id()),
                  200,
                  m.json().toString(),
                  "role granted");
            });
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
                AccountsApi.resolve(accounts, call.param("account"))
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
            (m, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "membership not removed");
                return;
              }
              ObjectNode out = m.json();
              out.put("removed", true);
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.roleRevoked(
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      m.account().id(),
                      m.role(),
                      m.organisation().id()),
                  200,
                  out.toString(),
                  "membership removed");
            });
  }

  /** Completes with the organisation a path names by id, else by slug; 404 when none. */
  private CompletionStage<Organisation> resolve(AdminCall call) {
    String key = AccountsApi.decoded(call.param("org"));
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
