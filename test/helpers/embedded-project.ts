// The e2e-embedded project's files run on PGlite even in a run on PostgreSQL: each test file has
// a `process` (and env) of its own, so this leaves the other files' TEST_DATABASE_URL alone.
delete process.env.TEST_DATABASE_URL;
