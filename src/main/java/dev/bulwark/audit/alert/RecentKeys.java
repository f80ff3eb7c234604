package dev.bulwark.audit.alert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The keys one rule counts, at most {@code max}: when a new key would exceed it, the key seen least
 * recently is forgotten. A flood of distinct keys (addresses, made-up account names) costs bounded
 * memory, and a key that keeps recurring — a real burst — stays counted unless {@code max} other
 * keys come between two of its events. (A frequency-based cache such as Caffeine's refuses new keys
 * during such a flood, which would restart a burst's count on every event.) Thread-safe.
 */
final class RecentKeys {
  private final int max;
  private final LinkedHashMap<String, KeyWindow> keys;

  RecentKeys(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
    }
    this.max = max;
    this.keys =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, KeyWindow> eldest) {
            return this.size() > RecentKeys.this.max;
          }
        };
  }

  /** Returns the window of {@code key}, made by {@code make} when the key is new. */
  synchronized KeyWindow get(String key, Supplier<KeyWindow> make) {
    KeyWindow w = keys.get(key);
    if (w == null) {
      w = make.get();
      keys.put(key, w);
    }
    return w;
  }

  /** Returns how many keys are counted. */
  synchronized int size() {
    return keys.size();
  }
}
