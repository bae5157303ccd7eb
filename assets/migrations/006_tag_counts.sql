-- reactbin schema, version 6: tag counts kept by the database itself.
--
-- GET /tags counted the tags by unnesting every reaction (about 100 ms
-- at 100,000 reactions), and a wildcard in a search had nothing to
-- expand against but that same scan. tag_counts holds each tag in use
-- with the number of reactions carrying it. Triggers on reactions keep
-- it exact in the transaction of every statement that inserts, edits or
-- deletes reactions, whichever code path or replica runs it, so it can
-- never drift from the rows it counts.

-- No CHECK on count: PostgreSQL checks the row an INSERT proposes before
-- ON CONFLICT turns it into an update, and the proposed row of a tag
-- that is losing reactions carries the (negative) change.
CREATE TABLE tag_counts (
	name	text COLLATE "C" PRIMARY KEY,
	count	bigint NOT NULL
);

-- Autocomplete: the most used first; prefixes by the primary key (a "C"
-- collation B-tree serves LIKE 'p%'), substrings by trigram. The rows
-- change with every edit: entries go straight into the GIN index, as in
-- version 3.
CREATE INDEX tag_counts_rank ON tag_counts (count DESC, name);
CREATE INDEX tag_counts_name_trgm ON tag_counts
    USING gin (name gin_trgm_ops) WITH (fastupdate = off);

-- Apply the change a statement made to the tags of reactions: +1 for each
-- tag of a new row version, -1 for each tag of an old one, summed per
-- tag. One statement takes the counts' row locks in name order, so
-- concurrent transactions touching the same tags queue on them instead
-- of deadlocking. A count that reaches zero goes, so only tags in use
-- are listed; a tag deleted here while another transaction adds it is
-- inserted again by that one (ON CONFLICT retries when the row it waited
-- for is gone). The delete is a statement of its own: one statement
-- cannot see, or change again, the rows it has just changed.
CREATE FUNCTION tag_counts_apply(p_names text[], p_deltas bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tag_counts AS c (name, count)
	SELECT name, delta FROM unnest(p_names, p_deltas) AS d(name, delta)
	WHERE delta <> 0 ORDER BY name
	ON CONFLICT (name) DO UPDATE SET count = c.count + EXCLUDED.count;

	DELETE FROM tag_counts
	WHERE name = ANY (p_names) AND count <= 0;
END;
$$;

CREATE FUNCTION tag_counts_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tag_counts_apply(array_agg(t), array_agg(n)) FROM (
		SELECT t, count(*) AS n
		FROM new_rows, unnest(new_rows.tags) AS t GROUP BY t
	) s;
	RETURN NULL;
END;
$$;

CREATE FUNCTION tag_counts_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tag_counts_apply(array_agg(t), array_agg(-n)) FROM (
		SELECT t, count(*) AS n
		FROM old_rows, unnest(old_rows.tags) AS t GROUP BY t
	) s;
	RETURN NULL;
END;
$$;

CREATE FUNCTION tag_counts_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tag_counts_apply(array_agg(t), array_agg(n)) FROM (
		SELECT t, sum(n)::bigint AS n FROM (
			SELECT t, 1 AS n
			FROM new_rows, unnest(new_rows.tags) AS t
			UNION ALL
			SELECT t, -1
			FROM old_rows, unnest(old_rows.tags) AS t
		) x GROUP BY t HAVING sum(n) <> 0
	) s;
	RETURN NULL;
END;
$$;

-- Statement triggers with transition tables: a bulk edit of 500
-- reactions is one update of the counts, not 500. (A trigger with
-- transition tables takes one event and no column list, so UPDATE
-- triggers on every update and the delta is empty when the tags stayed.)
CREATE TRIGGER reactions_tag_counts_insert AFTER INSERT ON reactions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_inserted();
CREATE TRIGGER reactions_tag_counts_update AFTER UPDATE ON reactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_updated();
CREATE TRIGGER reactions_tag_counts_delete AFTER DELETE ON reactions
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_deleted();

-- The reactions there are now. A replica of the previous release may be
-- writing while this runs: the lock holds its writes back until this
-- transaction, triggers included, has committed.
LOCK TABLE reactions IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO tag_counts (name, count)
SELECT t, count(*) FROM reactions, unnest(tags) AS t GROUP BY t;
