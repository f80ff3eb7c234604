package dev.bulwark.store.memory;

import dev.bulwark.store.RefreshFamily;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.Rotation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Refresh-token families in this process's memory: each decision on a family is made under that
 * family's lock (one winner among parallel rotations), and at most {@code max} families and revoked
 * sessions are held together. A durable store listens to every change ({@link Changes}) and writes
 * it through.
 */
public final class MemoryRefreshTokenStore implements RefreshTokenStore {
  /** Receives every change, synchronously, in the order made for each session. */
  public interface Changes {
    /** A family was created or rotated: it is now {@code family}. */
    void saved(RefreshFamily family);

    /**
     * A family is gone: revoked (remembered until {@code revokedUntilMillis}) or, when that is 0,
     * ended.
     */
    void removed(String sid, long revokedUntilMillis);
  }

  private static final Changes NONE =
      new Changes() {
        @Override
        public void saved(RefreshFamily family) {}

        @Override
        public void removed(String sid, long revokedUntilMillis) {}
      };

  private final ConcurrentMap<String, RefreshFamily> families = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Set<String>> byAccount = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Long> revoked = new ConcurrentHashMap<>();
  private final long max;
  private final Changes changes;

  /** Holds at most {@code max} families and revoked sessions together. */
  public MemoryRefreshTokenStore(long max) {
    this(max, NONE);
  }

  /** As {@link #MemoryRefreshTokenStore(long)}, telling {@code changes} of every change. */
  public MemoryRefreshTokenStore(long max, Changes changes) {
    this.max = max;
    this.changes = changes;
  }

  /** Puts back a family read from durable storage, unless it has ended. */
  public void restore(RefreshFamily family, long nowMillis) {
    if (!family.endedAt(nowMillis)) {
      families.put(family.sid(), family);
      byAccount
          .computeIfAbsent(family.account(), a -> ConcurrentHashMap.newKeySet())
          .add(family.sid());
    }
  }

  /** Puts back a revocation read from durable storage, unless it has lapsed. */
  public void restoreRevoked(String sid, long untilMillis, long nowMillis) {
    if (untilMillis > nowMillis) {
      revoked.put(sid, untilMillis);
    }
  }

  @Override
  public CompletionStage<RefreshFamily> create(
      RefreshFamily family, int maxPerAccount, Duration keepRevoked) {
    long now = family.createdMillis();
    synchronized (this) {
      if (families.size() + revoked.size() >= max) {
        purge(now);
        if (families.size() + revoked.size() >= max) {
          return CompletableFuture.failedFuture(
              new IllegalStateException("refresh-token store full (" + max + " sessions)"));
        }
      }
      List<RefreshFamily> live = live(family.account(), now);
      for (int i = 0; i <= live.size() - Math.max(1, maxPerAccount); i++) {
        revokeNow(live.get(i).sid(), now + keepRevoked.toMillis());
      }
      byAccount
          .computeIfAbsent(family.account(), a -> ConcurrentHashMap.newKeySet())
          .add(family.sid());
      families.put(family.sid(), family);
      changes.saved(family);
    }
    return CompletableFuture.completedFuture(family);
  }

  @Override
  public CompletionStage<Rotation> rotate(
      String sid,
      String presentedHash,
      String nextHash,
      String nonce,
      long nowMillis,
      Duration grace,
      Duration keepRevoked,
      String address) {
    Rotation[] out = {new Rotation.Refused(Rotation.Refusal.UNKNOWN)};
    families.computeIfPresent(
        sid,
        (k, f) -> {
          if (f.endedAt(nowMillis)) {
            out[0] = new Rotation.Refused(Rotation.Refusal.ENDED);
            forget(f);
            changes.removed(sid, 0);
            return null;
          }
          if (same(presentedHash, f.currentHash())) {
            RefreshFamily next = f.rotated(nextHash, nonce, nowMillis, address);
            out[0] = new Rotation.Exchanged(next, nonce, false);
            changes.saved(next);
            return next;
          }
          String previous = f.previousHash();
          String stored = f.nonce();
          if (previous != null
              && stored != null
              && same(presentedHash, previous)
              && withinGrace(f.rotatedMillis(), nowMillis, grace)) {
            out[0] = new Rotation.Exchanged(f, stored, true);
            return f;
          }
          out[0] = new Rotation.Reused(f);
          forget(f);
          long until = nowMillis + keepRevoked.toMillis();
          revoked.put(sid, until);
          changes.removed(sid, until);
          return null;
        });
    return CompletableFuture.completedFuture(out[0]);
  }

  /**
   * Returns whether a token rotated away at {@code rotated} may be presented again at {@code now}.
   */
  public static boolean withinGrace(long rotatedMillis, long nowMillis, Duration grace) {
    return !grace.isZero() && nowMillis - rotatedMillis <= grace.toMillis();
  }

  /** Compares two hashes in constant time. */
  public static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public CompletionStage<Boolean> revoke(String sid, long nowMillis, Duration keepRevoked) {
    return CompletableFuture.completedFuture(revokeNow(sid, nowMillis + keepRevoked.toMillis()));
  }

  private boolean revokeNow(String sid, long untilMillis) {
    boolean[] live = {false};
    families.computeIfPresent(
        sid,
        (k, f) -> {
          live[0] = true;
          forget(f);
          revoked.put(sid, untilMillis);
          changes.removed(sid, untilMillis);
          return null;
        });
    return live[0];
  }

  @Override
  public CompletionStage<Integer> revokeAccount(
      String account, long nowMillis, Duration keepRevoked) {
    int n = 0;
    Set<String> sids = byAccount.get(account);
    if (sids != null) {
      for (String sid : List.copyOf(sids)) {
        if (revokeNow(sid, nowMillis + keepRevoked.toMillis())) {
          n++;
        }
      }
    }
    return CompletableFuture.completedFuture(n);
  }

  @Override
  public CompletionStage<List<RefreshFamily>> sessions(String account, long nowMillis) {
    return CompletableFuture.completedFuture(live(account, nowMillis));
  }

  private List<RefreshFamily> live(String account, long nowMillis) {
    Set<String> sids = byAccount.get(account);
    List<RefreshFamily> out = new ArrayList<>();
    if (sids != null) {
      for (String sid : sids) {
        RefreshFamily f = families.get(sid);
        if (f != null && !f.endedAt(nowMillis)) {
          out.add(f);
        }
      }
    }
    out.sort(Comparator.comparingLong(RefreshFamily::createdMillis));
    return out;
  }

  @Override
  public boolean revoked(String sid) {
    Long until = revoked.get(sid);
    return until != null && until > System.currentTimeMillis();
  }

  /** Returns how many families are held (live or ended but not yet purged). */
  public int size() {
    return families.size();
  }

  private void forget(RefreshFamily f) {
    byAccount.computeIfPresent(
        f.account(),
        (a, set) -> {
          set.remove(f.sid());
          return set.isEmpty() ? null : set;
        });
  }

  private void purge(long nowMillis) {
    for (Map.Entry<String, RefreshFamily> e : families.entrySet()) {
      if (e.getValue().endedAt(nowMillis)) {
        families.computeIfPresent(
            e.getKey(),
            (k, f) -> {
              if (!f.endedAt(nowMillis)) {
                return f;
              }
              forget(f);
              changes.removed(k, 0);
              return null;
            });
      }
    }
    revoked.values().removeIf(until -> until <= nowMillis);
  }

  /** Returns the revocation end of a session, or null (for durable stores' tests). */
  @Nullable Long revokedUntil(String sid) {
    return revoked.get(sid);
  }
}
