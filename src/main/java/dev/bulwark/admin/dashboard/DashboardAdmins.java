package dev.bulwark.admin.dashboard;

import static java.util.Objects.requireNonNull;

import dev.bulwark.config.AdminConfig;
import dev.bulwark.store.Account;
import dev.bulwark.store.OrganisationStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Who is a dashboard admin: an account holding the role {@code admin.dashboard.role} (default
 * {@code admin}) in the organisation {@code admin.dashboard.organisation}, as the current
 * configuration names them (a reload applies to the next sign-in). Like a realm-admin role in the
 * operators' own realm: the gateway's other organisations grant nothing here.
 */
final class DashboardAdmins {
  /** The most memberships of one account looked through. */
  static final int MAX_MEMBERSHIPS = 1000;

  private final Supplier<AdminConfig> config;
  private final OrganisationStore organisations;

  DashboardAdmins(Supplier<AdminConfig> config, OrganisationStore organisations) {
    this.config = requireNonNull(config, "config");
    this.organisations = requireNonNull(organisations, "organisations");
  }

  /** Returns whether the dashboard asks for accounts now. */
  boolean enabled() {
    return config.get().dashboardOrganisation() != null;
  }

  /** Returns the role and organisation that make an admin, as the refusal names them. */
  String describe() {
    AdminConfig c = config.get();
    return "role " + c.dashboardRole() + " in organisation " + c.dashboardOrganisation();
  }

  /** Completes with whether {@code account} is a dashboard admin now. */
  CompletionStage<Boolean> isAdmin(Account account) {
    AdminConfig c = config.get();
    String slug = c.dashboardOrganisation();
    if (slug == null) {
      return CompletableFuture.completedFuture(false);
    }
    String role = c.dashboardRole();
    return organisations
        .bySlug(slug)
        .thenCompose(
            org ->
                org.isEmpty()
                    ? CompletableFuture.completedFuture(false)
                    : organisations
                        .membershipsOf(account.id(), MAX_MEMBERSHIPS)
                        .thenApply(
                            list ->
                                list.stream()
                                    .anyMatch(
                                        m ->
                                            m.organisationId().equals(org.get().id())
                                                && m.role().equals(role))));
  }
}
