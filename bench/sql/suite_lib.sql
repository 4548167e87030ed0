-- Helpers for bench/suite.sh (`make bench LEVEL=...`), loaded after bench/sql/quality_lib.sql
-- (whose truth / pairs conventions, bench_pair_quality and pg_trgm baseline it reuses).
--
-- One row of suite_results per step and tool. A step runs in a fresh backend (one psql per step)
-- so that the backend's VmHWM is the peak of that step alone. A step that passes its time cap
-- (statement_timeout, set by the caller before the call) is recorded as 'timed out', never dropped;
-- a step whose SQL function does not exist in this build is recorded as 'not available in this build'.

CREATE TABLE suite_results (
    ord serial PRIMARY KEY, step text NOT NULL, tool text NOT NULL, task text,
    status text NOT NULL,           -- ok | timed out | error | not available in this build
    records bigint, seconds float8, pairs bigint, candidates bigint, peak_mb float8,
    pairs_table text, truth text, link boolean,
    p float8, r float8, f1 float8, note text);

CREATE FUNCTION suite_proc_kb(field text) RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), field || ':\s+(\d+) kB'))[1]::bigint $$;

-- Runs one timed step: `query` (usually CREATE TABLE <pairs_table> AS ...). The caller sets
-- statement_timeout first; a cancel by it is caught here and recorded as 'timed out' (seconds =
-- the time it ran). Returns the row's ord. Quality is computed later by suite_quality (untimed).
CREATE FUNCTION suite_step(step text, tool text, task text, records bigint, query text,
                           pairs_table text DEFAULT NULL, truth text DEFAULT NULL, link boolean DEFAULT false,
                           note text DEFAULT NULL) RETURNS int LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); st text := 'ok'; msg text; n int;
BEGIN
  BEGIN
    EXECUTE query;
  EXCEPTION
    WHEN query_canceled THEN st := 'timed out';
      note := concat_ws('; ', note, 'passed its time cap (statement_timeout ' || current_setting('statement_timeout') || ')');
    WHEN OTHERS THEN GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT; st := 'error'; note := concat_ws('; ', note, left(msg, 200));
  END;
  INSERT INTO suite_results (step, tool, task, status, records, seconds, peak_mb, pairs_table, truth, link, note)
  VALUES (step, tool, task, st, records, bench_seconds(t0), suite_proc_kb('VmHWM') / 1024.0,
          CASE WHEN st = 'ok' THEN pairs_table END, truth, link, note)
  RETURNING ord INTO n;
  RETURN n;
END $$;

