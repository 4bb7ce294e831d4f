-- Backups taken by `csdl-gateway backup` and the scheduled jobs (issue 18): the age of the last good one is a
-- metric with an alert, and retention reads which files are whose. The files themselves live outside the database.
CREATE TABLE "backup_run" (
    "id" BIGSERIAL NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "file" TEXT,
    "bytes" BIGINT,
    "sha256" CHAR(64),
    "error" TEXT,

    CONSTRAINT "backup_run_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "backup_run_kind_ok_finished_at_idx" ON "backup_run"("kind", "ok", "finished_at");
