package dev.bulwark.store.sql;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.ConsumedToken;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoredFieldLimits;
import dev.bulwark.store.TotpSecret;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.LookupKey;
import dev.bulwark.store.sealed.RecordId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Accounts in a SQL database. The login name, email address, display name, password hash, TOTP
 * secret and recovery code hashes are sealed, each bound to its account and column; the account is
 * found by its login through a keyed hash of the normalised login name ({@link LookupKey}), unique
 * in the table; one-time tokens are kept as a keyed hash of their hash. Only ids, the status, the
 * email's verified flag, times, the last TOTP step and a version are in clear.
 */
public final class SqlAccountStore implements AccountStore {
  static final String ACCOUNTS = "accounts";
  static final String RECOVERY = "recovery_codes";
  private static final String COLUMNS =
      "id, login_name, email, email_verified, display_name, status, created_ms, updated_ms,"
          + " password_hash, totp_secret IS NOT NULL, version";
  private static final String DELETED = "deleted";
  private static final List<String> ERASE_CHILDREN =
      List.of(
          "DELETE FROM recovery_codes WHERE account_id = ?",
          "DELETE FROM one_time_tokens WHERE account_id = ?",
          "DELETE FROM memberships WHERE account_id = ?");
  private static final long PRUNE_INTERVAL_MILLIS = 60_000;

  private final SqlRunner runner;
  private final Keyring keyring;
  private final SqlDialect dialect;
  private final LookupKey loginKey;
  private final LookupKey tokenKey;
  private final AtomicLong lastPrune = new AtomicLong();

  public SqlAccountStore(SqlRunner runner, Keyring keyring, SqlDialect dialect) {
    this.runner = runner;
    this.keyring = keyring;
    this.dialect = dialect;
    this.loginKey = keyring.lookupKey("accounts.login");
    this.tokenKey = keyring.lookupKey("one_time_tokens.token");
  }

  private static RecordId id(String account, String column) {
    return new RecordId(ACCOUNTS, account, column);
  }

  private byte @Nullable [] seal(String account, String column, @Nullable String value) {
    return value == null ? null : keyring.sealString(id(account, column), value);
  }

  private @Nullable String open(String account, String column, byte @Nullable [] sealed) {
    return sealed == null ? null : keyring.openString(id(account, column), sealed);
  }

  private static void setBytes(PreparedStatement s, int i, byte @Nullable [] b)
      throws SQLException {
    if (b == null) {
      s.setNull(i, Types.BINARY);
    } else {
      s.setBytes(i, b);
    }
  }

  private static long millis(Instant now) {
    return now.toEpochMilli();
  }

