-- Approver certificates (issue 15): the signing certificates Sở Nội vụ registered for each SSO subject. A
-- two-step approval is signed only with a certificate registered for the signer and not revoked, so a
-- colleague's token cannot sign in someone else's name. Rows are never deleted: revocations keep who and why.
CREATE TABLE "approver_certificate" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "subject" VARCHAR(200) NOT NULL,
  "fingerprint" CHAR(64) NOT NULL CHECK ("fingerprint" ~ '^[0-9a-f]{64}$'),
  "serial_number" VARCHAR(80) NOT NULL,
  "issuer" TEXT NOT NULL,
  "certificate_subject" TEXT NOT NULL,
  "registered_by" VARCHAR(200) NOT NULL,
  "registered_at" TIMESTAMPTZ(3) NOT NULL,
  "revoked_by" VARCHAR(200),
  "revoked_at" TIMESTAMPTZ(3),
  "reason" TEXT,
  CONSTRAINT "approver_certificate_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "approver_certificate_revocation" CHECK (("revoked_at" IS NULL) = ("revoked_by" IS NULL))
);
-- One registration in force per subject and certificate; a revoked one may be registered again.
CREATE UNIQUE INDEX "approver_certificate_active_key" ON "approver_certificate"("subject", "fingerprint") WHERE "revoked_at" IS NULL;
CREATE INDEX "approver_certificate_subject_idx" ON "approver_certificate"("subject");
