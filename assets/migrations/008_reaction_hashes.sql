-- reactbin schema, version 8: the near-duplicate search reads a narrow
-- table of its own.
--
-- A Hamming distance cannot be looked up in an index, so the search
-- compares the hash of every hashed reaction. Reading the hashes from
-- reactions reads every whole row (title, tags, the derivatives'
-- columns), hashed or not: 80 ms per upload at 100,000 reactions, most of
-- a 1 MiB upload's time. reaction_hashes holds only what the comparison
-- and its order need, one row per hashed reaction, so the search reads
-- 40 bytes a reaction and nothing for the ones without a hash; only the
-- few winners' rows are then read from reactions. (A partial index of
-- the same columns was not enough: the planner prefers reading the table
-- to an index-only scan of it whenever the rows are narrow.)
--
-- The triggers keep it in step with reactions.phash whoever writes it
-- (the upload's insert, the derivative queue's update, a tool's bulk
-- insert), and a reaction's delete removes its row.
CREATE TABLE reaction_hashes (
	id		uuid PRIMARY KEY REFERENCES reactions (id) ON DELETE CASCADE,
	phash		bigint NOT NULL,
	created_at	timestamptz NOT NULL
);

CREATE FUNCTION reaction_hashes_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.phash IS NULL THEN
		DELETE FROM reaction_hashes WHERE id = NEW.id;
	ELSE
		INSERT INTO reaction_hashes (id, phash, created_at)
		VALUES (NEW.id, NEW.phash, NEW.created_at)
		ON CONFLICT (id) DO UPDATE SET phash = EXCLUDED.phash;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER reactions_hash_insert AFTER INSERT ON reactions
    FOR EACH ROW WHEN (NEW.phash IS NOT NULL)
    EXECUTE FUNCTION reaction_hashes_sync();
CREATE TRIGGER reactions_hash_update AFTER UPDATE OF phash ON reactions
    FOR EACH ROW WHEN (OLD.phash IS DISTINCT FROM NEW.phash)
    EXECUTE FUNCTION reaction_hashes_sync();

INSERT INTO reaction_hashes (id, phash, created_at)
SELECT id, phash, created_at FROM reactions WHERE phash IS NOT NULL;
