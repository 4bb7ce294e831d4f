-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "PersonCategory" AS ENUM ('CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'NGUOI_LAO_DONG');

-- CreateEnum
CREATE TYPE "PersonStatus" AS ENUM ('DANG_CONG_TAC', 'NGHI_HUU', 'THOI_VIEC', 'TU_TRAN', 'CHUYEN_RA_NGOAI_TINH', 'CHUYEN_KHOI_DANG');

-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('THEM_MOI', 'CAP_NHAT', 'CHUYEN_TRANG_THAI');

-- CreateEnum
CREATE TYPE "ChangeState" AS ENUM ('DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'RETURNED', 'REJECTED_BY_NATIONAL');

-- CreateEnum
CREATE TYPE "ApprovalLevel" AS ENUM ('CO_QUAN', 'SO_NOI_VU');

-- CreateEnum
CREATE TYPE "BatchState" AS ENUM ('BUILT', 'SENDING', 'UNKNOWN', 'ACCEPTED', 'PARTIAL', 'FAILED');

-- CreateEnum
CREATE TYPE "RecordOutcome" AS ENUM ('PENDING', 'ACCEPTED', 'REJECTED');

-- CreateTable
CREATE TABLE "agency" (
    "code" VARCHAR(35) NOT NULL,
    "name" TEXT NOT NULL,
    "parent_code" VARCHAR(35),
    "level" INTEGER NOT NULL,
    "active_from" DATE NOT NULL,
    "active_to" DATE,
    "successor_code" VARCHAR(35),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agency_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "person" (
    "personal_id" CHAR(12) NOT NULL,
    "category" "PersonCategory" NOT NULL,
    "status" "PersonStatus" NOT NULL,
    "managing_agency_code" VARCHAR(35) NOT NULL,
    "employing_agency_code" VARCHAR(35) NOT NULL,
    "profile" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "synced_version" INTEGER NOT NULL DEFAULT 0,
    "full_name" TEXT NOT NULL,
    "grade_code" VARCHAR(20),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_pkey" PRIMARY KEY ("personal_id")
);

-- CreateTable
CREATE TABLE "profile_change" (
    "id" UUID NOT NULL,
    "personal_id" CHAR(12) NOT NULL,
    "kind" "ChangeKind" NOT NULL,
    "state" "ChangeState" NOT NULL,
    "agency_code" VARCHAR(35) NOT NULL,
    "category" "PersonCategory" NOT NULL,
    "status" "PersonStatus" NOT NULL,
    "managing_agency_code" VARCHAR(35) NOT NULL,
    "employing_agency_code" VARCHAR(35) NOT NULL,
    "effective_date" DATE,
    "profile" JSONB NOT NULL,
    "content_sha256" CHAR(64) NOT NULL,
    "base_version" INTEGER NOT NULL,
    "target_version" INTEGER,
    "period" CHAR(7),
    "reason" TEXT,
    "return_reason" TEXT,
    "rejection_code" VARCHAR(64),
    "rejection_message" TEXT,
    "batch_id" VARCHAR(64),
    "source" VARCHAR(20) NOT NULL DEFAULT 'ENTRY',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "submitted_at" TIMESTAMPTZ(3),
    "verified_at" TIMESTAMPTZ(3),
    "agency_approved_at" TIMESTAMPTZ(3),
    "province_approved_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3),

    CONSTRAINT "profile_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_event" (
    "id" BIGSERIAL NOT NULL,
    "change_id" UUID NOT NULL,
    "from_state" "ChangeState",
    "to_state" "ChangeState" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attachment" (
    "id" UUID NOT NULL,
    "change_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "media_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "bytes" BYTEA,
    "storage_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval" (
    "id" UUID NOT NULL,
    "level" "ApprovalLevel" NOT NULL,
    "agency_code" VARCHAR(35) NOT NULL,
    "period" CHAR(7) NOT NULL,
    "manifest" BYTEA NOT NULL,
    "manifest_sha256" CHAR(64) NOT NULL,
    "cms" BYTEA NOT NULL,
    "signer_certificate" BYTEA NOT NULL,
    "signer_serial" TEXT NOT NULL,
    "signer_subject" TEXT NOT NULL,
    "signing_time" TIMESTAMPTZ(3) NOT NULL,
    "time_stamp_token" BYTEA,
    "revocation_evidence" JSONB,
    "approved_by" TEXT NOT NULL,
    "delegation_id" UUID,
    "window_override" BOOLEAN NOT NULL DEFAULT false,
    "override_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_item" (
    "approval_id" UUID NOT NULL,
    "change_id" UUID NOT NULL,
    "content_sha256" CHAR(64) NOT NULL,

    CONSTRAINT "approval_item_pkey" PRIMARY KEY ("approval_id","change_id")
);

-- CreateTable
CREATE TABLE "delegation" (
    "id" UUID NOT NULL,
    "agency_code" VARCHAR(35) NOT NULL,
    "delegate_subject" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3) NOT NULL,
    "decision_no" TEXT,
    "created_by" TEXT NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delegation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "window_override" (
    "id" UUID NOT NULL,
    "agency_code" VARCHAR(35) NOT NULL,
    "period" CHAR(7) NOT NULL,
    "reason" TEXT NOT NULL,
    "granted_by" TEXT NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "window_override_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_session" (
    "id" UUID NOT NULL,
    "purpose" VARCHAR(40) NOT NULL,
    "agency_code" VARCHAR(35) NOT NULL,
    "period" CHAR(7) NOT NULL,
    "level" "ApprovalLevel" NOT NULL,
    "manifest" BYTEA NOT NULL,
    "signed_attrs" BYTEA NOT NULL,
    "certificate" BYTEA NOT NULL,
    "context" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signing_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch" (
    "batch_id" VARCHAR(64) NOT NULL,
    "sender_code" VARCHAR(35) NOT NULL,
    "period" CHAR(7),
    "state" "BatchState" NOT NULL,
    "record_count" INTEGER NOT NULL,
    "payload" BYTEA NOT NULL,
    "payload_sha256" CHAR(64) NOT NULL,
    "signature" BYTEA NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error_code" VARCHAR(64),
    "last_error" TEXT,
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "receipt_id" TEXT,
    "receipt" JSONB,
    "received_at" TIMESTAMPTZ(3),
    "rerun_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "batch_pkey" PRIMARY KEY ("batch_id")
);

-- CreateTable
CREATE TABLE "batch_record" (
    "batch_id" VARCHAR(64) NOT NULL,
    "change_id" UUID NOT NULL,
    "personal_id" CHAR(12) NOT NULL,
    "version" INTEGER NOT NULL,
    "outcome" "RecordOutcome" NOT NULL DEFAULT 'PENDING',
    "code" VARCHAR(64),
    "message" TEXT,

    CONSTRAINT "batch_record_pkey" PRIMARY KEY ("batch_id","change_id")
);

-- CreateTable
CREATE TABLE "transfer_request" (
    "request_id" VARCHAR(64) NOT NULL,
    "source" VARCHAR(20) NOT NULL,
    "personal_id" CHAR(12) NOT NULL,
    "from_agency_code" VARCHAR(35),
    "to_agency_code" VARCHAR(35) NOT NULL,
    "decision_no" TEXT,
    "effective_date" DATE,
    "payload" BYTEA,
    "signature" BYTEA,
    "state" VARCHAR(20) NOT NULL,
    "reason" TEXT,
    "change_id" UUID,
    "acked_at" TIMESTAMPTZ(3),
    "requested_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "transfer_request_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "topic" VARCHAR(40) NOT NULL,
    "key" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "role" VARCHAR(30),
    "action" VARCHAR(60) NOT NULL,
    "entity_type" VARCHAR(40) NOT NULL,
    "entity_id" TEXT,
    "agency_code" VARCHAR(35),
    "details" TEXT,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "agency_parent_code_idx" ON "agency"("parent_code");

-- CreateIndex
CREATE INDEX "person_employing_agency_code_idx" ON "person"("employing_agency_code");

-- CreateIndex
CREATE INDEX "person_managing_agency_code_idx" ON "person"("managing_agency_code");

-- CreateIndex
CREATE INDEX "profile_change_agency_code_state_period_idx" ON "profile_change"("agency_code", "state", "period");

-- CreateIndex
CREATE INDEX "profile_change_state_period_idx" ON "profile_change"("state", "period");

-- CreateIndex
CREATE INDEX "profile_change_personal_id_state_idx" ON "profile_change"("personal_id", "state");

-- CreateIndex
CREATE INDEX "profile_change_batch_id_idx" ON "profile_change"("batch_id");

-- CreateIndex
CREATE INDEX "change_event_change_id_idx" ON "change_event"("change_id");

-- CreateIndex
CREATE INDEX "attachment_change_id_idx" ON "attachment"("change_id");

-- CreateIndex
CREATE INDEX "approval_agency_code_period_idx" ON "approval"("agency_code", "period");

-- CreateIndex
CREATE INDEX "approval_item_change_id_idx" ON "approval_item"("change_id");

-- CreateIndex
CREATE INDEX "delegation_agency_code_delegate_subject_idx" ON "delegation"("agency_code", "delegate_subject");

-- CreateIndex
CREATE INDEX "window_override_agency_code_period_idx" ON "window_override"("agency_code", "period");

-- CreateIndex
CREATE INDEX "batch_state_idx" ON "batch"("state");

-- CreateIndex
CREATE INDEX "batch_period_idx" ON "batch"("period");

-- CreateIndex
CREATE INDEX "batch_record_personal_id_idx" ON "batch_record"("personal_id");

-- CreateIndex
CREATE INDEX "transfer_request_state_idx" ON "transfer_request"("state");

-- CreateIndex
CREATE INDEX "outbox_done_at_available_at_idx" ON "outbox"("done_at", "available_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_topic_key_key" ON "outbox"("topic", "key");

-- CreateIndex
CREATE INDEX "audit_log_entity_type_entity_id_idx" ON "audit_log"("entity_type", "entity_id");

-- AddForeignKey
ALTER TABLE "agency" ADD CONSTRAINT "agency_parent_code_fkey" FOREIGN KEY ("parent_code") REFERENCES "agency"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "profile_change" ADD CONSTRAINT "profile_change_personal_id_fkey" FOREIGN KEY ("personal_id") REFERENCES "person"("personal_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_event" ADD CONSTRAINT "change_event_change_id_fkey" FOREIGN KEY ("change_id") REFERENCES "profile_change"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_change_id_fkey" FOREIGN KEY ("change_id") REFERENCES "profile_change"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_item" ADD CONSTRAINT "approval_item_approval_id_fkey" FOREIGN KEY ("approval_id") REFERENCES "approval"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_item" ADD CONSTRAINT "approval_item_change_id_fkey" FOREIGN KEY ("change_id") REFERENCES "profile_change"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batch_record" ADD CONSTRAINT "batch_record_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("batch_id") ON DELETE RESTRICT ON UPDATE CASCADE;
