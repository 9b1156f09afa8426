"""The PostgreSQL functions the hot path calls: a worker's take and release of a user, a turn's
commit and a receiver's capped batch, each one round trip instead of one per statement
(bot/storage/postgres.py).

Each round trip cost the worker ~0.1 ms of CPU in asyncpg and PostgreSQL ~0.15 ms more (a turn
was ~10 of them: lock, read the update, load the state, BEGIN, the turn, read the schedule,
COMMIT, read the outbox, ...). PL/pgSQL runs each statement with a fresh snapshot (READ
COMMITTED), so what a function reads after taking a lock is what the lock protects, as it was
with separate statements.

They are code, not schema: created at every start (under the migration lock), with the version
in their name — a changed body gets a new name, so a process of the previous release still
running during a rolling deploy keeps calling the body it was written for.
"""

from __future__ import annotations

# A session advisory lock on the user ($1, $2), then, read after it: whether replies wait in
# their outbox, their oldest pending update and their stored row. Not taken: one row with
# taken = FALSE. A session lock outlives an error in the statement that took it: the caller
# closes the connection on any error (bot/workers.py), which releases it.
TAKE = """
CREATE OR REPLACE FUNCTION yuqi_take_v1(p_space integer, p_key integer, p_user bigint)
RETURNS TABLE (taken boolean, update_id bigint, payload text, state text, chat_id bigint,
               active boolean, last_update_id bigint, owed boolean)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    v_owed boolean;
BEGIN
    IF NOT pg_try_advisory_lock(p_space, p_key) THEN
        RETURN QUERY SELECT FALSE, NULL::bigint, NULL::text, NULL::text, NULL::bigint,
            NULL::boolean, NULL::bigint, NULL::boolean;
        RETURN;
    END IF;
    -- Row locks: a release that deleted some of them and has not committed yet (it unlocked
    -- the user first) is waited for; its rows are then gone, not owed.
    PERFORM 1 FROM outbox o WHERE o.user_id = p_user FOR UPDATE;
    v_owed := FOUND;
    RETURN QUERY SELECT TRUE, i.update_id, i.payload, u.state::text, u.chat_id, u.active,
        u.last_update_id, v_owed
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT x.update_id, x.payload FROM inbox x
        WHERE x.user_id = p_user AND x.status = 'pending' ORDER BY x.update_id LIMIT 1) AS i
        ON TRUE
    LEFT JOIN users u ON u.user_id = p_user;
END
$fn$
"""

