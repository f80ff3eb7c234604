package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * What an account is created from: the login name as the user typed it, its normalised form (the
 * caller's normalisation: the unique key that two names equal to a person share), an email address
 * and whether it is already verified, a display name and a password hash (PHC string), or none.
 */
public record NewAccount(
    String loginName,
    String normalisedLogin,
    @Nullable String email,
    boolean emailVerified,
    String displayName,
    @Nullable String passwordHash) {
  public NewAccount {
    requireNonNull(loginName, "loginName");
    requireNonNull(normalisedLogin, "normalisedLogin");
    requireNonNull(displayName, "displayName");
  }

  /** Names the account by nothing personal (this value may reach a log). */
  @Override
  public String toString() {
    return "NewAccount[" + loginName.length() + " chars]";
  }
}
