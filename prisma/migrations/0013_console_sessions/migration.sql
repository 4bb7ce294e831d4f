-- Console sessions (issue 13): sign-in through the provincial SSO (OpenID Connect, code + PKCE). A LOGIN row
-- holds one sign-in in progress (state, nonce, PKCE verifier); a SESSION row a signed-in browser. Rows are
-- keyed by the SHA-256 of the cookie's random value, so a database read does not yield a usable cookie.
CREATE TABLE "console_session" (
  "id_hash" CHAR(64) NOT NULL,
  "kind" VARCHAR(10) NOT NULL CHECK ("kind" IN ('LOGIN', 'SESSION')),
  "subject" VARCHAR(200),
  "claims" JSONB,
  "id_token" TEXT,
  "csrf_token" VARCHAR(64),
  "state" VARCHAR(128),
  "nonce" VARCHAR(128),
  "code_verifier" VARCHAR(128),
  "created_at" TIMESTAMPTZ(3) NOT NULL,
  "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "console_session_pkey" PRIMARY KEY ("id_hash")
);
CREATE INDEX "console_session_subject_idx" ON "console_session"("subject");
