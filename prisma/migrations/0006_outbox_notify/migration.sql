-- Work that becomes available in the outbox wakes the relays (LISTEN csdl_outbox) at commit instead of
-- at their next poll. NOTIFY waits for the commit and collapses duplicates within a transaction, so one
-- statement-level notification per insert is enough; a rolled-back insert notifies nobody.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('csdl_outbox', '');
  RETURN NULL;
END $$;

CREATE TRIGGER outbox_notify_insert AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- A row reopened (an operator's re-run, a re-armed transfer job) or made available sooner. Other updates
-- (dispatched, done, payload) must not fire: the relay's own markDispatched would wake it forever.
CREATE TRIGGER outbox_notify_reopen AFTER UPDATE OF done_at, available_at ON outbox
  FOR EACH ROW WHEN (NEW.done_at IS NULL AND (OLD.done_at IS NOT NULL OR NEW.available_at < OLD.available_at))
  EXECUTE FUNCTION outbox_notify();
