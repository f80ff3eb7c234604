-- The audit trail's PostgreSQL sink (see audit/trail/PostgresTrail and docs/audit-and-alerts.md).
-- Every gateway of a cluster appends to one hash chain: a writer takes the chain's head row
-- FOR UPDATE, appends its batch after the head's last record and moves the head in the same
-- transaction, so the records form one total order. Each row is one record of the file trail's
-- form: the record line is rebuilt from seq, written, type, fields, prev and hash, and hash is the
-- SHA-256 of that line before its hash. written_ms only helps a search skip old records; it is not
-- covered by the hash.
CREATE TABLE audit_chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  trail TEXT NOT NULL,
  next_seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL,
  since_checkpoint INTEGER NOT NULL,
  checkpoint_ms BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  private_key BYTEA NOT NULL
);

CREATE TABLE audit_records (
  seq BIGINT PRIMARY KEY,
  written TEXT NOT NULL,
  type TEXT NOT NULL,
  fields TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  written_ms BIGINT NOT NULL
);
CREATE INDEX audit_records_written ON audit_records (written_ms);

-- Append-only: a record is never changed or removed, by the gateway or by anyone whose role does
-- not own the table (an owner or superuser can disable triggers: verify still names the change).
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_records is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();

-- The head only moves forward, onto a record that exists, and keeps its trail and keys.
CREATE FUNCTION audit_chain_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  found BIGINT;
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'audit_chain: % refused', TG_OP;
  END IF;
  IF NEW.id <> OLD.id OR NEW.trail <> OLD.trail OR NEW.public_key <> OLD.public_key
      OR NEW.private_key <> OLD.private_key OR NEW.next_seq < OLD.next_seq THEN
    RAISE EXCEPTION 'audit_chain: the head only moves forward';
  END IF;
  EXECUTE format('SELECT count(*) FROM %I.audit_records WHERE seq = $1 AND hash = $2',
                 TG_TABLE_SCHEMA) INTO found USING NEW.next_seq - 1, NEW.last_hash;
  IF found <> 1 THEN
    RAISE EXCEPTION 'audit_chain: the head must name the last record';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_forward_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
