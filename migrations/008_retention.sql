-- Retention: what expires, and the one deliberate way audit rows older than the retention period
-- leave the append-only audit log.

-- The append-only trigger still refuses every UPDATE and TRUNCATE, and every DELETE but one made
-- inside audit_log_expire(), which names its cutoff in a transaction-local setting.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND coalesce(current_setting('fte.audit_expiry_cutoff', true), '') <> '' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP
    USING HINT = 'Audit rows are never changed or removed; record a new row instead.';
END
$$;

-- Even then, each row is checked: only rows older than the cutoff, and than 30 days, may go.
CREATE FUNCTION audit_log_check_expiry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.created_at >= current_setting('fte.audit_expiry_cutoff')::timestamptz
     OR OLD.created_at >= now() - interval '30 days' THEN
    RAISE EXCEPTION 'audit row % (%) is younger than the expiry cutoff', OLD.id, OLD.created_at;
  END IF;
  RETURN OLD;
END
$$;
CREATE TRIGGER audit_log_expiry_rows
  BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_check_expiry();

-- Removes at most `max_rows` audit rows created before `cutoff`, which must be at least 30 days
-- ago, then at most `max_rows` capability invocations as old that no audit row records any more;
-- returns how many of each went. It runs as the table's owner (SECURITY DEFINER), which holds
-- DELETE on audit_log only for the length of this call, and UPDATE of `invocation_id` with it: the
-- foreign key's check locks the audit rows that still record an invocation, which needs it (the
-- append-only trigger still refuses any UPDATE statement).
CREATE FUNCTION audit_log_expire(cutoff TIMESTAMPTZ, max_rows INT)
RETURNS TABLE (audit_rows BIGINT, invocations BIGINT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF cutoff IS NULL OR cutoff > now() - interval '30 days' THEN
    RAISE EXCEPTION 'audit rows are kept at least 30 days: cutoff % is too recent', cutoff;
  END IF;
  -- One expiry at a time across every server on this database: concurrent GRANTs on one table
  -- would fail each other.
  PERFORM pg_advisory_xact_lock(hashtext('fte.audit_log_expire'));
  PERFORM set_config('fte.audit_expiry_cutoff', cutoff::text, true);
  EXECUTE format('GRANT DELETE, UPDATE (invocation_id) ON audit_log TO %I', current_user);
  DELETE FROM audit_log
  WHERE id IN (SELECT id FROM audit_log WHERE created_at < cutoff ORDER BY id LIMIT max_rows);
  GET DIAGNOSTICS audit_rows = ROW_COUNT;
  -- The key is checked at commit by default, when the privilege is gone again: check it now.
  SET CONSTRAINTS audit_log_invocation_id_fkey IMMEDIATE;
  DELETE FROM capability_invocations
  WHERE id IN (SELECT ci.id FROM capability_invocations ci
               WHERE ci.created_at < cutoff
                 AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.invocation_id = ci.id)
               LIMIT max_rows);
  GET DIAGNOSTICS invocations = ROW_COUNT;
  SET CONSTRAINTS audit_log_invocation_id_fkey DEFERRED;
  EXECUTE format('REVOKE DELETE, UPDATE (invocation_id) ON audit_log FROM %I', current_user);
  PERFORM set_config('fte.audit_expiry_cutoff', '', true);
  RETURN NEXT;
END
$$;

CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX capability_invocations_created ON capability_invocations (created_at);
CREATE INDEX agent_spans_started ON agent_spans (started_at);
