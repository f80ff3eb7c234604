-- The wrapped data keys of this store (see store/sealed/KeyringTable and docs/encryption-at-rest.md).
CREATE TABLE data_keys (
  key_id INTEGER NOT NULL,
  master_id TEXT NOT NULL,
  wrapped BYTEA NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (key_id, master_id)
);
