-- Helpers for bench/quality.sh and bench/speed.sh: pairwise / cluster quality against a truth
-- table, a timed usermatch run, and the hand-written pg_trgm + fuzzystrmatch baseline.
--
-- Conventions. A truth table has (id text, entity text, side int): side 0 for a dedupe source,
-- 0 = left and 1 = right for a link. A pairs table has (l text, r text), each pair once.
-- A baseline input table has (id, side, name_key, dob, id1, id2, id3, addr): what a user would
-- prepare by hand (lower-cased concatenated names, digits-only phone, ...).

-- True pairs: same entity (dedupe), or same entity across sides (link).
CREATE FUNCTION bench_true_pairs(truth regclass, link boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  IF link THEN
    EXECUTE format('SELECT sum(a * b)::bigint FROM (SELECT count(*) FILTER (WHERE side = 0) a,
                    count(*) FILTER (WHERE side = 1) b FROM %s GROUP BY entity) s', truth) INTO n;
  ELSE
    EXECUTE format('SELECT sum(n * (n - 1) / 2)::bigint FROM (SELECT count(*) n FROM %s GROUP BY entity) s', truth) INTO n;
  END IF;
  RETURN n;
END $$;

-- Pairwise precision / recall / F1 of a pairs table.
CREATE FUNCTION bench_pair_quality(pairs regclass, truth regclass, link boolean,
    OUT predicted bigint, OUT tp bigint, OUT true_pairs bigint,
    OUT p float8, OUT r float8, OUT f1 float8) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity)
                  FROM %s x JOIN %s a ON a.id = x.l JOIN %s b ON b.id = x.r', pairs, truth, truth)
     INTO predicted, tp;
  true_pairs := bench_true_pairs(truth, link);
  p := CASE WHEN predicted > 0 THEN tp::float8 / predicted ELSE 0 END;
  r := CASE WHEN true_pairs > 0 THEN tp::float8 / true_pairs ELSE 0 END;
  f1 := CASE WHEN predicted + true_pairs > 0 THEN 2.0 * tp / (predicted + true_pairs) ELSE 0 END;
END $$;

CREATE FUNCTION bench_seconds(since timestamptz) RETURNS float8 LANGUAGE sql AS
  $$ SELECT extract(epoch FROM clock_timestamp() - since)::float8 $$;

-- Baseline field agreement: 1 equal, 0.5 one edit apart (fuzzystrmatch), 0 otherwise or missing.
CREATE FUNCTION bl_agree(x text, y text) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN x IS NULL OR y IS NULL THEN 0
              WHEN x = y THEN 1
              WHEN levenshtein_less_equal(x, y, 1) <= 1 THEN 0.5 ELSE 0 END::float8 $$;

-- The baseline a user would write: trigram GIN index on the name key, candidates from `%`
-- (pg_trgm.similarity_threshold = sim_floor) plus exact equality on id1, score = similarity of
-- names + agreement of dob, id1..id3 + similarity of address. Timed: index + candidates + score.
CREATE FUNCTION bench_baseline_candidates(input regclass, link boolean, sim_floor float8,
                                          OUT candidates bigint, OUT seconds float8) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); cand text := input || '_cand';
        cond text := CASE WHEN link THEN 'a.side = 0 AND b.side = 1' ELSE 'a.id < b.id' END;
BEGIN
  EXECUTE format('CREATE INDEX ON %s USING gin (name_key gin_trgm_ops)', input);
  EXECUTE format('ANALYZE %s', input);
  PERFORM set_config('pg_trgm.similarity_threshold', sim_floor::text, true);
  EXECUTE format($q$
    CREATE TABLE %I AS
    SELECT p.l, p.r, similarity(a.name_key, b.name_key) AS name_sim, coalesce(a.id1 = b.id1, false) AS key_eq,
           similarity(a.name_key, b.name_key) + bl_agree(a.dob, b.dob) + bl_agree(a.id1, b.id1)
             + bl_agree(a.id2, b.id2) + bl_agree(a.id3, b.id3) + coalesce(similarity(a.addr, b.addr), 0) AS score
    FROM (SELECT a.id l, b.id r FROM %2$s a JOIN %2$s b ON a.name_key %% b.name_key AND %3$s
          UNION
          SELECT a.id, b.id FROM %2$s a JOIN %2$s b ON a.id1 = b.id1 AND %3$s) p
    JOIN %2$s a ON a.id = p.l JOIN %2$s b ON b.id = p.r $q$, cand, input, cond);
  seconds := bench_seconds(t0);
  EXECUTE format('SELECT count(*) FROM %I', cand) INTO candidates;
END $$;