-- A step that this build cannot run (its function is missing): recorded, not dropped.
CREATE FUNCTION suite_unavailable(step text, tool text, needs text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO suite_results (step, tool, status, note)
  VALUES (step, tool, 'not available in this build', 'needs ' || needs) $$;

-- Pairs and P / R / F1 of every finished step that left a pairs table (l, r). Untimed.
CREATE FUNCTION suite_quality() RETURNS void LANGUAGE plpgsql AS $$
DECLARE s record; q record;
BEGIN
  FOR s IN SELECT * FROM suite_results WHERE status = 'ok' AND pairs_table IS NOT NULL AND f1 IS NULL LOOP
    IF s.truth IS NULL THEN
      EXECUTE format('SELECT count(*) FROM %I', s.pairs_table) INTO q;
      UPDATE suite_results SET pairs = q.count WHERE ord = s.ord;
    ELSE
      q := bench_pair_quality(s.pairs_table::regclass, s.truth::regclass, s.link);
      UPDATE suite_results SET pairs = q.predicted, p = q.p, r = q.r, f1 = q.f1 WHERE ord = s.ord;
    END IF;
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Peers. Each takes a baseline input table (id, side, name_key, dob, id1, id2, id3, addr) as
-- built by bench/suite.sh (the same preparation as quality.sh's real20k baseline) and creates
-- <input>_cand; the pg_trgm peer is quality_lib's bench_baseline_candidates.

-- fuzzystrmatch with phonetic blocking: block key = the sorted Double Metaphone codes of the name's
-- tokens (a token without a code, e.g. Han characters, stands for itself); blocks larger than
-- `cap` are skipped (as a user must, or the self-join explodes); every pair in a block is scored
-- with levenshtein: name_sim = 1 - distance / longer length, plus the quality.sh agreements.
-- Output (l, r, name_sim, key_eq, score) so that bench_baseline_best can oracle-tune it.
CREATE FUNCTION suite_fuzzy_candidates(input regclass, cap int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    CREATE TEMP TABLE fz_keys ON COMMIT DROP AS
    SELECT id, (SELECT string_agg(coalesce(nullif(dmetaphone(t), ''), t), ' ' ORDER BY coalesce(nullif(dmetaphone(t), ''), t))
                FROM regexp_split_to_table(name_key, '\s+') t WHERE t <> '') AS k
    FROM %s WHERE name_key IS NOT NULL $q$, input);
  EXECUTE 'CREATE INDEX ON fz_keys (k)';
  EXECUTE 'ANALYZE fz_keys';
  EXECUTE format($q$
    CREATE TABLE %I AS
    WITH ok AS (SELECT k FROM fz_keys WHERE k IS NOT NULL GROUP BY k HAVING count(*) BETWEEN 2 AND %s),
    p AS (SELECT a.id l, b.id r FROM fz_keys a JOIN ok USING (k) JOIN fz_keys b ON b.k = a.k AND a.id < b.id)
    SELECT p.l, p.r, s.name_sim, false AS key_eq,
           s.name_sim + bl_agree(a.dob, b.dob) + bl_agree(a.id1, b.id1) + bl_agree(a.id2, b.id2)
             + bl_agree(a.id3, b.id3) + bl_agree(a.addr, b.addr) AS score
    FROM p JOIN %s a ON a.id = p.l JOIN %s b ON b.id = p.r,
         LATERAL (SELECT 1 - levenshtein(left(a.name_key, 255), left(b.name_key, 255))::float8
                             / greatest(length(left(a.name_key, 255)), length(left(b.name_key, 255)), 1) AS name_sim) s $q$,
    input::text || '_cand', cap, input, input);
END $$;

-- Exact-key rules with a block cap: a pair is a match when the records share the phone digits,
-- the e-mail or the ID number, counting only key values held by at most `cap` records (a shared
-- office phone or a placeholder e-mail would otherwise join everybody). Output (l, r).
CREATE FUNCTION suite_exact_candidates(input regclass, cap int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    CREATE TABLE %I AS
    WITH k AS (SELECT id, 1 AS rule, id1 AS v FROM %2$s WHERE id1 IS NOT NULL
               UNION ALL SELECT id, 2, id2 FROM %2$s WHERE id2 IS NOT NULL
               UNION ALL SELECT id, 3, id3 FROM %2$s WHERE id3 IS NOT NULL),
    ok AS (SELECT rule, v FROM k GROUP BY rule, v HAVING count(*) BETWEEN 2 AND %3$s),
    kk AS (SELECT k.* FROM k JOIN ok USING (rule, v))
    SELECT DISTINCT a.id AS l, b.id AS r FROM kk a JOIN kk b ON a.rule = b.rule AND a.v = b.v AND a.id < b.id $q$,
    input::text || '_cand', input, cap);
END $$;

-- ---------------------------------------------------------------------------------------------
-- The run as JSON: every step, plus the time and F1 ratios of each usermatch dedupe step to
-- each peer (time ratio = peer seconds / usermatch seconds, above 1 when usermatch is faster; a
-- peer that timed out gives a lower bound; F1 ratio = usermatch F1 / peer F1).
CREATE FUNCTION suite_json(meta jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT meta || jsonb_build_object(
    'steps', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'step', step, 'tool', tool, 'task', task, 'status', status, 'records', records,
                'seconds', round(seconds::numeric, 3),
                'records_per_s', CASE WHEN status = 'ok' AND seconds > 0 THEN round((records / seconds)::numeric) END,
                'pairs', pairs,
                'pairs_per_s', CASE WHEN status = 'ok' AND seconds > 0 AND pairs IS NOT NULL THEN round((pairs / seconds)::numeric) END,
                'peak_mb', round(peak_mb::numeric, 1),
                'precision', round(p::numeric, 4), 'recall', round(r::numeric, 4), 'f1', round(f1::numeric, 4),
                'note', note) ORDER BY ord), '[]') FROM suite_results),
    'ratios', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'step', u.step, 'peer', pr.tool, 'peer_status', pr.status,
                'time_ratio', CASE WHEN u.status = 'ok' AND pr.status IN ('ok', 'timed out') AND u.seconds > 0
                                   THEN round((pr.seconds / u.seconds)::numeric, 2) END,
                'time_ratio_is_lower_bound', pr.status = 'timed out',
                'f1_ratio', CASE WHEN u.f1 IS NOT NULL AND pr.f1 > 0 THEN round((u.f1 / pr.f1)::numeric, 3) END)
                ORDER BY u.ord, pr.ord), '[]')
               FROM suite_results u JOIN suite_results pr ON pr.task = 'dedupe' AND pr.tool <> 'usermatch'
               WHERE u.tool = 'usermatch' AND u.task = 'dedupe' AND u.step LIKE 'dedupe%')) $$;
