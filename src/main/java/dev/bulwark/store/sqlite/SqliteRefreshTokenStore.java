package dev.bulwark.store.sqlite;

import dev.bulwark.store.RefreshFamily;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.Rotation;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.memory.MemoryRefreshTokenStore;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Refresh-token families that survive a restart: decided in memory ({@link
 * MemoryRefreshTokenStore}, one winner per family), every change written through to the embedded
 * database in the order it was made, with the client address, user agent and rotation nonce sealed
 * to their row. An operation completes once its writes are on disk (exceptionally when one failed,
 * counted in the store's health).
 */
final class SqliteRefreshTokenStore implements RefreshTokenStore, MemoryRefreshTokenStore.Changes {
  static final String FAMILIES = "refresh_families";

  private final EmbeddedDatabase db;
  private final StoreHealth health;
  private final MemoryRefreshTokenStore memory;

  /** The writes queued by the operation running on this thread (changes arrive synchronously). */
  private final ThreadLocal<List<CompletionStage<?>>> pending = new ThreadLocal<>();

  private SqliteRefreshTokenStore(EmbeddedDatabase db, StoreHealth health, long max) {
    this.db = db;
    this.health = health;
    this.memory = new MemoryRefreshTokenStore(max, this);
  }

  /** Loads the live families and the revocations in force (start-up only). */
  static SqliteRefreshTokenStore load(EmbeddedDatabase db, StoreHealth health, long max)
      throws SQLException {
    SqliteRefreshTokenStore store = new SqliteRefreshTokenStore(db, health, max);
    db.await(
        c -> {
          store.loadAll(c);
          return Boolean.TRUE;
        });
    return store;
  }

  private void loadAll(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM revoked_sessions WHERE until_ms <= ?")) {
      s.setLong(1, now);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("SELECT sid, until_ms FROM revoked_sessions");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        memory.restoreRevoked(r.getString(1), r.getLong(2), now);
      }
    }
    Keyring keyring = db.keyring();
    List<String> ended = new ArrayList<>();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT sid, account, created_ms, last_used_ms, absolute_ms, idle_ms, generation,"
                    + " current_hash, previous_hash, rotated_ms, nonce, amr, address, user_agent"
                    + " FROM refresh_families");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String sid = r.getString(1);
        byte[] nonce = r.getBytes(11);
        String amr = r.getString(12);
        RefreshFamily f =
            new RefreshFamily(
                sid,
                r.getString(2),
                r.getLong(3),
                r.getLong(4),
                r.getLong(5),
                r.getLong(6),
                r.getLong(7),
                r.getString(8),
                r.getString(9),
                r.getLong(10),
                nonce == null ? null : keyring.openString(id(sid, "nonce"), nonce),
                amr.isEmpty() ? List.of() : Arrays.asList(amr.split(" ")),
                keyring.openString(id(sid, "address"), r.getBytes(13)),
                keyring.openString(id(sid, "user_agent"), r.getBytes(14)));
        if (f.endedAt(now)) {
          ended.add(sid);
        } else {
          memory.restore(f, now);
        }
      }
    }
    for (String sid : ended) {
      delete(c, sid);
    }
  }

  static RecordId id(String sid, String column) {
    return new RecordId(FAMILIES, sid, column);
  }

  @Override
  public void saved(RefreshFamily f) {
    queue(
        db.submit(
            c -> {
              write(c, f);
              return Boolean.TRUE;
            }));
  }

  @Override
  public void removed(String sid, long revokedUntilMillis) {
    queue(
        db.submit(
            c -> {
              delete(c, sid);
              if (revokedUntilMillis > 0) {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "INSERT OR REPLACE INTO revoked_sessions (sid, until_ms) VALUES (?, ?)")) {
                  s.setString(1, sid);
                  s.setLong(2, revokedUntilMillis);
                  s.executeUpdate();
                }
              }
              return Boolean.TRUE;
            }));
  }

  private void queue(CompletionStage<?> write) {
    List<CompletionStage<?>> list = pending.get();
    if (list != null) {
      list.add(write);
    }
  }

  private void write(Connection c, RefreshFamily f) throws SQLException {
    Keyring keyring = db.keyring();
    String nonce = f.nonce();
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT OR REPLACE INTO refresh_families (sid, account, created_ms, last_used_ms,"
                + " absolute_ms, idle_ms, generation, current_hash, previous_hash, rotated_ms,"
                + " nonce, amr, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?)")) {
      s.setString(1, f.sid());
      s.setString(2, f.account());
      s.setLong(3, f.createdMillis());
      s.setLong(4, f.lastUsedMillis());
      s.setLong(5, f.absoluteExpiryMillis());
      s.setLong(6, f.idleMillis());
      s.setLong(7, f.generation());
      s.setString(8, f.currentHash());
      s.setString(9, f.previousHash());
      s.setLong(10, f.rotatedMillis());
      s.setBytes(11, nonce == null ? null : keyring.sealString(id(f.sid(), "nonce"), nonce));
      s.setString(12, String.join(" ", f.amr()));
      s.setBytes(13, keyring.sealString(id(f.sid(), "address"), f.address()));
      s.setBytes(14, keyring.sealString(id(f.sid(), "user_agent"), f.userAgent()));
      s.executeUpdate();
    }
  }

  private static void delete(Connection c, String sid) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM refresh_families WHERE sid = ?")) {
      s.setString(1, sid);
      s.executeUpdate();
    }
  }

  /** Runs a memory operation and completes once the writes it made are on disk. */
  private <T> CompletionStage<T> writtenThrough(
      String operation, java.util.function.Supplier<CompletionStage<T>> op) {
    List<CompletionStage<?>> writes = new ArrayList<>();
    pending.set(writes);
    CompletionStage<T> decided;
    try {
      decided = op.get();
    } finally {
      pending.remove();
    }
    CompletableFuture<?>[] all = new CompletableFuture<?>[writes.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = writes.get(i).toCompletableFuture();
    }
    return CompletableFuture.allOf(all)
        .thenCombine(decided, (x, v) -> v)
        .whenComplete(
            (v, failure) -> {
              if (failure == null) {
                health.ok();
              } else {
                health.failed(operation, failure);
              }
            });
  }

  @Override
  public CompletionStage<RefreshFamily> create(
      RefreshFamily family, int maxPerAccount, Duration keepRevoked) {
    return writtenThrough(
        "session-create", () -> memory.create(family, maxPerAccount, keepRevoked));
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
    return writtenThrough(
        "session-rotate",
        () ->
            memory.rotate(
                sid, presentedHash, nextHash, nonce, nowMillis, grace, keepRevoked, address));
  }

  @Override
  public CompletionStage<Boolean> revoke(String sid, long nowMillis, Duration keepRevoked) {
    return writtenThrough("session-revoke", () -> memory.revoke(sid, nowMillis, keepRevoked));
  }

  @Override
  public CompletionStage<Integer> revokeAccount(
      String account, long nowMillis, Duration keepRevoked) {
    return writtenThrough(
        "session-revoke", () -> memory.revokeAccount(account, nowMillis, keepRevoked));
  }

  @Override
  public CompletionStage<List<RefreshFamily>> sessions(String account, long nowMillis) {
    return memory.sessions(account, nowMillis);
  }

  @Override
  public boolean revoked(String sid) {
    return memory.revoked(sid);
  }
}
