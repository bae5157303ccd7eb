-- reactbin schema, version 5: derivatives and their queue.
--
-- What derive.c makes of each reaction, recorded on its row: the WebP
-- thumbnail and animated preview (object key, SHA-256 for the ETag, size,
-- dimensions), the clip's or animation's length, and the still's 64-bit
-- difference hash for near-duplicate search. derived_at is set once a
-- reaction has been through the decoders, whether they made anything.
ALTER TABLE reactions
	ADD COLUMN duration_ms		bigint CHECK (duration_ms >= 0),
	ADD COLUMN phash		bigint,
	ADD COLUMN thumbnail_key	text,
	ADD COLUMN thumbnail_sha256	text CHECK (thumbnail_sha256 ~ '^[0-9a-f]{64}$'),
	ADD COLUMN thumbnail_size	bigint CHECK (thumbnail_size > 0),
	ADD COLUMN thumbnail_width	integer CHECK (thumbnail_width > 0),
	ADD COLUMN thumbnail_height	integer CHECK (thumbnail_height > 0),
	ADD COLUMN preview_key		text,
	ADD COLUMN preview_sha256	text CHECK (preview_sha256 ~ '^[0-9a-f]{64}$'),
	ADD COLUMN preview_size		bigint CHECK (preview_size > 0),
	ADD COLUMN preview_width	integer CHECK (preview_width > 0),
	ADD COLUMN preview_height	integer CHECK (preview_height > 0),
	ADD COLUMN preview_frames	integer CHECK (preview_frames > 1),
	ADD COLUMN derived_at		timestamptz;

-- The start-up backfill looks for these.
CREATE INDEX reactions_underived ON reactions (created_at) WHERE derived_at IS NULL;

-- The generation queue, shared by every worker of every replica: a job is
-- claimed with SKIP LOCKED by pushing due_at out (a lease: a worker that
-- dies mid-job leaves it due again later), retried with backoff on a
-- storage failure, and deleted with its reaction.
CREATE TABLE derivative_jobs (
	reaction_id	uuid PRIMARY KEY REFERENCES reactions (id) ON DELETE CASCADE,
	attempts	integer NOT NULL DEFAULT 0,
	due_at		timestamptz NOT NULL DEFAULT now(),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX derivative_jobs_due ON derivative_jobs (due_at);

-- The library as it is gets its derivatives.
INSERT INTO derivative_jobs (reaction_id)
SELECT id FROM reactions WHERE derived_at IS NULL
ON CONFLICT DO NOTHING;
