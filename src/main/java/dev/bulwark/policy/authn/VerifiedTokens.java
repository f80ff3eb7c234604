package dev.bulwark.policy.authn;

import dev.bulwark.identity.Caller;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Tokens already verified, keyed by the full token text, so steady traffic costs one hash lookup;
 * bounded (an arbitrary entry is dropped when full) and never serving a token at or past its {@code
 * exp}.
 */
final class VerifiedTokens {
  private final ConcurrentHashMap<String, Caller> map = new ConcurrentHashMap<>();
  private final int max;

  VerifiedTokens(int max) {
    this.max = max;
  }

  /** Returns the caller of a verified token that has not expired, or null. */
  @Nullable Caller get(String token, long nowSeconds) {
    if (max == 0) {
      return null;
    }
    Caller c = map.get(token);
    if (c != null && c.expiresAt() <= nowSeconds) {
      map.remove(token, c);
      return null;
    }
    return c;
  }

  void put(String token, Caller caller) {
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
    map.put(token, caller);
  }

  int size() {
    return map.size();
  }
}
