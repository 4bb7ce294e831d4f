-- Grants (issue 13): what a person signed in through the SSO may do, stored in the gateway and managed by
-- Sở Nội vụ. A grant is REQUESTED (by an agency head), ACTIVE, or REVOKED; it confers its role on its agency
-- subtree between valid_from and valid_to. Rows are never deleted: revocations keep who and why.
CREATE TABLE "access_grant" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "subject" VARCHAR(200) NOT NULL,
  "role" VARCHAR(20) NOT NULL CHECK ("role" IN ('STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN')),
  "agency_code" VARCHAR(35) NOT NULL,
  "personal_id" CHAR(12),
  "state" VARCHAR(20) NOT NULL CHECK ("state" IN ('REQUESTED', 'ACTIVE', 'REVOKED')),
  "valid_from" TIMESTAMPTZ(3) NOT NULL,
  "valid_to" TIMESTAMPTZ(3),
  "reason" TEXT NOT NULL,
  "requested_by" VARCHAR(200) NOT NULL,
  "granted_by" VARCHAR(200),
  "revoked_by" VARCHAR(200),
  "revoke_reason" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "access_grant_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "access_grant_period" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from"),
  CONSTRAINT "access_grant_staff_record" CHECK ("role" <> 'STAFF' OR "personal_id" IS NOT NULL)
);
CREATE INDEX "access_grant_subject_idx" ON "access_grant"("subject");
CREATE INDEX "access_grant_personal_id_idx" ON "access_grant"("personal_id");
