package dev.bulwark.store.sqlite;

import java.util.List;

/**
 * The account tables of the embedded database (migration 3), the same as PostgreSQL's ({@code
 * db/postgres/V2__accounts.sql}) but for the column types: sealed values in BLOB columns, the login
 * name's keyed hash in a unique column that deletion empties.
 */
final class AccountTables {
  static final List<String> SQLITE =
      List.of(
          "CREATE TABLE accounts (id TEXT PRIMARY KEY, login_key TEXT UNIQUE, login_name BLOB,"
              + " email BLOB, email_verified INTEGER NOT NULL, display_name BLOB,"
              + " status TEXT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,"
              + " password_hash BLOB, totp_secret BLOB, totp_last_step BIGINT NOT NULL,"
              + " version BIGINT NOT NULL)",
          "CREATE TABLE recovery_codes (row_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
              + " code_hash BLOB NOT NULL)",
          "CREATE INDEX recovery_codes_account ON recovery_codes (account_id)",
          "CREATE TABLE one_time_tokens (token_key TEXT PRIMARY KEY, purpose TEXT NOT NULL,"
              + " account_id TEXT NOT NULL, issued_ms BIGINT NOT NULL,"
              + " expires_ms BIGINT NOT NULL)",
          "CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id)",
          "CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_ms)",
          "CREATE TABLE organisations (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE,"
              + " name TEXT NOT NULL, created_ms BIGINT NOT NULL)",
          "CREATE TABLE memberships (account_id TEXT NOT NULL, org_id TEXT NOT NULL,"
              + " role TEXT NOT NULL, created_ms BIGINT NOT NULL,"
              + " PRIMARY KEY (account_id, org_id))",
          "CREATE INDEX memberships_org ON memberships (org_id, account_id)");

  private AccountTables() {}
}
