-- reactbin schema, version 4: the brute-force lock decided in one step.
--
-- Version 1 checked the lock, and then recorded the attempt, in two
-- statements. Attempts that arrived together all passed the check before
-- any of them was recorded, and a failure recorded after the lock was set
-- still answered 401: of 60 wrong passwords sent at once with a threshold
-- of 5, 58 answered 401. Now one function per attempt takes the
-- address's row lock, decides, and records, so attempts from one address
-- are judged one after another on every worker of every replica.

-- Decide a login attempt from p_ip whose credentials matched (p_ok) or
-- not, and record it. The verdict:
--   'locked'  the address is locked; retry_after is the whole seconds
--             left. The attempt is not counted and a correct password
--             does not get in.
--   'failed'  a wrong password, counted. Failures older than p_window
--             seconds start a new count; the one that reaches p_max locks
--             the address for p_cooldown seconds (locked_now, for the log)
--             and starts the count afresh for after the lock.
--   'ok'      a correct password while not locked: the failures are gone.
CREATE OR REPLACE FUNCTION login_attempt(p_ip inet, p_ok boolean,
    p_window integer, p_max integer, p_cooldown integer,
    OUT verdict text, OUT retry_after integer, OUT locked_now boolean)
LANGUAGE plpgsql AS $$
DECLARE
	a	login_attempts%ROWTYPE;
	t	timestamptz;
	n	integer;
BEGIN
	retry_after := 0;
	locked_now := false;

	-- The row lock is what serialises the attempts of one address.
	SELECT * INTO a FROM login_attempts WHERE ip = p_ip FOR UPDATE;

	IF NOT FOUND THEN
		-- No failures and no lock: nothing to clear.
		IF p_ok THEN
			verdict := 'ok';
			RETURN;
		END IF;

		-- The first failure. Another one may be inserting the row at
		-- this moment: the upsert waits for it and locks its row.
		INSERT INTO login_attempts AS l (ip, failures, window_started_at)
		VALUES (p_ip, 0, clock_timestamp())
		ON CONFLICT (ip) DO UPDATE SET failures = l.failures
		RETURNING * INTO a;
	END IF;

	-- The time of this attempt is when it got the lock, not when its
	-- transaction began: it may have waited for others meanwhile.
	t := clock_timestamp();

	IF a.locked_until > t THEN
		verdict := 'locked';
		retry_after := ceil(extract(epoch FROM a.locked_until - t));
		RETURN;
	END IF;

	IF p_ok THEN
		DELETE FROM login_attempts WHERE ip = p_ip;
		verdict := 'ok';
		RETURN;
	END IF;

	verdict := 'failed';

	IF a.window_started_at > t - make_interval(secs => p_window) THEN
		n := a.failures + 1;
	ELSE
		n := 1;
		a.window_started_at := t;
	END IF;

	IF n < p_max THEN
		UPDATE login_attempts
		SET failures = n, window_started_at = a.window_started_at
		WHERE ip = p_ip;
		RETURN;
	END IF;

	UPDATE login_attempts
	SET failures = 0, window_started_at = t,
	    locked_until = t + make_interval(secs => p_cooldown)
	WHERE ip = p_ip;
	locked_now := true;
END;
$$;

-- Version 1's steps (login_lock_remaining, login_record_failure,
-- login_record_success) stay for now: replicas of the previous release
-- still call them during a rolling upgrade. A later migration drops them.
