package dev.bulwark.policy.authn;

import dev.bulwark.identity.Caller;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Tokens already verified, keyed by the full token text, so steady traffic costs one hash lookup;
 * bounded (an arbitrary entry is dropped when full), never serving a token at or past its {@code
 * exp}, nor at a time earlier than the one it was verified at (a clock set back, as a fixture's
 * {@code time} does, may be before its {@code nbf}: it is verified again).
 */
final class VerifiedTokens {
  private record Verified(Caller caller, long atSeconds) {}

  private final ConcurrentHashMap<String, Verified> map = new ConcurrentHashMap<>();
  private final int max;

  VerifiedTokens(int max) {
    this.max = max;
  }

  /** Returns the caller of a token verified at or before {@code nowSeconds}, unexpired, or null. */
  @Nullable Caller get(String token, long nowSeconds) {
    if (max == 0) {
      return null;
    }
    Verified v = map.get(token);
    if (v == null) {
      return null;
    }
    if (v.caller().expiresAt() <= nowSeconds) {
      map.remove(token, v);
      return null;
    }
    return nowSeconds < v.atSeconds() ? null : v.caller();
  }

  /** Keeps the caller of a token verified at {@code nowSeconds}. */
  void put(String token, Caller caller, long nowSeconds) {
    if (max == 0) {
      return;
    }
    if (map.size() >= max) {
      Iterator<String> it = map.keySet().iterator();
      for (int i = 0; i < 16 && it.hasNext(); i++) {
        it.next();
        it.remove();
      }
    }
    map.put(token, new Verified(caller, nowSeconds));
  }

  int size() {
    return map.size();
  }
}
