package dev.bulwark.store.sqlite;

import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;

/**
 * Fills a data directory with N sealed ban rows, as the embedded store writes them, for measuring
 * backup and restore at scale (docs/backups.md); not a test. Usage: {@code FillBans DATA_DIR
 * KEY_FILE N}.
 */
public final class FillBans {
  private FillBans() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path keyFile = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    MasterKey key =
        MasterKey.parse(
            Files.readString(keyFile, StandardCharsets.US_ASCII), "${file:" + keyFile + "}");
    long until = System.currentTimeMillis() + 30L * 24 * 3600 * 1000;
    Keyring ring;
    try (EmbeddedDatabase db = EmbeddedDatabase.open(dir, key)) {
      ring = db.keyring(); // creates the schema and the first data key
    }
    try (Connection c = EmbeddedDatabase.connect(dir.resolve(DataDirectory.DATABASE))) {
      c.setAutoCommit(false);
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO bans (row_id, address, reason, until_ms, repeat, made_by)"
                  + " VALUES (?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < n; i++) {
          String row = UUID.randomUUID().toString();
          String address = "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
          s.setString(1, row);
          s.setBytes(2, ring.sealString(SqliteBanStore.id(row, "address"), address));
          s.setBytes(
              3, ring.sealString(SqliteBanStore.id(row, "reason"), "20 failed logins in 1m"));
          s.setLong(4, until);
          s.setInt(5, 0);
          s.setString(6, "login-failures");
          s.addBatch();
          if (i % 10_000 == 9_999) {
            s.executeBatch();
            c.commit();
          }
        }
        s.executeBatch();
        c.commit();
      }
    }
    System.out.println(dir + ": " + n + " sealed ban rows");
  }
}
