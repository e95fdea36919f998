-- Consent events get their feed position (`seq`) from the feed sequencer after they commit
-- (src/consents/consent-feed.sequencer.ts), so commits need no global lock and the feed is still
-- a gap-free prefix. Until then a row holds a negative placeholder from the same sequence, which
-- keeps `seq` unique and NOT NULL and keeps it out of every `seq > cursor` read.
ALTER TABLE "consent_events" ALTER COLUMN "seq" SET DEFAULT (- nextval('consent_events_seq_seq'::regclass));
