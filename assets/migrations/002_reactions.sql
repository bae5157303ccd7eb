-- reactbin schema, version 2: reactions and the storage-deletion queue.

-- Trigram matching keeps "q" (a case-insensitive title substring) fast.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE reactions (
	id		uuid PRIMARY KEY,
	title		text NOT NULL DEFAULT '',
	tags		text[] NOT NULL DEFAULT '{}',
	media_type	text NOT NULL,
	size_bytes	bigint NOT NULL CHECK (size_bytes > 0),
	width		integer CHECK (width > 0),
	height		integer CHECK (height > 0),
	sha256		text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	object_key	text NOT NULL UNIQUE,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at	timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Keyset pagination walks (created_at, id) both ways.
CREATE INDEX reactions_created_id ON reactions (created_at, id);
-- Tag filters: tags @> include AND NOT tags && exclude.
CREATE INDEX reactions_tags ON reactions USING gin (tags);
CREATE INDEX reactions_title_trgm ON reactions USING gin (title gin_trgm_ops);
CREATE INDEX reactions_media_type ON reactions (media_type, created_at, id);

-- Objects to remove from the bucket. A row is written *before* an upload's
-- PUT (an intent, due only after a grace period) and removed together with
-- the reaction's insert; a delete moves the reaction's key here in the same
-- statement that removes the row. Whatever stays here is an object no row
-- points to, and the sweeper deletes it until storage says it is gone.
CREATE TABLE storage_deletions (
	object_key	text PRIMARY KEY,
	attempts	integer NOT NULL DEFAULT 0,
	due_at		timestamptz NOT NULL DEFAULT now(),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX storage_deletions_due ON storage_deletions (due_at);