-- Oracle tuning of the baseline: best F1 against the truth over name-similarity cut-offs
-- (>= sim_floor) and score thresholds on a 0.05 grid. Generous to the baseline on purpose.
CREATE FUNCTION bench_baseline_best(input regclass, truth regclass, link boolean, sim_cuts float8[],
    OUT sim_cut float8, OUT score_cut float8, OUT predicted bigint, OUT tp bigint,
    OUT p float8, OUT r float8, OUT f1 float8) LANGUAGE plpgsql AS $$
DECLARE true_pairs bigint := bench_true_pairs(truth, link);
BEGIN
  EXECUTE format($q$
    WITH c AS (SELECT c.name_sim, c.key_eq, floor(c.score * 20) / 20 AS bucket, ta.entity = tb.entity AS ok
               FROM %I c JOIN %s ta ON ta.id = c.l JOIN %s tb ON tb.id = c.r),
    agg AS (SELECT s.cut, c.bucket, count(*) n, count(*) FILTER (WHERE c.ok) k
            FROM c JOIN unnest($1) s(cut) ON c.name_sim >= s.cut OR c.key_eq GROUP BY 1, 2),
    cum AS (SELECT cut, bucket, sum(n) OVER w AS pred, sum(k) OVER w AS tp FROM agg
            WINDOW w AS (PARTITION BY cut ORDER BY bucket DESC))
    SELECT cut, bucket, pred::bigint, tp::bigint FROM cum ORDER BY 2.0 * tp / (pred + $2) DESC, cut, bucket LIMIT 1 $q$,
    input || '_cand', truth, truth) INTO sim_cut, score_cut, predicted, tp USING sim_cuts, true_pairs;
  p := CASE WHEN predicted > 0 THEN tp::float8 / predicted ELSE 0 END;
  r := CASE WHEN true_pairs > 0 THEN tp::float8 / true_pairs ELSE 0 END;
  f1 := CASE WHEN predicted + true_pairs > 0 THEN 2.0 * tp / (predicted + true_pairs) ELSE 0 END;
END $$;

