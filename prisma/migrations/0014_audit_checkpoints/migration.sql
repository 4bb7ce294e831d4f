-- Signed checkpoints of the audit chain (issue 14): the sequence number and hash of the head of
-- audit_log, signed with the organisation key. A copy also goes to an append-only directory
-- (AUDIT_CHECKPOINT_DIR) outside the database, so that someone who can rewrite the database cannot
-- rewrite every copy. Append-only like audit_log itself.
CREATE TABLE "audit_checkpoint" (
    "id" BIGSERIAL NOT NULL,
    "seq" BIGINT NOT NULL,
    "head_hash" CHAR(64) NOT NULL,
    "reason" VARCHAR(30) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "document" BYTEA NOT NULL,
    "signature" BYTEA NOT NULL,

    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "audit_checkpoint_seq_idx" ON "audit_checkpoint"("seq");

CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
