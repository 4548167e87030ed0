-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit

-- == background jobs ==
-- Roles and relations are stored as regrole / regclass, so pg_dump writes their names and a
-- restore maps them back by name (not to whatever has the same OID in the new cluster).
-- Jobs run in background workers (src/pg/jobs/jobs.cpp) started by one launcher per cluster,
-- which needs shared_preload_libraries = 'usermatch' and works in the database named by
-- usermatch.database. A job runs as the role that submitted it. Every table below has row-level
-- security: a role sees (and cancels) only its own jobs; members of pg_monitor see every job
-- (but never another role's results).

-- Raises 55000 unless background jobs can run here (library preloaded, this is usermatch.database).
CREATE FUNCTION usermatch._jobs_available() RETURNS void
    AS 'MODULE_PATHNAME', 'usermatch_jobs_available' LANGUAGE C VOLATILE;
-- Wakes the launcher when the calling transaction commits.
CREATE FUNCTION usermatch._wake_launcher() RETURNS void
    AS 'MODULE_PATHNAME', 'usermatch_wake_launcher' LANGUAGE C VOLATILE;
-- The launcher's process id, NULL when no launcher runs.
CREATE FUNCTION usermatch.launcher_pid() RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_launcher_pid' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION usermatch.launcher_pid() IS 'Process id of the background-job launcher; NULL when none runs';

-- dedupe() orders the two ids of a pair this way (engine::id_less): numerically when both are digits.
CREATE FUNCTION usermatch._id_less(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN a ~ '^[0-9]+$' AND b ~ '^[0-9]+$' THEN
    (length(ltrim(a, '0')), ltrim(a, '0') COLLATE "C", a COLLATE "C") < (length(ltrim(b, '0')), ltrim(b, '0') COLLATE "C", b COLLATE "C")
  ELSE a COLLATE "C" < b COLLATE "C" END
$$;

CREATE TABLE usermatch.job_queue (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('dedupe', 'link', 'clusters', 'train')),
    profile         text NOT NULL,
    source          regclass NOT NULL,
    source_name     text NOT NULL,
    target          regclass,
    target_name     text,
    options         jsonb NOT NULL DEFAULT '{}',
    owner           regrole NOT NULL,
    schedule_name   text,
    result_table    text,
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    max_attempts    integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    attempts        integer NOT NULL DEFAULT 0,
    batch_size      integer NOT NULL CHECK (batch_size >= 1),
    records_total   bigint,
    records_done    bigint NOT NULL DEFAULT 0,
    pairs_found     bigint,
    rows_written    bigint NOT NULL DEFAULT 0,
    rate            double precision,
    watermark_from  text,
    watermark_to    text,
    result          jsonb,
    submitted       timestamptz NOT NULL DEFAULT now(),
    started         timestamptz,
    finished        timestamptz,
    error           text,
    error_code      text,
    worker_pid      integer,
    current_run     bigint
);
CREATE INDEX job_queue_state ON usermatch.job_queue (state) WHERE state IN ('queued', 'running');
COMMENT ON TABLE usermatch.job_queue IS 'Background jobs (read usermatch.jobs); rows_written is the committed checkpoint a resumed job continues from';

CREATE TABLE usermatch.job_runs (
    id            bigserial PRIMARY KEY,
    job_id        bigint NOT NULL REFERENCES usermatch.job_queue ON DELETE CASCADE,
    attempt       integer NOT NULL,
    owner         regrole NOT NULL,
    started       timestamptz NOT NULL DEFAULT now(),
    finished      timestamptz,
    state         text NOT NULL DEFAULT 'running',
    resumed_from  bigint NOT NULL DEFAULT 0,
    rows_written  bigint,
    error         text
);
CREATE INDEX job_runs_job ON usermatch.job_runs (job_id);
COMMENT ON TABLE usermatch.job_runs IS 'Every attempt of every background job: when it ran, the checkpoint it resumed from, how it ended';

CREATE TABLE usermatch.job_schedules (
    owner        regrole NOT NULL,
    name         text NOT NULL CHECK (name <> ''),
    every        interval NOT NULL CHECK (every >= interval '1 second'),
    kind         text NOT NULL,
    profile      text NOT NULL,
    source       regclass NOT NULL,
    source_name  text NOT NULL,
    target       regclass,
    target_name  text,
    options      jsonb NOT NULL DEFAULT '{}',
    created      timestamptz NOT NULL DEFAULT now(),
    next_run     timestamptz NOT NULL,
    last_run     timestamptz,
    last_job     bigint,
    PRIMARY KEY (owner, name)
);

-- Default result tables (options.result_table names another with the same columns).
CREATE TABLE usermatch.job_results (
    job_id             bigint NOT NULL,
    id1                text NOT NULL,
    id2                text NOT NULL,
    match_weight       double precision,
    match_probability  double precision
);
CREATE INDEX job_results_job ON usermatch.job_results (job_id);
COMMENT ON TABLE usermatch.job_results IS 'Pairs found by dedupe and link jobs, keyed by job id (a role reads only its own jobs'' rows)';
CREATE TABLE usermatch.job_clusters (
    job_id        bigint NOT NULL,
    record_id     text NOT NULL,
    entity_id     text NOT NULL,
    cluster_size  integer
);
CREATE INDEX job_clusters_job ON usermatch.job_clusters (job_id);
COMMENT ON TABLE usermatch.job_clusters IS 'Cluster membership found by clusters jobs, keyed by job id';

SELECT pg_catalog.pg_extension_config_dump('usermatch.job_queue', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_queue_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_runs', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_runs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_schedules', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_results', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_clusters', '');

ALTER TABLE usermatch.job_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_queue_visible ON usermatch.job_queue FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
CREATE POLICY job_queue_owned ON usermatch.job_queue
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
    WITH CHECK (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user));
