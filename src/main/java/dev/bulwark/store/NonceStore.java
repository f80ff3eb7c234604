package dev.bulwark.store;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Nonces seen recently, so that a signed request is accepted once: the first to present a key
 * remembers it for the caller's lifetime; every later one, on this gateway or (cluster store) on
 * any gateway sharing the store, is told it was seen. The lifetime and the bound are the caller's.
 */
public interface NonceStore {
  /**
   * Remembers {@code key} for {@code lifetime} unless it is remembered already; completes with true
   * when it was new, false when it was seen before (a replay), or exceptionally when the store
   * failed or is full (never by forgetting a remembered nonce early).
   */
  CompletionStage<Boolean> remember(String key, Duration lifetime);
}