  @Override
  public CompletionStage<Optional<Account>> create(NewAccount a) {
    String problem = StoredFieldLimits.problem(a);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    String id = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    byte[] login = keyring.sealString(id(id, "login_name"), a.loginName());
    byte[] email = seal(id, "email", a.email());
    byte[] display = keyring.sealString(id(id, "display_name"), a.displayName());
    byte[] password = seal(id, "password_hash", a.passwordHash());
    String key = loginKey.hash(a.normalisedLogin());
    return runner.run(
        "create account",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO accounts (id, login_key, login_name, email, email_verified,"
                      + " display_name, status, created_ms, updated_ms, password_hash,"
                      + " totp_last_step, version) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?,"
                      + " -1, 1) ON CONFLICT (login_key) DO NOTHING")) {
            s.setString(1, id);
            s.setString(2, key);
            s.setBytes(3, login);
            setBytes(s, 4, email);
            s.setInt(5, a.emailVerified() ? 1 : 0);
            s.setBytes(6, display);
            s.setLong(7, now);
            s.setLong(8, now);
            setBytes(s, 9, password);
            if (s.executeUpdate() == 0) {
              return Optional.empty();
            }
          }
          Instant at = Instant.ofEpochMilli(now);
          return Optional.of(
              new Account(
                  id,
                  a.loginName(),
                  a.email(),
                  a.emailVerified(),
                  a.displayName(),
                  AccountStatus.ACTIVE,
                  at,
                  at,
                  a.passwordHash(),
                  false,
                  1));
        });
  }

  private Account read(ResultSet r) throws SQLException {
    String id = r.getString(1);
    String status = r.getString(6);
    return new Account(
        id,
        String.valueOf(open(id, "login_name", r.getBytes(2))),
        open(id, "email", r.getBytes(3)),
        r.getInt(4) != 0,
        String.valueOf(open(id, "display_name", r.getBytes(5))),
        AccountStatus.valueOf(status.toUpperCase(Locale.ROOT)),
        Instant.ofEpochMilli(r.getLong(7)),
        Instant.ofEpochMilli(r.getLong(8)),
        open(id, "password_hash", r.getBytes(9)),
        r.getBoolean(10),
        r.getLong(11));
  }

  private static final String BY_ID =
      "SELECT " + COLUMNS + " FROM accounts WHERE id = ? AND status <> ?";
  private static final String BY_LOGIN =
      "SELECT " + COLUMNS + " FROM accounts WHERE login_key = ? AND status <> ?";
  private static final String LIST =
      "SELECT " + COLUMNS + " FROM accounts WHERE id > ? AND status <> ? ORDER BY id LIMIT ?";

  private CompletionStage<Optional<Account>> one(String operation, String sql, String value) {
    return runner.run(
        operation,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            return SqlRows.first(s, this::read, value, DELETED);
          }
        });
  }

  @Override
  public CompletionStage<Optional<Account>> byId(String id) {
    return one("account by id", BY_ID, id);
  }

  @Override
  public CompletionStage<Optional<Account>> byLogin(String normalisedLogin) {
    return one("account by login", BY_LOGIN, loginKey.hash(normalisedLogin));
  }

  @Override
  public CompletionStage<Page<Account>> list(String after, int limit) {
    String problem = StoredFieldLimits.pageProblem(limit);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    return runner.run(
        "list accounts",
        c -> {
          try (PreparedStatement s = c.prepareStatement(LIST)) {
            return SqlRows.page(s, limit, this::read, Account::id, after, DELETED);
          }
        });
  }

  @Override
  public CompletionStage<Optional<Account>> update(Account changed) {
    String problem = StoredFieldLimits.problem(changed);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    String id = changed.id();
    byte[] email = seal(id, "email", changed.email());
    byte[] display = keyring.sealString(id(id, "display_name"), changed.displayName());
    byte[] password = seal(id, "password_hash", changed.passwordHash());
    return runner.run(
        "update account",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "UPDATE accounts SET email = ?, email_verified = ?, display_name = ?,"
                              + " status = ?, password_hash = ?, version = version + 1,"
                              + " updated_ms = CASE WHEN updated_ms > ? THEN updated_ms ELSE ? END"
                              + " WHERE id = ? AND version = ? AND status <> ?")) {
                    long now = System.currentTimeMillis();
                    setBytes(s, 1, email);
                    s.setInt(2, changed.emailVerified() ? 1 : 0);
                    s.setBytes(3, display);
                    s.setString(4, changed.status().name().toLowerCase(Locale.ROOT));
                    setBytes(s, 5, password);
                    s.setLong(6, now);
                    s.setLong(7, now);
                    s.setString(8, id);
                    s.setLong(9, changed.version());
                    s.setString(10, DELETED);
                    if (s.executeUpdate() == 0) {
                      return Optional.empty();
                    }
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE id = ?")) {
                    s.setString(1, id);
                    try (ResultSet r = s.executeQuery()) {
                      return r.next() ? Optional.of(read(r)) : Optional.empty();
                    }
                  }
                }));
  }

  @Override
  public CompletionStage<Boolean> delete(String id) {
    return runner.run(
        "delete account",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  if (!lock(tx, id)) {
                    return false;
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "UPDATE accounts SET login_key = NULL, login_name = NULL, email = NULL,"
                              + " email_verified = 0, display_name = NULL, password_hash = NULL,"
                              + " totp_secret = NULL, totp_last_step = -1, status = ?,"
                              + " updated_ms = ?, version = version + 1 WHERE id = ?")) {
                    s.setString(1, DELETED);
                    s.setLong(2, System.currentTimeMillis());
                    s.setString(3, id);
                    s.executeUpdate();
                  }
                  for (String sql : ERASE_CHILDREN) {
                    try (PreparedStatement s = tx.prepareStatement(sql)) {
                      s.setString(1, id);
                      s.executeUpdate();
                    }
                  }
                  return true;
                }));
  }

  /** Locks the account's row until the transaction ends; returns whether it exists. */
  boolean lock(Connection tx, String id) throws SQLException {
    try (PreparedStatement s =
        tx.prepareStatement(
            "SELECT id FROM accounts WHERE id = ? AND status <> ?" + dialect.lockRows())) {
      s.setString(1, id);
      s.setString(2, DELETED);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  @Override
  public CompletionStage<Boolean> enrolTotp(String id, byte[] secret) {
    String problem = StoredFieldLimits.totpProblem(secret);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    byte[] sealed = keyring.seal(id(id, "totp_secret"), secret);
    return runner.run(
        "enrol totp",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE accounts SET totp_secret = ?, totp_last_step = -1"
                      + " WHERE id = ? AND status <> ?")) {
            s.setBytes(1, sealed);
            s.setString(2, id);
            s.setString(3, DELETED);
            return s.executeUpdate() == 1;
          }
        });
  }

  @Override
  public CompletionStage<Boolean> removeTotp(String id) {
    return runner.run(
        "remove totp",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE accounts SET totp_secret = NULL, totp_last_step = -1"
                      + " WHERE id = ? AND totp_secret IS NOT NULL")) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
          }
        });
  }

  @Override
  public CompletionStage<Optional<TotpSecret>> totp(String id) {
    return runner.run(
        "read totp",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT totp_secret, totp_last_step FROM accounts"
                      + " WHERE id = ? AND totp_secret IS NOT NULL")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
              if (!r.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new TotpSecret(keyring.open(id(id, "totp_secret"), r.getBytes(1)), r.getLong(2)));
            }
          }
        });
  }

  @Override
  public CompletionStage<Boolean> acceptTotpStep(String id, long step) {
    return runner.run(
        "accept totp step",
        c -> {
          // One statement: the comparison and the write are atomic in either database, so of two
          // gateways accepting the same code at once exactly one changes the row.
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE accounts SET totp_last_step = ?"
                      + " WHERE id = ? AND totp_secret IS NOT NULL AND totp_last_step < ?")) {
            s.setLong(1, step);
            s.setString(2, id);
            s.setLong(3, step);
            return s.executeUpdate() == 1;
          }
        });
  }

  private static RecordId codeId(String account, String row) {
    return new RecordId(RECOVERY, account + "/" + row, "code_hash");
  }

  @Override
  public CompletionStage<Boolean> replaceRecoveryCodes(String id, List<String> hashes) {
    String problem = StoredFieldLimits.recoveryProblem(hashes);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    List<String> copy = List.copyOf(hashes);
    return runner.run(
        "replace recovery codes",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  if (!lock(tx, id)) {
                    return false;
                  }
                  try (PreparedStatement del =
                      tx.prepareStatement("DELETE FROM recovery_codes WHERE account_id = ?")) {
                    del.setString(1, id);
                    del.executeUpdate();
                  }
                  try (PreparedStatement ins =
                      tx.prepareStatement(
                          "INSERT INTO recovery_codes (row_id, account_id, code_hash)"
                              + " VALUES (?, ?, ?)")) {
                    for (String h : copy) {
                      String row = UUID.randomUUID().toString();
                      ins.setString(1, row);
                      ins.setString(2, id);
                      ins.setBytes(3, keyring.sealString(codeId(id, row), h));
                      ins.executeUpdate();
                    }
                  }
                  return true;
                }));
  }

  private record Code(String row, String hash) {}

  private List<Code> codes(Connection c, String id) throws SQLException {
    List<Code> out = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT row_id, code_hash FROM recovery_codes WHERE account_id = ? ORDER BY row_id")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String row = r.getString(1);
          out.add(new Code(row, keyring.openString(codeId(id, row), r.getBytes(2))));
        }
      }
    }
    return out;
  }

  @Override
  public CompletionStage<List<String>> recoveryCodes(String id) {
    return runner.run("read recovery codes", c -> codes(c, id).stream().map(Code::hash).toList());
  }

  @Override
  public CompletionStage<Boolean> consumeRecoveryCode(String id, String hash) {
    byte[] wanted = hash.getBytes(StandardCharsets.UTF_8);
    return runner.run(
        "consume recovery code",
        c -> {
          String match = null;
          for (Code code : codes(c, id)) {
            if (MessageDigest.isEqual(code.hash().getBytes(StandardCharsets.UTF_8), wanted)) {
              match = code.row();
            }
          }
          if (match == null) {
            return false;
          }
          // Of two parallel uses both may find the row; only one deletes it.
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM recovery_codes WHERE row_id = ? AND account_id = ?")) {
            s.setString(1, match);
            s.setString(2, id);
            return s.executeUpdate() == 1;
          }
        });
  }

  private String tokenKey(OneTimePurpose purpose, byte[] tokenHash) {
    return tokenKey.hash(purpose.code() + "|" + HexFormat.of().formatHex(tokenHash));
  }

  @Override
  public CompletionStage<Boolean> issueToken(
      OneTimePurpose purpose,
      String accountId,
      byte[] tokenHash,
      Instant expires,
      int maxPerAccount) {
    String problem = StoredFieldLimits.tokenProblem(tokenHash, maxPerAccount);
    if (problem != null) {
      return SqlRows.refused(problem);
    }
    String key = tokenKey(purpose, tokenHash);
    return runner.run(
        "issue one-time token",
        c ->
            SqlRunner.inTransaction(
                c,
                tx -> {
                  if (!lock(tx, accountId)) {
                    return false;
                  }
                  long now = System.currentTimeMillis();
                  pruneExpired(tx, now);
                  List<String> mine = new ArrayList<>();
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "SELECT token_key FROM one_time_tokens WHERE account_id = ? AND"
                              + " purpose = ? ORDER BY issued_ms DESC, token_key")) {
                    s.setString(1, accountId);
                    s.setString(2, purpose.code());
                    try (ResultSet r = s.executeQuery()) {
                      while (r.next()) {
                        mine.add(r.getString(1));
                      }
                    }
                  }
                  try (PreparedStatement del =
                      tx.prepareStatement("DELETE FROM one_time_tokens WHERE token_key = ?")) {
                    for (String old :
                        mine.subList(Math.min(mine.size(), maxPerAccount - 1), mine.size())) {
                      del.setString(1, old);
                      del.executeUpdate();
                    }
                  }
                  try (PreparedStatement s =
                      tx.prepareStatement(
                          "INSERT INTO one_time_tokens (token_key, purpose, account_id,"
                              + " issued_ms, expires_ms) VALUES (?, ?, ?, ?, ?)"
                              + " ON CONFLICT (token_key) DO NOTHING")) {
                    s.setString(1, key);
                    s.setString(2, purpose.code());
                    s.setString(3, accountId);
                    s.setLong(4, now);
                    s.setLong(5, millis(expires));
                    s.executeUpdate();
                  }
                  return true;
                }));
  }

  private void pruneExpired(Connection c, long now) throws SQLException {
    long last = lastPrune.get();
    if (now - last >= PRUNE_INTERVAL_MILLIS && lastPrune.compareAndSet(last, now)) {
      try (PreparedStatement s =
          c.prepareStatement("DELETE FROM one_time_tokens WHERE expires_ms <= ?")) {
        s.setLong(1, now);
        s.executeUpdate();
      }
    }
  }

  @Override
  public CompletionStage<Optional<ConsumedToken>> takeToken(
      OneTimePurpose purpose, byte[] tokenHash, Instant now) {
    String key = tokenKey(purpose, tokenHash);
    return runner.run(
        "consume one-time token",
        c -> {
          // DELETE ... RETURNING: of two uses at once only one gets the row back.
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM one_time_tokens WHERE token_key = ? AND purpose = ?"
                      + " RETURNING account_id, expires_ms")) {
            s.setString(1, key);
            s.setString(2, purpose.code());
            try (ResultSet r = s.executeQuery()) {
              if (!r.next() || r.getLong(2) <= millis(now)) {
                return Optional.empty();
              }
              return Optional.of(
                  new ConsumedToken(r.getString(1), Instant.ofEpochMilli(r.getLong(2))));
            }
          }
        });
  }

  @Override
  public CompletionStage<Integer> revokeTokens(String accountId) {
    return runner.run(
        "revoke one-time tokens",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM one_time_tokens WHERE account_id = ?")) {
            s.setString(1, accountId);
            return s.executeUpdate();
          }
        });
  }
}
