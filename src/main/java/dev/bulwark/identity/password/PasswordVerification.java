package dev.bulwark.identity.password;

/**
 * What checking a password against a stored hash found.
 *
 * @param matches whether the password is the one hashed (always false for an unknown user)
 * @param needsRehash whether the stored hash should be replaced by one made with the current cost
 *     (only meaningful when it matches: the password is known in clear only then)
 */
public record PasswordVerification(boolean matches, boolean needsRehash) {
  /** A password that does not match. */
  public static final PasswordVerification NO_MATCH = new PasswordVerification(false, false);
}