# One turn: the inbox row marked done, the state saved (when it changed), the replies queued
# (ids in order), then — a new statement, after the upsert took the user's row lock — the
# reminder schedule replaced by the same rule as bot.storage.Storage._replace_schedule: a
# wanted reminder is kept when it fires later or is owed (stored and already due); the rows
# change only when that differs from what is stored, and a reminder whose send was logged
# is never put back. NULL when the update was already handled (nothing written): the
# caller raises AlreadyApplied. The whole call is one transaction.
TURN = """
CREATE OR REPLACE FUNCTION yuqi_turn_v1(
    p_update bigint, p_stamp bigint, p_user bigint, p_chat bigint, p_state text,
    p_last bigint, p_messages text[], p_now bigint, p_debts integer[], p_dues text[],
    p_leads integer[], p_fires bigint[])
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    v_ids bigint[];
    k_debts integer[];
    k_dues text[];
    k_leads integer[];
    k_fires bigint[];
    e_debts integer[];
    e_dues text[];
    e_leads integer[];
    e_fires bigint[];
BEGIN
    IF p_update IS NOT NULL THEN
        UPDATE inbox SET status = 'done', payload = NULL, done_at = p_stamp
            WHERE inbox.update_id = p_update AND inbox.status = 'pending';
        IF NOT FOUND AND EXISTS (SELECT 1 FROM inbox WHERE inbox.update_id = p_update) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF p_state IS NOT NULL THEN
        INSERT INTO users AS u (user_id, chat_id, state, active, created_at, updated_at,
            last_update_id)
        VALUES (p_user, p_chat, p_state::jsonb, TRUE, p_stamp, p_stamp, p_last)
        ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,
            state = excluded.state, active = TRUE, updated_at = excluded.updated_at,
            last_update_id = GREATEST(u.last_update_id, excluded.last_update_id);
    END IF;
    WITH queued AS (
        INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)
        SELECT p_user, p_chat, p_update, m, p_stamp
        FROM unnest(p_messages) WITH ORDINALITY AS t(m, n) ORDER BY n
        RETURNING id
    )
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO v_ids FROM queued;
    IF p_state IS NOT NULL THEN
        -- What is stored and what is to be kept, each in key order, compared as arrays.
        SELECT coalesce(array_agg(r.debt_id ORDER BY r.debt_id, r.due_date, r.lead), '{}'),
            coalesce(array_agg(r.due_date ORDER BY r.debt_id, r.due_date, r.lead), '{}'),
            coalesce(array_agg(r.lead ORDER BY r.debt_id, r.due_date, r.lead), '{}'),
            coalesce(array_agg(r.fire_at ORDER BY r.debt_id, r.due_date, r.lead), '{}')
        INTO e_debts, e_dues, e_leads, e_fires
        FROM reminders r WHERE r.user_id = p_user;
        SELECT coalesce(array_agg(w.debt_id ORDER BY w.debt_id, w.due_date, w.lead), '{}'),
            coalesce(array_agg(w.due_date ORDER BY w.debt_id, w.due_date, w.lead), '{}'),
            coalesce(array_agg(w.lead ORDER BY w.debt_id, w.due_date, w.lead), '{}'),
            coalesce(array_agg(w.fire_at ORDER BY w.debt_id, w.due_date, w.lead), '{}')
        INTO k_debts, k_dues, k_leads, k_fires
        FROM unnest(p_debts, p_dues, p_leads, p_fires) AS w(debt_id, due_date, lead, fire_at)
        WHERE w.fire_at > p_now OR EXISTS (SELECT 1
            FROM unnest(e_debts, e_dues, e_leads, e_fires) AS e(debt_id, due_date, lead, fire_at)
            WHERE e.debt_id = w.debt_id AND e.due_date = w.due_date AND e.lead = w.lead
            AND e.fire_at <= p_now);
        IF k_debts <> e_debts OR k_dues <> e_dues OR k_leads <> e_leads
                OR k_fires <> e_fires THEN
            DELETE FROM reminders WHERE reminders.user_id = p_user;
            INSERT INTO reminders (user_id, debt_id, due_date, lead, fire_at)
            SELECT p_user, k.debt_id, k.due_date, k.lead, k.fire_at
            FROM unnest(k_debts, k_dues, k_leads, k_fires) AS k(debt_id, due_date, lead, fire_at)
            WHERE NOT EXISTS (SELECT 1 FROM reminders_sent s WHERE s.user_id = p_user
                AND s.debt_id = k.debt_id AND s.due_date = k.due_date AND s.lead = k.lead
                AND s.outcome <> 'claimed');
        END IF;
    END IF;
    RETURN v_ids;
END
$fn$
"""

