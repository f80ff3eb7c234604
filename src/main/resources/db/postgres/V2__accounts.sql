-- Accounts, organisations and memberships (see docs/accounts-store.md). The same tables as the
-- embedded database's migration 3 (store/sqlite/AccountTables). Columns of type BYTEA hold values
-- sealed with AES-256-GCM, each bound to its table, row and column; login_key is a keyed hash
-- (HMAC-SHA256) of the normalised login name, never the name. Ids sort in byte order (COLLATE "C")
-- so that paging agrees with every other backend.
CREATE TABLE accounts (
  id TEXT COLLATE "C" PRIMARY KEY,
  login_key TEXT UNIQUE,
  login_name BYTEA,
  email BYTEA,
  email_verified INTEGER NOT NULL,
  display_name BYTEA,
  status TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  password_hash BYTEA,
  totp_secret BYTEA,
  totp_last_step BIGINT NOT NULL,
  version BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
  row_id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL,
  code_hash BYTEA NOT NULL
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE one_time_tokens (
  token_key TEXT COLLATE "C" PRIMARY KEY,
  purpose TEXT NOT NULL,
  account_id TEXT COLLATE "C" NOT NULL,
  issued_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id);
CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_ms);

CREATE TABLE organisations (
  id TEXT COLLATE "C" PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);

CREATE TABLE memberships (
  account_id TEXT COLLATE "C" NOT NULL,
  org_id TEXT COLLATE "C" NOT NULL,
  role TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (account_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id, account_id);
