package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

/** An account's membership of an organisation, with its role there (a name the caller defines). */
public record Membership(String accountId, String organisationId, String role) {
  public Membership {
    requireNonNull(accountId, "accountId");
    requireNonNull(organisationId, "organisationId");
    requireNonNull(role, "role");
  }
}
