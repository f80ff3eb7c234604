package dev.bulwark.admin.dashboard;

import dev.bulwark.admin.AdminCall;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How an operator signs in to the dashboard with an account instead of the admin token: given the
 * sign-in form, it answers who signed in or why not. {@link #TOKEN} (no accounts: the admin token
 * signs in) is what the gateway uses without {@code admin.dashboard}.
 */
public interface OperatorSignIn {
  /** No accounts: the dashboard asks for the admin token. */
  OperatorSignIn TOKEN =
      new OperatorSignIn() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void signIn(AdminCall call, Map<String, String> form, Consumer<Outcome> then) {
          then.accept(Outcome.refused(403, "Sign-in with accounts is off."));
        }
      };

  /**
   * What a sign-in came to: the operator's login name, or the status and one-line message of the
   * refusal (with the seconds to wait for a {@code 429}).
   *
   * @param operator the login name of the signed-in admin, or null when refused
   * @param status 303 when signed in, else the refusal's status
   * @param message the refusal shown on the sign-in page, or null when signed in
   * @param retryAfterSeconds the seconds to wait before trying again, or 0
   */
  record Outcome(
      @Nullable String operator, int status, @Nullable String message, long retryAfterSeconds) {
    /** A signed-in admin. */
    public static Outcome signedIn(String operator) {
      return new Outcome(operator, 303, null, 0);
    }

    /** A refusal. */
    public static Outcome refused(int status, String message) {
      return new Outcome(null, status, message, 0);
    }

    /** A refusal until the throttle lets this address try again. */
    public static Outcome throttled(long retryAfterSeconds) {
      return new Outcome(
          null,
          429,
          "Too many failed sign-ins from this address; try again in "
              + retryAfterSeconds
              + " seconds.",
          retryAfterSeconds);
    }
  }

  /** Returns whether the sign-in asks for a login name, a password and a code (now). */
  boolean enabled();

  /**
   * Checks the form's {@code login}, {@code password} and {@code code} fields and runs {@code then}
   * once with the outcome; never throws.
   */
  void signIn(AdminCall call, Map<String, String> form, Consumer<Outcome> then);
}
