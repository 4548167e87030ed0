-- Helpers for bench/quality.sh and bench/speed.sh: pairwise / cluster quality against a truth
-- table, a timed usermatch run, and the hand-written pg_trgm + fuzzystrmatch baseline.
--
-- Conventions. A truth table has (id text, entity text, side int): side 0 for a dedupe source,
-- 0 = left and 1 = right for a link. A pairs table has (l text, r text), each pair once.
-- A baseline input table has (id, side, name_key, dob, id1, id2, id3, addr): what a user would
-- prepare by hand (lower-cased concatenated names, digits-only phone, ...).

CREATE TABLE bench_results (
    dataset text PRIMARY KEY, records bigint, true_pairs bigint,
    um_p float8, um_r float8, um_f1 float8, um_seconds float8,
    um_cluster_p float8, um_cluster_r float8, um_cluster_f1 float8, um_cluster_seconds float8,
    bl_p float8, bl_r float8, bl_f1 float8, bl_seconds float8, bl_candidates bigint, bl_tuning text,
    um_oracle_f1 float8, um_oracle_tuning text,
    tr_p float8, tr_r float8, tr_f1 float8, tr_seconds float8, sg_f1 float8);

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

-- Cluster-level figure: pairwise quality of all pairs implied by a clustering (record_id,
-- entity_id); for a link only the cross pairs (left, right) count. Counted, not enumerated.
CREATE FUNCTION bench_cluster_quality(clusters regclass, truth regclass, link boolean,
    OUT predicted bigint, OUT tp bigint, OUT p float8, OUT r float8, OUT f1 float8) LANGUAGE plpgsql AS $$
DECLARE true_pairs bigint := bench_true_pairs(truth, link);
        pair_count text := CASE WHEN link THEN 'count(*) FILTER (WHERE t.side = 0) * count(*) FILTER (WHERE t.side = 1)'
                                ELSE 'count(*) * (count(*) - 1) / 2' END;
BEGIN
  EXECUTE format('SELECT sum(n)::bigint FROM (SELECT %s n FROM %s c JOIN %s t ON t.id = c.record_id GROUP BY c.entity_id) s',
                 pair_count, clusters, truth) INTO predicted;
  EXECUTE format('SELECT sum(n)::bigint FROM (SELECT %s n FROM %s c JOIN %s t ON t.id = c.record_id GROUP BY c.entity_id, t.entity) s',
                 pair_count, clusters, truth) INTO tp;
  p := CASE WHEN predicted > 0 THEN tp::float8 / predicted ELSE 0 END;
  r := CASE WHEN true_pairs > 0 THEN tp::float8 / true_pairs ELSE 0 END;
  f1 := CASE WHEN predicted + true_pairs > 0 THEN 2.0 * tp / (predicted + true_pairs) ELSE 0 END;
END $$;

CREATE FUNCTION bench_seconds(since timestamptz) RETURNS float8 LANGUAGE sql AS
  $$ SELECT extract(epoch FROM clock_timestamp() - since)::float8 $$;

