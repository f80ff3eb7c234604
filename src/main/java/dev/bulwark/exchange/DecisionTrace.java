package dev.bulwark.exchange;

import org.jspecify.annotations.Nullable;

/**
 * Receives the decisions made about one exchange as they happen: the route matched and why, each
 * policy entered on the way in with its stage, each verdict (proceed, deny with status and reason,
 * answer), and details a policy adds to its verdict (which limit counted, which rule allowed or
 * denied). Attached per exchange ({@link Exchange#trace(DecisionTrace)}); without one nothing is
 * recorded and nothing is allocated, so the live server pays one field check per step.
 *
 * <p>Stages are named by their {@code Stage} constant ({@code RATE_LIMIT}); a null stage means the
 * gateway itself decided, before or after the stages (no route, a body over the route's limit, a
 * banned client). Every method does nothing by default.
 */
public interface DecisionTrace {
  /** The request matched {@code route}; {@code why} says by what (host, path pattern, method). */
  default void routed(String route, String why) {}

  /** The request entered {@code policy} at {@code stage} on its way in. */
  default void entered(String stage, String policy) {}

  /** The policy entered last let the request through. */
  default void proceeded(String stage, String policy) {}

  /** The exchange was refused by {@code by} with {@code status}; the reason is never sent. */
  default void denied(@Nullable String stage, String by, int status, String reason) {}

  /** {@code by} answered the request itself (a preflight's 204, forward-auth's 200). */
  default void answered(@Nullable String stage, String by, int status) {}

  /** Every stage let the request through: it goes to the route's upstream. */
  default void forwarded(String route, String upstream) {}

  /**
   * A detail of {@code by}'s verdict. Build the text only when {@link Exchange#trace()} is not
   * null, so that an untraced exchange allocates nothing for it.
   */
  default void note(String by, String detail) {}
}
