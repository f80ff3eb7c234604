package dev.bulwark.policy;

import org.jspecify.annotations.Nullable;

/**
 * A check of the client that every exchange meets at the edge, before it is routed or parsed
 * further (a banned client): it decides from the client address alone, synchronously.
 */
public interface ClientCheck {
  /** Returns how the client is refused, or null when it may go on. */
  @Nullable Refusal check(String clientAddress);
}
