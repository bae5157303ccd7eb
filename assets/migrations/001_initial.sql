-- reactbin schema, version 1: the brute-force login lock.
--
-- One row per client address that has failed to log in recently. The
-- counting and the locking happen inside PostgreSQL, in one statement per
-- attempt, so every worker of every replica sees the same state and a
-- restart forgets nothing.

CREATE TABLE login_attempts (
	ip			inet PRIMARY KEY,
	failures		integer NOT NULL CHECK (failures >= 0),
	window_started_at	timestamptz NOT NULL,
	locked_until		timestamptz
);

-- Seconds left on the lock of an address, 0 when it is not locked.
CREATE FUNCTION login_lock_remaining(p_ip inet) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT COALESCE((
		SELECT ceil(extract(epoch FROM locked_until - now()))::integer
		FROM login_attempts
		WHERE ip = p_ip AND locked_until > now()
	), 0);
$$;

-- Count a wrong password. Failures older than the window start a new
-- count; the failure that reaches p_max locks the address for p_cooldown
-- seconds and starts the count afresh for after the lock. Returns true
-- when this failure set the lock.
CREATE FUNCTION login_record_failure(p_ip inet, p_window integer,
    p_max integer, p_cooldown integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO login_attempts AS a (ip, failures, window_started_at)
	VALUES (p_ip, 1, now())
	ON CONFLICT (ip) DO UPDATE SET
		failures = CASE
		    WHEN a.window_started_at > now() - make_interval(secs => p_window)
		    THEN a.failures + 1 ELSE 1 END,
		window_started_at = CASE
		    WHEN a.window_started_at > now() - make_interval(secs => p_window)
		    THEN a.window_started_at ELSE now() END
	RETURNING failures INTO n;

	IF n < p_max THEN
		RETURN false;
	END IF;

	UPDATE login_attempts
	SET locked_until = now() + make_interval(secs => p_cooldown),
	    failures = 0, window_started_at = now()
	WHERE ip = p_ip;
	RETURN true;
END;
$$;

-- A correct password: clears the address's failures unless a lock is in
-- force (set by a concurrent failure), and returns the seconds left on
-- that lock, 0 when the login may proceed.
CREATE FUNCTION login_record_success(p_ip inet) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	left_s integer;
BEGIN
	SELECT ceil(extract(epoch FROM locked_until - now()))::integer
	INTO left_s
	FROM login_attempts
	WHERE ip = p_ip AND locked_until > now()
	FOR UPDATE;

	IF left_s IS NOT NULL THEN
		RETURN left_s;
	END IF;

	DELETE FROM login_attempts WHERE ip = p_ip;
	RETURN 0;
END;
$$;
