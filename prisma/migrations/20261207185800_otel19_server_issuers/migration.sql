-- The built-in issuer each server announced at start-up (issue 19): `npm run token` signs as the
-- issuer of the server started last on this database, so its tokens are accepted there even on
-- PostgreSQL, where the CLI has no embedded lock record to read it from.
CREATE TABLE "server_issuers" (
    "issuer" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    CONSTRAINT "server_issuers_pkey" PRIMARY KEY ("issuer")
);