-- usermatch end to end: dedupe (right_source NULL) or link, then clusters of cluster_source.
CREATE FUNCTION bench_usermatch(dataset text, profile text, source regclass, right_source regclass,
                                truth regclass, cluster_source regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; secs float8; q record; c record; cs float8; n bigint; link boolean := right_source IS NOT NULL;
        pairs text := 'um_pairs_' || dataset; clus text := 'um_clusters_' || dataset;
BEGIN
  t0 := clock_timestamp();
  IF link THEN
    EXECUTE format('CREATE TABLE %I AS SELECT left_id l, right_id r FROM usermatch.link(%L, %L, %L)',
                   pairs, profile, source, right_source);
  ELSE
    EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r FROM usermatch.dedupe(%L, %L)', pairs, profile, source);
  END IF;
  secs := bench_seconds(t0);
  q := bench_pair_quality(pairs::regclass, truth, link);
  t0 := clock_timestamp();
  EXECUTE format('CREATE TABLE %I AS SELECT record_id, entity_id FROM usermatch.clusters(%L, %L)', clus, profile, cluster_source);
  cs := bench_seconds(t0);
  c := bench_cluster_quality(clus::regclass, truth, link);
  EXECUTE format('SELECT count(*) FROM %s', truth) INTO n;
  INSERT INTO bench_results (dataset, records, true_pairs, um_p, um_r, um_f1, um_seconds,
                             um_cluster_p, um_cluster_r, um_cluster_f1, um_cluster_seconds)
  VALUES (dataset, n, q.true_pairs, q.p, q.r, q.f1, secs, c.p, c.r, c.f1, cs)
  ON CONFLICT ON CONSTRAINT bench_results_pkey DO UPDATE SET records = excluded.records, true_pairs = excluded.true_pairs,
    um_p = excluded.um_p, um_r = excluded.um_r, um_f1 = excluded.um_f1, um_seconds = excluded.um_seconds,
    um_cluster_p = excluded.um_cluster_p, um_cluster_r = excluded.um_cluster_r,
    um_cluster_f1 = excluded.um_cluster_f1, um_cluster_seconds = excluded.um_cluster_seconds;
END $$;

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

CREATE FUNCTION bench_baseline(dataset text, input regclass, truth regclass, link boolean,
                               sim_floor float8, sim_cuts float8[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE c record; b record;
BEGIN
  c := bench_baseline_candidates(input, link, sim_floor);
  b := bench_baseline_best(input, truth, link, sim_cuts);
  INSERT INTO bench_results (dataset, bl_p, bl_r, bl_f1, bl_seconds, bl_candidates, bl_tuning)
  VALUES (dataset, b.p, b.r, b.f1, c.seconds, c.candidates,
          format('name sim >= %s or id1 equal, score >= %s', b.sim_cut, b.score_cut))
  ON CONFLICT ON CONSTRAINT bench_results_pkey DO UPDATE SET bl_p = excluded.bl_p, bl_r = excluded.bl_r, bl_f1 = excluded.bl_f1,
    bl_seconds = excluded.bl_seconds, bl_candidates = excluded.bl_candidates, bl_tuning = excluded.bl_tuning;
END $$;

-- The same oracle tuning applied to usermatch (for an apples-to-apples reading): all pairs at
-- p >= 0.01, best F1 over probability thresholds. Not the default figure; printed beside it.
CREATE FUNCTION bench_usermatch_oracle(dataset text, profile text, source regclass, right_source regclass,
                                       truth regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE link boolean := right_source IS NOT NULL; n_true bigint := bench_true_pairs(truth, link);
        pairs text := 'um_all_' || dataset; cut float8; pred bigint; tp bigint;
BEGIN
  IF link THEN
    EXECUTE format('CREATE TABLE %I AS SELECT left_id l, right_id r, match_probability pr FROM usermatch.link(%L, %L, %L, 0.01)',
                   pairs, profile, source, right_source);
  ELSE
    EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r, match_probability pr FROM usermatch.dedupe(%L, %L, 0.01)',
                   pairs, profile, source);
  END IF;
  EXECUTE format($q$
    WITH c AS (SELECT x.pr, ta.entity = tb.entity AS ok FROM %I x JOIN %s ta ON ta.id = x.l JOIN %s tb ON tb.id = x.r),
    g AS (SELECT g.cut, count(c.pr) pred, count(*) FILTER (WHERE c.ok) tp
          FROM unnest('{0.01,0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95,0.99,0.999}'::float8[]) g(cut)
          LEFT JOIN c ON c.pr >= g.cut GROUP BY g.cut)
    SELECT cut, pred, tp FROM g ORDER BY 2.0 * tp / (pred + $1) DESC, cut DESC LIMIT 1 $q$, pairs, truth, truth)
    INTO cut, pred, tp USING n_true;
  UPDATE bench_results b SET um_oracle_f1 = 2.0 * tp / (pred + n_true),
                             um_oracle_tuning = format('min_probability %s', cut)
   WHERE b.dataset = bench_usermatch_oracle.dataset;
END $$;

-- usermatch after usermatch.train on the same data (no labels): the "trained" columns. The
-- profile goes back to its version 1 afterwards, so the next dataset starts from the defaults.
CREATE FUNCTION bench_usermatch_trained(dataset text, profile text, source regclass, right_source regclass,
                                        truth regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; q record; link boolean := right_source IS NOT NULL; pairs text := 'tr_pairs_' || dataset;
        train_secs float8;
BEGIN
  t0 := clock_timestamp();
  PERFORM usermatch.train(profile, source, right_source);
  train_secs := bench_seconds(t0);
  IF link THEN
    EXECUTE format('CREATE TABLE %I AS SELECT left_id l, right_id r FROM usermatch.link(%L, %L, %L)',
                   pairs, profile, source, right_source);
  ELSE
    EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r FROM usermatch.dedupe(%L, %L)', pairs, profile, source);
  END IF;
  q := bench_pair_quality(pairs::regclass, truth, link);
  UPDATE bench_results SET tr_p = q.p, tr_r = q.r, tr_f1 = q.f1, tr_seconds = train_secs WHERE bench_results.dataset = bench_usermatch_trained.dataset;
  PERFORM usermatch.restore_profile(profile, 1);
END $$;

-- Zero configuration: suggest_profile on `source` (a view without the truth column), train, dedupe.
CREATE FUNCTION bench_usermatch_suggested(dataset text, source regclass, truth regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE q record; profile text := 'suggested_' || dataset; pairs text := 'sg_pairs_' || dataset;
BEGIN
  PERFORM usermatch.create_profile(profile, usermatch.suggest_profile(source), replace => true);
  PERFORM usermatch.train(profile, source);
  EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r FROM usermatch.dedupe(%L, %L)', pairs, profile, source);
  q := bench_pair_quality(pairs::regclass, truth, false);
  UPDATE bench_results SET sg_f1 = q.f1 WHERE bench_results.dataset = bench_usermatch_suggested.dataset;
END $$;

-- A date in the formats a user would have seen in the data, by hand: ISO, YYYYMMDD, DD/MM/YYYY,
-- YYYY年M月D日. Text 'YYYYMMDD' or NULL.
CREATE FUNCTION bl_date(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN m IS NULL THEN NULL
    WHEN v ~ '^\d{8}$' THEN v
    WHEN v ~ '/' THEN m[3] || lpad(m[2], 2, '0') || lpad(m[1], 2, '0')
    ELSE m[1] || lpad(m[2], 2, '0') || lpad(m[3], 2, '0') END
  FROM (SELECT coalesce(regexp_match(v, '^(\d{4})-(\d{1,2})-(\d{1,2})$'),
                        regexp_match(v, '^(\d{1,2})/(\d{1,2})/(\d{4})$'),
                        regexp_match(v, '^(\d{4})年(\d{1,2})月(\d{1,2})日$'),
                        regexp_match(v, '^(\d{8})$')) m) s $$;