-- A date in the formats a user would have seen in the data, by hand: ISO, YYYYMMDD, DD/MM/YYYY
-- (also DD-MM-YYYY and DD.MM.YYYY), YYYY/M/D, YYYY年M月D日. Text 'YYYYMMDD' or NULL.
CREATE FUNCTION bl_date(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN m IS NULL THEN NULL
    WHEN v ~ '^\d{8}$' THEN v
    WHEN v ~ '^\d{1,2}[/.-]' THEN m[3] || lpad(m[2], 2, '0') || lpad(m[1], 2, '0')
    ELSE m[1] || lpad(m[2], 2, '0') || lpad(m[3], 2, '0') END
  FROM (SELECT coalesce(regexp_match(v, '^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$'),
                        regexp_match(v, '^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$'),
                        regexp_match(v, '^(\d{4})年(\d{1,2})月(\d{1,2})日$'),
                        regexp_match(v, '^(\d{8})$')) m) s $$;

-- ---------------------------------------------------------------------------------------------
-- The quality table (issue 8): one scored run per configuration (default profile, trained,
-- suggest_profile + train), each with the F1 at the profile's own threshold AND the best F1 over
-- every threshold on the same scored pairs (ranking quality, apart from calibration).

CREATE TABLE bench_table (
    ord serial, dataset text PRIMARY KEY, task text, records bigint, true_pairs bigint,
    d_p float8, d_r float8, d_f1 float8, d_best_f1 float8, d_seconds float8,
    da_p float8, da_r float8, da_f1 float8,
    t_p float8, t_r float8, t_f1 float8, t_best_f1 float8, t_seconds float8,
    s_p float8, s_r float8, s_f1 float8, s_best_f1 float8, s_seconds float8, s_note text,
    bl_p float8, bl_r float8, bl_f1 float8, bl_seconds float8);

-- Floor of the scored runs: pairs below it are not emitted (they count as never accepted).
CREATE FUNCTION bench_floor() RETURNS float8 LANGUAGE sql IMMUTABLE AS $$ SELECT 0.001::float8 $$;

-- Scores `source` (or links source with right_source) with `profile` down to bench_floor(),
-- keeps the pairs (l, r, w = match weight, pr = probability) in table `pairs`, and returns the
-- quality at the profile's threshold and the best F1 over all thresholds (ranked by weight).
CREATE FUNCTION bench_scored(pairs text, profile text, source regclass, right_source regclass, truth regclass,
    OUT p float8, OUT r float8, OUT f1 float8, OUT best_f1 float8, OUT seconds float8) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); link boolean := right_source IS NOT NULL;
        n_true bigint := bench_true_pairs(truth, link); cut float8; pred bigint; tp bigint;
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I', pairs);
  IF link THEN
    EXECUTE format('CREATE TABLE %I AS SELECT left_id l, right_id r, match_weight w, match_probability pr
                    FROM usermatch.link(%L, %L, %L, %s)', pairs, profile, source, right_source, bench_floor());
  ELSE
    EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r, match_weight w, match_probability pr
                    FROM usermatch.dedupe(%L, %L, %s)', pairs, profile, source, bench_floor());
  END IF;
  seconds := bench_seconds(t0);
  -- A number, or {"auto": t} as train stores it (a hand-written unresolved "auto" is not used here).
  SELECT coalesce(CASE jsonb_typeof(spec->'threshold')
                    WHEN 'number' THEN (spec->>'threshold')::float8
                    WHEN 'object' THEN (spec->'threshold'->>'auto')::float8 END, 0.9)
    INTO cut FROM usermatch.profiles WHERE name = profile;
  EXECUTE format('SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity)
                  FROM %I x JOIN %s a ON a.id = x.l JOIN %s b ON b.id = x.r WHERE x.pr >= $1', pairs, truth, truth)
     INTO pred, tp USING cut;
  p := CASE WHEN pred > 0 THEN tp::float8 / pred ELSE 0 END;
  r := CASE WHEN n_true > 0 THEN tp::float8 / n_true ELSE 0 END;
  f1 := CASE WHEN pred + n_true > 0 THEN 2.0 * tp / (pred + n_true) ELSE 0 END;
  EXECUTE format($q$
    WITH c AS (SELECT x.w, (a.entity = b.entity)::int ok FROM %I x JOIN %s a ON a.id = x.l JOIN %s b ON b.id = x.r),
    g AS (SELECT w, count(*) n, sum(ok) k FROM c GROUP BY w),
    cum AS (SELECT sum(n) OVER o pred, sum(k) OVER o tp FROM g WINDOW o AS (ORDER BY w DESC))
    SELECT coalesce(max(2.0 * tp / (pred + $1)), 0) FROM cum $q$, pairs, truth, truth) INTO best_f1 USING n_true;
END $$;

-- A copy of `profile` with "threshold": "auto", run without min_probability: the run resolves the
-- expected-F1 threshold and emits the pairs at or above it.
CREATE FUNCTION bench_at_auto(profile text, source regclass, right_source regclass, truth regclass,
    OUT p float8, OUT r float8, OUT f1 float8) LANGUAGE plpgsql AS $$
DECLARE link boolean := right_source IS NOT NULL; n_true bigint := bench_true_pairs(truth, link);
        copy text := profile || '_auto'; pred bigint; tp bigint;
BEGIN
  PERFORM usermatch.create_profile(copy, jsonb_set(spec, '{threshold}', '"auto"'), replace => true)
     FROM usermatch.profiles WHERE name = profile;
  IF link THEN
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity)
                    FROM usermatch.link(%L, %L, %L) x JOIN %s a ON a.id = x.left_id JOIN %s b ON b.id = x.right_id',
                   copy, source, right_source, truth, truth) INTO pred, tp;
  ELSE
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity)
                    FROM usermatch.dedupe(%L, %L) x JOIN %s a ON a.id = x.id1 JOIN %s b ON b.id = x.id2',
                   copy, source, truth, truth) INTO pred, tp;
  END IF;
  p := CASE WHEN pred > 0 THEN tp::float8 / pred ELSE 0 END;
  r := CASE WHEN n_true > 0 THEN tp::float8 / n_true ELSE 0 END;
  f1 := CASE WHEN pred + n_true > 0 THEN 2.0 * tp / (pred + n_true) ELSE 0 END;
END $$;

