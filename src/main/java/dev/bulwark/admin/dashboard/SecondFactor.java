package dev.bulwark.admin.dashboard;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The hook for a second sign-in step after the admin token, for when accounts with a second factor
 * guard the dashboard: given the sign-in form's fields and the caller's address, it completes with
 * null to let the sign-in through, or with the one-line reason to refuse it. {@link #NONE} (the
 * bootstrap admin token alone) is what the gateway uses until identity provides one.
 */
@FunctionalInterface
public interface SecondFactor {
  /** No second step: the admin token alone signs in. */
  SecondFactor NONE = (form, address) -> CompletableFuture.completedFuture(null);

  /**
   * Checks the fields of the sign-in form (a {@code code} field, for example) after the admin token
   * was accepted; never fails exceptionally.
   */
  CompletableFuture<@Nullable String> check(Map<String, String> form, String address);
}
