package dev.bulwark.store.memory;

import dev.bulwark.store.SigningKeyRecord;
import dev.bulwark.store.SigningKeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token-signing keys in this process's memory: a restart makes new ones, so every token signed
 * before it stops verifying. Retired keys (past their publication) are dropped as keys are added.
 */
public final class MemorySigningKeyStore implements SigningKeyStore {
  /** More keys than rotation ever keeps published at once; a bound, never reached in use. */
  static final int MAX_KEYS = 64;

  private volatile List<SigningKeyRecord> keys = List.of();

  @Override
  public List<SigningKeyRecord> keys() {
    long now = System.currentTimeMillis();
    List<SigningKeyRecord> all = keys;
    for (SigningKeyRecord k : all) {
      if (!k.publishedAt(now)) {
        return all.stream().filter(r -> r.publishedAt(now)).toList();
      }
    }
    return all;
  }

  @Override
  public CompletionStage<Void> add(SigningKeyRecord key) {
    keep(key);
    return CompletableFuture.completedFuture(null);
  }

  /** Keeps a key (a new one, or one read back from durable storage). */
  public synchronized void keep(SigningKeyRecord key) {
    long now = System.currentTimeMillis();
    List<SigningKeyRecord> next = new ArrayList<>();
    for (SigningKeyRecord k : keys) {
      if (k.publishedAt(now) && !k.kid().equals(key.kid())) {
        next.add(k);
      }
    }
    next.add(key);
    while (next.size() > MAX_KEYS) {
      next.remove(0);
    }
    keys = List.copyOf(next);
  }

  @Override
  public CompletionStage<Boolean> refresh() {
    return CompletableFuture.completedFuture(false);
  }
}
