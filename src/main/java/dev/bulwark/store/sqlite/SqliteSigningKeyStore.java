package dev.bulwark.store.sqlite;

import dev.bulwark.store.SigningKeyRecord;
import dev.bulwark.store.SigningKeyStore;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.memory.MemorySigningKeyStore;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token-signing keys that survive a restart: kept in memory, each written to the embedded database
 * with its private JWK sealed to its row before it is used; retired keys are deleted as new ones
 * are added.
 */
final class SqliteSigningKeyStore implements SigningKeyStore {
  static final String TABLE = "signing_keys";

  private final MemorySigningKeyStore memory = new MemorySigningKeyStore();
  private final EmbeddedDatabase db;
  private final StoreHealth health;

  private SqliteSigningKeyStore(EmbeddedDatabase db, StoreHealth health) {
    this.db = db;
    this.health = health;
  }

  /** Loads the keys still published (start-up only). */
  static SqliteSigningKeyStore load(EmbeddedDatabase db, StoreHealth health) throws SQLException {
    SqliteSigningKeyStore store = new SqliteSigningKeyStore(db, health);
    db.await(
        c -> {
          store.loadAll(c);
          return Boolean.TRUE;
        });
    return store;
  }

  private void loadAll(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    deleteRetired(c, now);
    Keyring keyring = db.keyring();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT kid, algorithm, public_jwk, private_jwk, created_ms, sign_until_ms,"
                    + " publish_until_ms FROM signing_keys ORDER BY created_ms");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String kid = r.getString(1);
        memory.keep(
            new SigningKeyRecord(
                kid,
                r.getString(2),
                r.getString(3),
                keyring.openString(id(kid), r.getBytes(4)),
                r.getLong(5),
                r.getLong(6),
                r.getLong(7)));
      }
    }
  }

  static RecordId id(String kid) {
    return new RecordId(TABLE, kid, "private_jwk");
  }

  private static void deleteRetired(Connection c, long now) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM signing_keys WHERE publish_until_ms <= ?")) {
      s.setLong(1, now);
      s.executeUpdate();
    }
  }

  @Override
  public List<SigningKeyRecord> keys() {
    return memory.keys();
  }

  @Override
  public CompletionStage<Void> add(SigningKeyRecord key) {
    String priv = Objects.requireNonNull(key.privateJwk(), "privateJwk");
    return db.<Boolean>submit(
            c -> {
              try (PreparedStatement s =
                  c.prepareStatement(
                      "INSERT OR REPLACE INTO signing_keys (kid, algorithm, public_jwk,"
                          + " private_jwk, created_ms, sign_until_ms, publish_until_ms) VALUES (?,"
                          + " ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, key.kid());
                s.setString(2, key.algorithm());
                s.setString(3, key.publicJwk());
                s.setBytes(4, db.keyring().sealString(id(key.kid()), priv));
                s.setLong(5, key.createdMillis());
                s.setLong(6, key.signUntilMillis());
                s.setLong(7, key.publishUntilMillis());
                s.executeUpdate();
              }
              deleteRetired(c, System.currentTimeMillis());
              return Boolean.TRUE;
            })
        .whenComplete(
            (v, failure) -> {
              if (failure == null) {
                memory.keep(key);
                health.ok();
              } else {
                health.failed("signing-key", failure);
              }
            })
        .thenAccept(ok -> {});
  }

  @Override
  public CompletionStage<Boolean> refresh() {
    return CompletableFuture.completedFuture(false);
  }
}