ALTER TABLE usermatch.job_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_runs_visible ON usermatch.job_runs FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
ALTER TABLE usermatch.job_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_schedules_visible ON usermatch.job_schedules FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
CREATE POLICY job_schedules_owned ON usermatch.job_schedules
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
    WITH CHECK (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user));
-- Results: only the owner of the job (pg_monitor sees jobs, not their data).
ALTER TABLE usermatch.job_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_results_owned ON usermatch.job_results
    USING (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)))
    WITH CHECK (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)));
ALTER TABLE usermatch.job_clusters ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_clusters_owned ON usermatch.job_clusters
    USING (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)))
    WITH CHECK (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)));
-- The worker runs as the owner and updates its own job's progress; the owner column can never
-- name another role (the policies' WITH CHECK), so no role can make a job run as someone else.
GRANT SELECT, INSERT, UPDATE ON usermatch.job_queue TO PUBLIC;
GRANT USAGE ON SEQUENCE usermatch.job_queue_id_seq TO PUBLIC;
GRANT SELECT ON usermatch.job_runs TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON usermatch.job_schedules TO PUBLIC;
GRANT SELECT, INSERT, DELETE ON usermatch.job_results, usermatch.job_clusters TO PUBLIC;

CREATE VIEW usermatch.jobs WITH (security_invoker = true) AS
SELECT q.id, q.kind, q.profile, pg_catalog.pg_get_userbyid(q.owner) AS owner, q.state,
       q.source_name AS source, q.target_name AS target, q.schedule_name AS schedule,
       q.records_done, q.records_total, q.pairs_found AS pairs_scored, q.rows_written,
       CASE WHEN q.state = 'running' THEN q.rate END AS current_rate, q.batch_size,
       q.attempts, q.max_attempts, q.submitted, q.started, q.finished, q.error, q.error_code,
       q.result_table, q.options, q.result
FROM usermatch.job_queue q;
COMMENT ON VIEW usermatch.jobs IS 'Background jobs you may see: progress (records, pairs, rows written, rows per second), attempts, error';
GRANT SELECT ON usermatch.jobs TO PUBLIC;

CREATE VIEW usermatch.schedules WITH (security_invoker = true) AS
SELECT s.name, pg_catalog.pg_get_userbyid(s.owner) AS owner, s.every, s.kind, s.profile,
       s.source_name AS source, s.target_name AS target, s.options, s.last_run, s.next_run,
       s.last_job, q.state AS last_state
FROM usermatch.job_schedules s LEFT JOIN usermatch.job_queue q ON q.id = s.last_job;
COMMENT ON VIEW usermatch.schedules IS 'Recurring background jobs: last run, next run, state of the last job';
GRANT SELECT ON usermatch.schedules TO PUBLIC;

-- Checks a job definition; returns options completed with their defaults. Errors name the argument.
CREATE FUNCTION usermatch._check_job(kind text, profile text, source regclass, target regclass, options jsonb)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$  -- the caller's search_path resolves result_table
DECLARE
  opts jsonb := coalesce(options, '{}');
  wm text;
  rt regclass;
BEGIN
  IF kind IS NULL OR profile IS NULL OR source IS NULL THEN
    RAISE EXCEPTION 'usermatch: kind, profile and source must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF kind NOT IN ('dedupe', 'link', 'clusters', 'train') THEN
    RAISE EXCEPTION 'usermatch: unknown job kind "%"', kind USING ERRCODE = '22023',
      HINT = 'Kinds are dedupe, link, clusters and train.';
  END IF;
  IF kind = 'link' AND target IS NULL THEN
    RAISE EXCEPTION 'usermatch: a link job needs a target' USING ERRCODE = '22004';
  END IF;
  IF jsonb_typeof(opts) <> 'object' THEN
    RAISE EXCEPTION 'usermatch: options must be a JSON object' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM usermatch.profiles p WHERE p.name = profile) THEN
    RAISE EXCEPTION 'usermatch: profile "%" does not exist', profile USING ERRCODE = '42704';
  END IF;
  IF NOT has_table_privilege(source, 'SELECT') THEN
    RAISE EXCEPTION 'usermatch: permission denied for source %', source USING ERRCODE = '42501',
      HINT = 'A job runs as the role that submits it and reads only what that role may read.';
  END IF;
  IF target IS NOT NULL AND NOT has_table_privilege(target, 'SELECT') THEN
    RAISE EXCEPTION 'usermatch: permission denied for target %', target USING ERRCODE = '42501';
  END IF;
  IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'usermatch: role "%" cannot log in, and a job runs as the role that submits it', current_user
      USING ERRCODE = '42501', HINT = 'Submit as a role with LOGIN (RESET ROLE, or ALTER ROLE ... LOGIN).';
  END IF;
  IF opts ? 'max_attempts' AND (jsonb_typeof(opts->'max_attempts') <> 'number' OR (opts->>'max_attempts')::numeric NOT BETWEEN 1 AND 100) THEN
    RAISE EXCEPTION 'usermatch: options.max_attempts must be a number between 1 and 100' USING ERRCODE = '22023';
  END IF;
  IF opts ? 'batch_size' AND (jsonb_typeof(opts->'batch_size') <> 'number' OR (opts->>'batch_size')::numeric NOT BETWEEN 1 AND 1000000) THEN
    RAISE EXCEPTION 'usermatch: options.batch_size must be a number between 1 and 1000000' USING ERRCODE = '22023';
  END IF;
  IF opts ? 'min_probability' AND (jsonb_typeof(opts->'min_probability') <> 'number' OR (opts->>'min_probability')::float8 NOT BETWEEN 0 AND 1) THEN
    RAISE EXCEPTION 'usermatch: options.min_probability must be a number between 0 and 1' USING ERRCODE = '22023';
  END IF;
  IF coalesce(opts->>'incremental', 'false') NOT IN ('true', 'false') THEN
    RAISE EXCEPTION 'usermatch: options.incremental must be true or false' USING ERRCODE = '22023';
  END IF;
  IF (opts->>'incremental')::boolean THEN
    IF kind NOT IN ('dedupe', 'link') THEN
      RAISE EXCEPTION 'usermatch: incremental jobs are dedupe or link jobs, not %', kind USING ERRCODE = '22023';
    END IF;
    wm := opts->>'watermark_column';
    IF wm IS NULL THEN
      RAISE EXCEPTION 'usermatch: an incremental job needs options.watermark_column' USING ERRCODE = '22023',
        HINT = 'Name a column of the source that grows with every insert or change, e.g. updated_at or a serial id.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname = wm AND attnum > 0 AND NOT attisdropped) THEN
      RAISE EXCEPTION 'usermatch: watermark column "%" does not exist in %', wm, source USING ERRCODE = '42703';
    END IF;
  END IF;
  IF kind = 'train' THEN
    opts := opts - 'result_table';
  ELSE
    rt := to_regclass(coalesce(opts->>'result_table',
                               CASE kind WHEN 'clusters' THEN 'usermatch.job_clusters' ELSE 'usermatch.job_results' END));
    IF rt IS NULL THEN
      RAISE EXCEPTION 'usermatch: result table "%" does not exist', opts->>'result_table' USING ERRCODE = '42P01';
    END IF;
    IF NOT has_table_privilege(rt, 'INSERT') THEN
      RAISE EXCEPTION 'usermatch: permission denied to insert into result table %', rt USING ERRCODE = '42501';
    END IF;
    opts := jsonb_set(opts, '{result_table}',
                      to_jsonb((SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rt)));
  END IF;
  RETURN opts;