-- One dataset, all three usermatch configurations. `suggest_left` / `suggest_right`: the
-- sources suggest_profile sees (the data without its ground-truth column).
CREATE FUNCTION bench_dataset(dataset text, profile text, source regclass, right_source regclass, truth regclass,
                              suggest_left regclass, suggest_right regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE q record; t0 timestamptz; secs float8; sg text := 'suggested_' || dataset; note text;
        link boolean := right_source IS NOT NULL; n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s', truth) INTO n;
  INSERT INTO bench_table (dataset, task, records, true_pairs)
  VALUES (dataset, CASE WHEN link THEN 'link' ELSE 'dedupe' END, n, bench_true_pairs(truth, link))
  ON CONFLICT ON CONSTRAINT bench_table_pkey DO NOTHING;
  -- 1. the hand profile at its defaults
  q := bench_scored('d_pairs_' || dataset, profile, source, right_source, truth);
  UPDATE bench_table b SET d_p = q.p, d_r = q.r, d_f1 = q.f1, d_best_f1 = q.best_f1, d_seconds = q.seconds
   WHERE b.dataset = bench_dataset.dataset;
  -- 1a. the same hand profile with "threshold": "auto" (expected-F1 threshold of its untrained
  -- weights, resolved by the run itself): pairs the run emits at its own threshold
  q := bench_at_auto(profile, source, right_source, truth);
  UPDATE bench_table b SET da_p = q.p, da_r = q.r, da_f1 = q.f1 WHERE b.dataset = bench_dataset.dataset;
  -- 2. after train (no labels) on the same data; back to version 1 afterwards
  t0 := clock_timestamp();
  PERFORM usermatch.train(profile, source, right_source);
  secs := bench_seconds(t0);
  q := bench_scored('t_pairs_' || dataset, profile, source, right_source, truth);
  UPDATE bench_table b SET t_p = q.p, t_r = q.r, t_f1 = q.f1, t_best_f1 = q.best_f1, t_seconds = secs + q.seconds
   WHERE b.dataset = bench_dataset.dataset;
  PERFORM usermatch.restore_profile(profile, 1);
  -- 3. zero configuration: suggest_profile on the data without its truth, train, score
  BEGIN
    t0 := clock_timestamp();
    PERFORM usermatch.create_profile(sg, usermatch.suggest_profile(suggest_left, suggest_right), replace => true);
    PERFORM usermatch.train(sg, suggest_left, suggest_right);
    secs := bench_seconds(t0);
    q := bench_scored('s_pairs_' || dataset, sg, suggest_left, suggest_right, truth);
    UPDATE bench_table b SET s_p = q.p, s_r = q.r, s_f1 = q.f1, s_best_f1 = q.best_f1, s_seconds = secs + q.seconds
     WHERE b.dataset = bench_dataset.dataset;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS note = MESSAGE_TEXT;
    UPDATE bench_table b SET s_note = left(note, 200) WHERE b.dataset = bench_dataset.dataset;
  END;
END $$;

-- The pg_trgm + fuzzystrmatch baseline (oracle-tuned, see bench_baseline) into bench_table.
CREATE FUNCTION bench_table_baseline(dataset text, input regclass, truth regclass, link boolean,
                                     sim_floor float8, sim_cuts float8[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE c record; b record;
BEGIN
  c := bench_baseline_candidates(input, link, sim_floor);
  b := bench_baseline_best(input, truth, link, sim_cuts);
  UPDATE bench_table t SET bl_p = b.p, bl_r = b.r, bl_f1 = b.f1, bl_seconds = c.seconds
   WHERE t.dataset = bench_table_baseline.dataset;
END $$;

-- The table as JSON (one object per dataset, in run order) and as Markdown.
CREATE FUNCTION bench_table_json() RETURNS jsonb LANGUAGE sql AS $$
  SELECT coalesce(jsonb_agg(to_jsonb(t) - 'ord' ORDER BY t.ord), '[]') FROM bench_table t $$;

CREATE FUNCTION bench_table_markdown() RETURNS text LANGUAGE sql AS $$
  WITH f AS (SELECT * FROM bench_table),
  fmt AS (SELECT ord, format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |', dataset, task, records, true_pairs,
    coalesce(to_char(d_f1, 'FM0.000') || ' (' || to_char(d_p, 'FM0.00') || '/' || to_char(d_r, 'FM0.00') || ')', '–'),
    coalesce(to_char(d_best_f1, 'FM0.000'), '–'),
    coalesce(to_char(da_f1, 'FM0.000') || ' (' || to_char(da_p, 'FM0.00') || '/' || to_char(da_r, 'FM0.00') || ')', '–'),
    coalesce(to_char(t_f1, 'FM0.000') || ' (' || to_char(t_p, 'FM0.00') || '/' || to_char(t_r, 'FM0.00') || ')', '–'),
    coalesce(to_char(t_best_f1, 'FM0.000'), '–'),
    coalesce(to_char(s_f1, 'FM0.000') || ' (' || to_char(s_p, 'FM0.00') || '/' || to_char(s_r, 'FM0.00') || ')', 'failed: ' || s_note, '–'),
    coalesce(to_char(s_best_f1, 'FM0.000'), '–'),
    coalesce(to_char(bl_f1, 'FM0.000'), '–')) line FROM f)
  SELECT '| dataset | task | records | true pairs | default F1 (P/R) | default best F1 | default, threshold auto F1 (P/R) | trained F1 (P/R) | trained best F1 | suggested+trained F1 (P/R) | suggested best F1 | pg_trgm baseline F1 |' || chr(10) ||
         '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|' || chr(10) || string_agg(line, chr(10) ORDER BY ord) FROM fmt $$;
