-- Retention for the audit trail's PostgreSQL sink (see audit/trail/PostgresTrail and
-- docs/audit-and-alerts.md#retention-in-postgresql). Records stay append-only, except that a whole
-- prefix of the chain ending just before an anchor may be removed: an anchor record is signed with
-- the trail's key over the trail, its seq and the hash of the record before it, so what remains
-- still verifies, starting at that anchor.
--
-- stored_ms is when the row was stored by the database's own clock (set by a trigger, whatever an
-- INSERT says), so the age that retention goes by cannot be back-dated by the gateway's role.
-- The append-only trigger is made again below without DELETE (judged by the prefix rule instead);
-- dropped first, so that the new column can be filled for the rows already there.
DROP TRIGGER audit_records_no_change ON audit_records;
ALTER TABLE audit_records ADD COLUMN stored_ms BIGINT;
UPDATE audit_records SET stored_ms = written_ms;
ALTER TABLE audit_records ALTER COLUMN stored_ms SET NOT NULL;
ALTER TABLE audit_records ALTER COLUMN stored_ms
  SET DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
CREATE INDEX audit_records_anchors ON audit_records (stored_ms) WHERE type = 'anchor';

CREATE FUNCTION audit_records_stored_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.stored_ms := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_records_stored_now BEFORE INSERT ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_stored_now();

CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();

-- A DELETE is let through row by row, then judged as a whole: what it removed must be the whole
-- start of the chain, and the first record left must be an anchor.
CREATE FUNCTION audit_records_prefix_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_gone BIGINT;
  first_left BIGINT;
  first_type TEXT;
BEGIN
  SELECT max(seq) INTO last_gone FROM gone;
  IF last_gone IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('SELECT seq, type FROM %I.audit_records ORDER BY seq LIMIT 1', TG_TABLE_SCHEMA)
    INTO first_left, first_type;
  IF first_left IS NULL OR first_left <> last_gone + 1 OR first_type <> 'anchor' THEN
    RAISE EXCEPTION 'audit_records is append-only: DELETE refused (only retention removes records:'
      ' a whole prefix of the chain, up to an anchor)';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER audit_records_prefix_only AFTER DELETE ON audit_records
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_prefix_only();

-- The one way the gateway removes records: everything before the newest anchor stored more than
-- keep_ms ago (at least a day) by the database's clock. Runs as the schema's owner, so a gateway
-- role given only EXECUTE on it (and SELECT, INSERT) can apply retention but delete nothing else.
CREATE FUNCTION audit_retain(keep_ms BIGINT) RETURNS BIGINT
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  cutoff BIGINT;
  anchor BIGINT;
  removed BIGINT;
BEGIN
  IF keep_ms IS NULL OR keep_ms < 86400000 THEN
    RAISE EXCEPTION 'audit_retain: keep_ms % (expected: at least 86400000, one day)', keep_ms;
  END IF;
  cutoff := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT - keep_ms;
  -- One retention at a time, and none while a writer appends.
  PERFORM 1 FROM audit_chain WHERE id = 1 FOR UPDATE;
  SELECT max(seq) INTO anchor FROM audit_records WHERE type = 'anchor' AND stored_ms < cutoff;
  IF anchor IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM audit_records WHERE seq < anchor;
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION audit_retain(BIGINT) FROM PUBLIC;
