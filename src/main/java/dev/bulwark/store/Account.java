package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An account as the store holds it: a stable random id, the login name as it was given, the email
 * address and whether it was verified, a display name, whether it may log in, when it was created
 * and last changed, the password hash (PHC string, opaque to the store), whether a TOTP secret is
 * enrolled, and the version that {@link AccountStore#update} compares before it writes.
 */
public record Account(
    String id,
    String loginName,
    @Nullable String email,
    boolean emailVerified,
    String displayName,
    AccountStatus status,
    Instant created,
    Instant updated,
    @Nullable String passwordHash,
    boolean totpEnrolled,
    long version) {
  public Account {
    requireNonNull(id, "id");
    requireNonNull(loginName, "loginName");
    requireNonNull(displayName, "displayName");
    requireNonNull(status, "status");
    requireNonNull(created, "created");
    requireNonNull(updated, "updated");
  }

  /** Returns this account with another email address, unverified unless {@code verified}. */
  public Account withEmail(@Nullable String newEmail, boolean verified) {
    return new Account(
        id,
        loginName,
        newEmail,
        verified,
        displayName,
        status,
        created,
        updated,
        passwordHash,
        totpEnrolled,
        version);
  }

  /** Returns this account with another display name. */
  public Account withDisplayName(String name) {
    return new Account(
        id,
        loginName,
        email,
        emailVerified,
        name,
        status,
        created,
        updated,
        passwordHash,
        totpEnrolled,
        version);
  }

  /** Returns this account with another status. */
  public Account withStatus(AccountStatus newStatus) {
    return new Account(
        id,
        loginName,
        email,
        emailVerified,
        displayName,
        newStatus,
        created,
        updated,
        passwordHash,
        totpEnrolled,
        version);
  }

  /** Returns this account with another password hash (or none: no password login). */
  public Account withPasswordHash(@Nullable String hash) {
    return new Account(
        id,
        loginName,
        email,
        emailVerified,
        displayName,
        status,
        created,
        updated,
        hash,
        totpEnrolled,
        version);
  }

  /** Names the account by its id only: personal data never reaches a log through toString. */
  @Override
  public String toString() {
    return "Account[" + id + ", " + status + ", version " + version + "]";
  }
}
