package dev.bulwark.store.sqlite;

import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.memory.MemoryBanStore;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Bans that survive a restart: answered from the in-memory store (the request path never touches
 * the disk), written through to the embedded database with the address and reason sealed, each
 * bound to its row. A ban's stage completes once its row is written; when the write fails the ban
 * is taken back, so what is in force is what a restart finds.
 */
final class SqliteBanStore implements BanStore {
  static final String TABLE = "bans";
  private static final long PRUNE_INTERVAL_MILLIS = 60_000;

  private final MemoryBanStore memory;
  private final EmbeddedDatabase db;
  private final StoreHealth health;
  private final ConcurrentMap<String, String> rows = new ConcurrentHashMap<>();
  private final AtomicLong lastPrune = new AtomicLong();

  private SqliteBanStore(MemoryBanStore memory, EmbeddedDatabase db, StoreHealth health) {
    this.memory = memory;
    this.db = db;
    this.health = health;
  }

  /** Loads the bans in force from the database into {@code memory}, dropping ended ones. */
  static SqliteBanStore load(MemoryBanStore memory, EmbeddedDatabase db, StoreHealth health)
      throws SQLException {
    SqliteBanStore store = new SqliteBanStore(memory, db, health);
    db.await(
        c -> {
          store.loadAll(c);
          return Boolean.TRUE;
        });
    return store;
  }

  private void loadAll(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    deleteEnded(c, now);
    Keyring keyring = db.keyring();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT row_id, address, reason, until_ms, repeat, made_by FROM bans");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String row = r.getString(1);
        String address = keyring.openString(id(row, "address"), r.getBytes(2));
        String reason = keyring.openString(id(row, "reason"), r.getBytes(3));
        Ban ban = new Ban(address, r.getLong(4), reason, r.getInt(5), r.getString(6));
        memory.restore(ban);
        rows.put(address, row);
      }
    }
  }

  static RecordId id(String row, String column) {
    return new RecordId(TABLE, row, column);
  }

  @Override
  public @Nullable Ban active(String address) {
    return memory.active(address);
  }

  @Override
  public List<Ban> list() {
    return memory.list();
  }

  @Override
  public CompletionStage<Ban> ban(
      String address,
      Duration base,
      Duration max,
      Duration repeatMemory,
      String reason,
      String by) {
    return memory
        .ban(address, base, max, repeatMemory, reason, by)
        .thenCompose(
            ban -> {
              String row = rows.computeIfAbsent(address, a -> UUID.randomUUID().toString());
              return written(
                  db.submit(
                      c -> {
                        write(c, row, ban);
                        return ban;
                      }),
                  "ban",
                  () -> memory.lift(ban));
            });
  }

  private void write(Connection c, String row, Ban ban) throws SQLException {
    Keyring keyring = db.keyring();
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT OR REPLACE INTO bans (row_id, address, reason, until_ms, repeat, made_by)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      s.setString(1, row);
      s.setBytes(2, keyring.sealString(id(row, "address"), ban.address()));
      s.setBytes(3, keyring.sealString(id(row, "reason"), ban.reason()));
      s.setLong(4, ban.untilMillis());
      s.setInt(5, ban.repeat());
      s.setString(6, ban.by());
      s.executeUpdate();
    }
    long now = System.currentTimeMillis();
    long last = lastPrune.get();
    if (now - last >= PRUNE_INTERVAL_MILLIS && lastPrune.compareAndSet(last, now)) {
      deleteEnded(c, now);
      rows.keySet().removeIf(a -> memory.active(a) == null);
    }
  }

  private static void deleteEnded(Connection c, long now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM bans WHERE until_ms <= ?")) {
      s.setLong(1, now);
      s.executeUpdate();
    }
  }

  @Override
  public CompletionStage<Boolean> unban(String address) {
    Ban before = memory.active(address);
    String row = rows.remove(address);
    return memory
        .unban(address)
        .thenCompose(
            removed -> {
              if (row == null) {
                return CompletableFuture.completedFuture(removed);
              }
              return written(
                  db.submit(
                      c -> {
                        try (PreparedStatement s =
                            c.prepareStatement("DELETE FROM bans WHERE row_id = ?")) {
                          s.setString(1, row);
                          s.executeUpdate();
                        }
                        return removed;
                      }),
                  "unban",
                  () -> {
                    // The row is still there, so the ban would come back at the next start: keep
                    // it in force now too, and let the caller report the failure.
                    rows.putIfAbsent(address, row);
                    if (before != null) {
                      memory.restore(before);
                    }
                  });
            });
  }

  private <T> CompletionStage<T> written(
      CompletionStage<T> write, String operation, Runnable undo) {
    return write.whenComplete(
        (v, failure) -> {
          if (failure == null) {
            health.ok();
          } else {
            undo.run();
            health.failed(operation, failure);
          }
        });
  }

  @Override
  public CompletionStage<Long> strike(String rule, String address, Duration window) {
    return memory.strike(rule, address, window);
  }

  @Override
  public CompletionStage<Void> forgetStrikes(String rule, String address) {
    return memory.forgetStrikes(rule, address);
  }
}
