-- reactbin schema, version 7: API keys for tools (ShareX, Flameshot,
-- scripts) that must not hold the owner's password or a login that
-- expires.
--
-- The key itself is never stored: only the SHA-256 of its text, which
-- the service compares in constant time after finding the row by the
-- key's prefix. A revoked key is a deleted row, and every request with a
-- key looks its row up, so a revocation holds at once on every replica.
-- last_used_at is written at most once a minute per key.

CREATE TABLE api_keys (
	id		uuid PRIMARY KEY,
	name		text NOT NULL CHECK (name <> ''),
	scope		text NOT NULL CHECK (scope IN ('upload', 'full')),
	prefix		text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{12}$'),
	secret_sha256	text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	last_used_at	timestamptz
);

CREATE INDEX api_keys_created ON api_keys (created_at, id);
