package dev.bulwark.identity.tokens;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Whom an access token speaks for, as the account store knows it now: the account id ({@code sub}),
 * its roles ({@code roles}) and the organisations it is a member of ({@code orgs}, read by {@code
 * member-of:{org}} rules).
 */
public record TokenSubject(String account, Set<String> roles, Set<String> organisations) {
  public TokenSubject {
    requireNonNull(account, "account");
    if (account.isEmpty() || account.length() > 256) {
      throw new IllegalArgumentException(
          "account: " + account.length() + " characters (expected: 1 to 256)");
    }
    roles = Set.copyOf(roles);
    organisations = Set.copyOf(organisations);
  }
}