# A receiver's batch with the per-user cap counted in the database (PgStorage.inbox_put_capped):
# receivers take turns per user (transaction advisory locks, in key order), then, read after
# them, each new update of a user with `p_cap` pending ones or more is recorded 'dropped' (no
# text kept) instead of stored; the stored ones wake their bucket's worker (NOTIFY, delivered
# at commit); a user whose drop starts a flood (no other drop of theirs within p_quiet seconds)
# gets the notice in their outbox. Rows: (update_id, 'pending' | 'dropped') stored now, and
# (user_id, 'noticed'). Duplicates of stored updates (a redelivery) are neither.
PUT_CAPPED = """
CREATE OR REPLACE FUNCTION yuqi_put_capped_v1(
    p_ids bigint[], p_users bigint[], p_payloads text[], p_channels text[], p_keys integer[],
    p_space integer, p_cap integer, p_stamp bigint, p_quiet integer, p_notice text,
    p_chat_users bigint[], p_chats bigint[])
RETURNS TABLE (id bigint, outcome text)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    v_ids bigint[];
    v_users bigint[];
    v_statuses text[];
    v_channels text[];
BEGIN
    PERFORM pg_advisory_xact_lock(p_space, k) FROM unnest(p_keys) AS k ORDER BY k;
    WITH batch AS (
        SELECT DISTINCT ON (b.u) b.u, b.w, b.p, b.c, b.n
        FROM unnest(p_ids, p_users, p_payloads, p_channels) WITH ORDINALITY AS b(u, w, p, c, n)
        WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.update_id = b.u)
        ORDER BY b.u, b.n
    ), ranked AS (
        SELECT b.*, row_number() OVER (PARTITION BY b.w ORDER BY b.n) + (SELECT count(*)
            FROM inbox i WHERE i.user_id = b.w AND i.status = 'pending') > p_cap AS dropped
        FROM batch b
    ), stored AS (
        INSERT INTO inbox (update_id, user_id, payload, status, received_at, done_at)
        SELECT r.u, r.w, CASE WHEN r.dropped THEN NULL ELSE r.p END,
            CASE WHEN r.dropped THEN 'dropped' ELSE 'pending' END, p_stamp,
            CASE WHEN r.dropped THEN p_stamp END
        FROM ranked r ORDER BY r.n
        ON CONFLICT (update_id) DO NOTHING
        RETURNING inbox.update_id, inbox.user_id, inbox.status
    )
    SELECT coalesce(array_agg(x.update_id), '{}'), coalesce(array_agg(x.user_id), '{}'),
        coalesce(array_agg(x.status), '{}')
    INTO v_ids, v_users, v_statuses FROM stored x;
    SELECT coalesce(array_agg(DISTINCT b.c), '{}') INTO v_channels
    FROM unnest(p_ids, p_channels) AS b(u, c)
    JOIN unnest(v_ids, v_statuses) AS s(u, st) ON s.u = b.u AND s.st = 'pending';
    PERFORM pg_notify(c, '') FROM unnest(v_channels) AS c;
    RETURN QUERY SELECT s.u, s.st FROM unnest(v_ids, v_statuses) AS s(u, st);
    IF 'dropped' = ANY(v_statuses) THEN
        RETURN QUERY WITH flooded AS (
            SELECT DISTINCT s.w FROM unnest(v_ids, v_users, v_statuses) AS s(u, w, st)
            WHERE s.st = 'dropped'
            AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.user_id = s.w
                AND i.status = 'dropped' AND i.update_id <> ALL(v_ids)
                AND i.done_at > p_stamp - p_quiet)
        ), noticed AS (
            INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)
            SELECT f.w, coalesce((SELECT c.chat FROM unnest(p_chat_users, p_chats) AS c(w, chat)
                WHERE c.w = f.w LIMIT 1), f.w), NULL, p_notice, p_stamp
            FROM flooded f ORDER BY f.w
            RETURNING outbox.user_id
        )
        SELECT n.user_id, 'noticed'::text FROM noticed n;
    END IF;
END
$fn$
"""

# The end of a worker's take: the replies delivered last are deleted from the outbox, the
# user's lock released, then the update's status (still 'pending': its handler neither
# committed nor failed it) and whether the user has other pending updates are read. The
# deletion commits with the call, after the unlock: whoever takes the user in between waits
# for it on the outbox rows (TAKE locks them) and does not send them again.
RELEASE = """
CREATE OR REPLACE FUNCTION yuqi_release_v1(
    p_delivered bigint[], p_space integer, p_key integer, p_user bigint, p_update bigint)
RETURNS TABLE (status text, more boolean)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF cardinality(p_delivered) > 0 THEN
        DELETE FROM outbox WHERE outbox.id = ANY(p_delivered);
    END IF;
    PERFORM pg_advisory_unlock(p_space, p_key);
    RETURN QUERY SELECT (SELECT i.status FROM inbox i WHERE i.update_id = p_update),
        EXISTS (SELECT 1 FROM inbox i WHERE i.user_id = p_user AND i.status = 'pending'
            AND i.update_id IS DISTINCT FROM p_update);
END
$fn$
"""

FUNCTIONS = (TAKE, TURN, PUT_CAPPED, RELEASE)
