-- Transfer requests (NATIONAL_API.md §5, §7): why a request was refused, what was pulled, where its
-- acknowledgement stands, and the attempts made, so that requesters and operators can see it.
ALTER TABLE "transfer_request"
  ADD COLUMN "outcome_code" VARCHAR(64),
  ADD COLUMN "outcome_message" TEXT,
  ADD COLUMN "national_version" INTEGER,
  ADD COLUMN "holder_code" VARCHAR(35),
  ADD COLUMN "ack_state" VARCHAR(20),
  ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "last_error_code" VARCHAR(64);

CREATE INDEX "transfer_request_personal_id_idx" ON "transfer_request"("personal_id");