END $$;

CREATE FUNCTION usermatch.submit_job(kind text, profile text, source regclass, target regclass DEFAULT NULL,
                                     options jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  opts jsonb;
  job bigint;
BEGIN
  PERFORM usermatch._jobs_available();
  opts := usermatch._check_job(kind, profile, source, target, options);
  INSERT INTO usermatch.job_queue (kind, profile, source, source_name, target, target_name, options, owner,
                                   result_table, max_attempts, batch_size)
  VALUES (kind, profile, source, source::text, target, target::text, opts,
          (SELECT oid FROM pg_roles WHERE rolname = current_user), opts->>'result_table',
          coalesce((opts->>'max_attempts')::numeric::integer, 3),
          coalesce((opts->>'batch_size')::numeric::integer, current_setting('usermatch.batch_size')::integer))
  RETURNING id INTO job;
  PERFORM usermatch._wake_launcher();
  RETURN job;
END $$;
COMMENT ON FUNCTION usermatch.submit_job(text, text, regclass, regclass, jsonb) IS
    'Queues a background dedupe, link, clusters or train job that runs as you; returns its id (see usermatch.jobs)';

CREATE FUNCTION usermatch.cancel_job(job_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE st text;
BEGIN
  PERFORM usermatch._jobs_available();
  UPDATE usermatch.job_queue SET state = 'cancelled', finished = now(), error = 'cancelled by ' || current_user
   WHERE id = job_id AND state IN ('queued', 'running');
  IF FOUND THEN
    PERFORM usermatch._wake_launcher();
    RETURN true;
  END IF;
  SELECT q.state INTO st FROM usermatch.job_queue q WHERE q.id = job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
  END IF;
  IF st IN ('queued', 'running') THEN
    RAISE EXCEPTION 'usermatch: job % belongs to another role', job_id USING ERRCODE = '42501',
      HINT = 'A role cancels only its own jobs.';
  END IF;
  RETURN false;  -- already finished
END $$;
COMMENT ON FUNCTION usermatch.cancel_job(bigint) IS 'Cancels one of your queued or running jobs; false when it had already finished';

CREATE FUNCTION usermatch.retry_job(job_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM usermatch._jobs_available();
  UPDATE usermatch.job_queue SET state = 'queued', attempts = 0, finished = NULL, error = NULL, error_code = NULL
   WHERE id = job_id AND state IN ('failed', 'cancelled');
  IF FOUND THEN
    PERFORM usermatch._wake_launcher();
    RETURN true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id) THEN
    RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
  END IF;
  RETURN false;
END $$;
COMMENT ON FUNCTION usermatch.retry_job(bigint) IS
    'Queues a failed or cancelled job of yours again (fresh attempts; it resumes from its last committed batch)';

CREATE FUNCTION usermatch.wait_job(job_id bigint, timeout interval DEFAULT '1 hour') RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + coalesce(timeout, '1 hour');
  st text;
BEGIN
  LOOP
    SELECT q.state INTO st FROM usermatch.job_queue q WHERE q.id = job_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
    END IF;
    IF st IN ('succeeded', 'failed', 'cancelled') OR clock_timestamp() >= deadline THEN
      RETURN st;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
COMMENT ON FUNCTION usermatch.wait_job(bigint, interval) IS
    'Waits until the job finishes or the timeout passes; returns its state then (run it outside the submitting transaction)';

CREATE FUNCTION usermatch.schedule(name text, every interval, kind text, profile text, source regclass,
                                   target regclass DEFAULT NULL, options jsonb DEFAULT '{}')
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE opts jsonb;
BEGIN
  PERFORM usermatch._jobs_available();
  IF name IS NULL OR every IS NULL THEN
    RAISE EXCEPTION 'usermatch: schedule name and interval must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF every < interval '1 second' THEN
    RAISE EXCEPTION 'usermatch: a schedule runs at most every second' USING ERRCODE = '22023';
  END IF;
  opts := usermatch._check_job(kind, profile, source, target, options);
  INSERT INTO usermatch.job_schedules AS s (owner, name, every, kind, profile, source, source_name, target, target_name, options, next_run)
  VALUES ((SELECT oid FROM pg_roles WHERE rolname = current_user), schedule.name, every, kind, profile,
          source, source::text, target, target::text, opts, now())
  ON CONFLICT ON CONSTRAINT job_schedules_pkey DO UPDATE SET every = EXCLUDED.every, kind = EXCLUDED.kind, profile = EXCLUDED.profile,
     source = EXCLUDED.source, source_name = EXCLUDED.source_name, target = EXCLUDED.target,
     target_name = EXCLUDED.target_name, options = EXCLUDED.options, next_run = now();
  PERFORM usermatch._wake_launcher();
END $$;
COMMENT ON FUNCTION usermatch.schedule(text, interval, text, text, regclass, regclass, jsonb) IS
    'Submits the job now and then every interval (creates or replaces your schedule of that name)';

CREATE FUNCTION usermatch.unschedule(name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM usermatch.job_schedules s
   WHERE s.name = unschedule.name AND s.owner = (SELECT oid FROM pg_roles WHERE rolname = current_user);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'usermatch: you have no schedule named "%"', name USING ERRCODE = '42704';
  END IF;
  RETURN true;
END $$;
COMMENT ON FUNCTION usermatch.unschedule(text) IS 'Removes one of your schedules (jobs it already submitted keep running)';

-- Launcher steps (run by the launcher as superuser; not callable by others).
-- Jobs marked running whose worker is gone (a crash, a restart, a launcher restart), other than
-- those the launcher has workers for (`starting`): queued again, or failed once out of attempts.
CREATE FUNCTION usermatch._jobs_recover(starting bigint[]) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  WITH orphan AS (
    UPDATE usermatch.job_queue q SET
           state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
           finished = CASE WHEN attempts >= max_attempts THEN now() END, worker_pid = NULL,
           error = 'interrupted: its worker was stopped by a server crash or restart' ||
                   CASE WHEN attempts >= max_attempts THEN ' after ' || attempts || ' attempt(s) (max_attempts)' ELSE '' END
     WHERE q.state = 'running' AND q.id <> ALL (starting)
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = q.worker_pid AND a.backend_type = 'usermatch job')
    RETURNING q.id, q.rows_written, q.error)
  UPDATE usermatch.job_runs r SET finished = now(), state = 'interrupted', rows_written = o.rows_written, error = o.error
    FROM orphan o WHERE r.job_id = o.id AND r.finished IS NULL;
$$;
-- A worker has exited: settle the job (if the worker could not) and its run.
CREATE FUNCTION usermatch._job_exited(job bigint, run bigint) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  UPDATE usermatch.job_queue q SET
         state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         finished = CASE WHEN attempts >= max_attempts THEN now() END, worker_pid = NULL,
         error = coalesce(error, 'the job worker exited unexpectedly (see the server log)')
   WHERE q.id = job AND q.state = 'running' AND q.current_run = run;
  UPDATE usermatch.job_runs r SET finished = now(), rows_written = q.rows_written, error = q.error,
         state = CASE WHEN q.state IN ('succeeded', 'cancelled', 'failed') THEN q.state ELSE 'failed' END
    FROM usermatch.job_queue q WHERE r.id = run AND q.id = r.job_id AND r.finished IS NULL;
$$;
-- Due schedules submit their job (unless the previous one is still queued or running).
CREATE FUNCTION usermatch._fire_schedules() RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE s record; job bigint;
BEGIN
  FOR s IN SELECT * FROM usermatch.job_schedules WHERE next_run <= now() FOR UPDATE LOOP
    job := NULL;
    IF NOT EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = s.last_job AND q.state IN ('queued', 'running')) THEN
      BEGIN  -- a schedule row a role wrote by hand must not stop the others
        INSERT INTO usermatch.job_queue (kind, profile, source, source_name, target, target_name, options, owner,
                                         schedule_name, result_table, max_attempts, batch_size)
        VALUES (s.kind, s.profile, s.source, s.source_name, s.target, s.target_name, s.options, s.owner, s.name,
                s.options->>'result_table', coalesce((s.options->>'max_attempts')::numeric::integer, 3),
                coalesce((s.options->>'batch_size')::numeric::integer, current_setting('usermatch.batch_size')::integer))
        RETURNING id INTO job;
      EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'usermatch: schedule "%" of role % cannot submit its job: %', s.name, s.owner::regrole, SQLERRM;
      END;
    END IF;
    UPDATE usermatch.job_schedules SET next_run = greatest(s.next_run + s.every, now()),
           last_run = CASE WHEN job IS NULL THEN last_run ELSE now() END, last_job = coalesce(job, last_job)
     WHERE owner = s.owner AND name = s.name;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION usermatch._jobs_recover(bigint[]), usermatch._job_exited(bigint, bigint), usermatch._fire_schedules() FROM PUBLIC;

CREATE VIEW usermatch.job_stats WITH (security_invoker = true) AS
SELECT w.period,
       count(*) FILTER (WHERE q.state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE q.state = 'failed') AS failed,
       count(*) FILTER (WHERE q.state = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE q.state = 'running') AS running,
       count(*) FILTER (WHERE q.state = 'queued') AS queued
FROM (VALUES ('1 hour', interval '1 hour', 1), ('24 hours', interval '24 hours', 2), ('7 days', interval '7 days', 3))
       AS w(period, span, ord)
LEFT JOIN usermatch.job_queue q
       ON q.state IN ('queued', 'running') OR q.finished >= now() - w.span
GROUP BY w.period, w.ord ORDER BY w.ord;
COMMENT ON VIEW usermatch.job_stats IS 'Jobs you may see by state: finished in the last hour / 24 hours / 7 days, and queued or running now';
GRANT SELECT ON usermatch.job_stats TO PUBLIC;

CREATE FUNCTION usermatch.job_health()
RETURNS TABLE(check_name text, status text, value double precision, threshold double precision, advice text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  pid integer := usermatch.launcher_pid();
  maxw integer := coalesce(current_setting('usermatch.max_workers', true), '8')::integer;
  running bigint;
  lag double precision;
  failed bigint;
BEGIN
  check_name := 'launcher alive'; value := CASE WHEN pid IS NULL THEN 0 ELSE 1 END; threshold := 1;
  status := CASE WHEN pid IS NOT NULL THEN 'ok' ELSE 'critical' END;
  advice := CASE WHEN pid IS NOT NULL THEN 'launcher pid ' || pid
                 ELSE 'No job launcher: add usermatch to shared_preload_libraries and restart; check usermatch.database and the server log.' END;
  RETURN NEXT;
  SELECT count(*) INTO running FROM usermatch.job_queue WHERE state = 'running';
  check_name := 'free worker slots'; value := maxw - running; threshold := 0;
  status := CASE WHEN maxw - running > 0 THEN 'ok' ELSE 'warning' END;
  advice := CASE WHEN maxw - running > 0 THEN running || ' of ' || maxw || ' workers busy'
                 ELSE 'All usermatch.max_workers slots are busy; raise it (and max_worker_processes) if jobs queue up.' END;
  RETURN NEXT;
  SELECT coalesce(extract(epoch FROM now() - min(submitted)), 0) INTO lag FROM usermatch.job_queue WHERE state = 'queued';
  check_name := 'queue lag seconds'; value := lag; threshold := 60;
  status := CASE WHEN lag < 60 THEN 'ok' WHEN lag < 600 THEN 'warning' ELSE 'critical' END;
  advice := CASE WHEN lag < 60 THEN 'queued jobs start promptly'
                 ELSE 'The oldest queued job waits ' || round(lag) || ' s: check the launcher, usermatch.max_workers and max_worker_processes.' END;
  RETURN NEXT;
  SELECT count(*) INTO failed FROM usermatch.job_queue WHERE state = 'failed' AND finished >= now() - interval '1 hour';
  check_name := 'failed jobs last hour'; value := failed; threshold := 1;
  status := CASE WHEN failed = 0 THEN 'ok' WHEN failed < 5 THEN 'warning' ELSE 'critical' END;
  advice := CASE WHEN failed = 0 THEN 'no failures'
                 ELSE 'See SELECT id, error FROM usermatch.jobs WHERE state = ''failed'' ORDER BY finished DESC.' END;
  RETURN NEXT;
END $$;
COMMENT ON FUNCTION usermatch.job_health() IS 'Health checks of the background jobs: launcher alive, free worker slots, queue lag, recent failures';
