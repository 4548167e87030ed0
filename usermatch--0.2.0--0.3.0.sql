-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit

-- == online matching ==
-- match_one / match_many score one record (or a few) against a prepared index of the target,
-- cached per backend and kept fresh by a change log that warm_cache installs (see
-- src/pg/online/online_functions.cpp for the design).

-- Targets whose change log is installed; generation is bumped when warm_cache prunes the log, which
-- invalidates every index built before. Not user data (indexes are rebuilt from the targets).
CREATE TABLE usermatch.online_targets (
    relid oid NOT NULL,
    id_column text NOT NULL,
    generation bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (relid, id_column)
);
-- Rows written to a target, by the transaction that wrote them (top-level xid).
CREATE TABLE usermatch.online_changes (
    relid oid NOT NULL,
    id text,
    xid xid8 NOT NULL
);
CREATE INDEX online_changes_relid ON usermatch.online_changes (relid, xid);
-- Rights, enforced by row-level security (evaluated as the calling role; the extension's C code
-- reads the log as the owner of these tables, after checking the caller's SELECT right on the
-- target):
--  * the change log is visible for targets you may SELECT, writable for targets you may write
--    (the triggers run as the writer: no SECURITY DEFINER code evaluates a user's id column);
--  * a target is registered, and its log pruned, by its owner only.
ALTER TABLE usermatch.online_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE usermatch.online_targets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON usermatch.online_targets, usermatch.online_changes FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON usermatch.online_changes TO PUBLIC;
GRANT SELECT, INSERT, UPDATE ON usermatch.online_targets TO PUBLIC;
CREATE POLICY online_changes_read ON usermatch.online_changes FOR SELECT
    USING (pg_catalog.has_table_privilege(relid, 'SELECT'));
CREATE POLICY online_changes_write ON usermatch.online_changes FOR INSERT
    WITH CHECK (pg_catalog.has_table_privilege(relid, 'INSERT') OR pg_catalog.has_table_privilege(relid, 'UPDATE')
                OR pg_catalog.has_table_privilege(relid, 'DELETE'));
CREATE POLICY online_changes_prune ON usermatch.online_changes FOR DELETE
    USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));
CREATE POLICY online_targets_read ON usermatch.online_targets FOR SELECT USING (true);
CREATE POLICY online_targets_register ON usermatch.online_targets FOR INSERT
    WITH CHECK (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));
CREATE POLICY online_targets_bump ON usermatch.online_targets FOR UPDATE
    USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));

-- Trigger function of the change log (runs as the writer).
CREATE FUNCTION usermatch.online_log_changes()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('INSERT INTO usermatch.online_changes (relid, id, xid) SELECT $1, (n.%I)::text, pg_catalog.pg_current_xact_id() FROM usermatch_new_rows n',
                       TG_ARGV[0]) USING TG_RELID;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('INSERT INTO usermatch.online_changes (relid, id, xid) SELECT $1, (o.%I)::text, pg_catalog.pg_current_xact_id() FROM usermatch_old_rows o',
                       TG_ARGV[0]) USING TG_RELID;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION usermatch.online_log_changes() IS
    'Trigger function of the online change log (installed by warm_cache); argument: the id column';

-- Records the target (or bumps its generation, which invalidates every index built before) and
-- prunes its log of rows every later snapshot sees. Row-level security: owner only.
CREATE FUNCTION usermatch._online_register(target regclass, id_column text)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
    INSERT INTO usermatch.online_targets AS t (relid, id_column) VALUES ($1, $2)
        ON CONFLICT (relid, id_column) DO UPDATE SET generation = t.generation OPERATOR(pg_catalog.+) 1;
    DELETE FROM usermatch.online_changes c
     WHERE c.relid OPERATOR(pg_catalog.=) $1
       AND c.xid OPERATOR(pg_catalog.<) pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
$fn$;

CREATE FUNCTION usermatch._online_build(profile text, target regclass)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'usermatch_online_build'
    LANGUAGE C VOLATILE;

CREATE FUNCTION usermatch.warm_cache(profile text, target regclass)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    idcol text;
    suffix text;
    kind "char";
BEGIN
    IF profile IS NULL OR target IS NULL THEN
        RAISE EXCEPTION 'warm_cache: arguments profile and target must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT p.spec ->> 'id' INTO idcol FROM usermatch.profiles p WHERE p.name = profile;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'profile "%" does not exist', profile USING ERRCODE = '42704';
    END IF;
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = target;
    IF kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'warm_cache: % is not a table', target USING ERRCODE = '42809',
            HINT = 'match_one also reads views, but rebuilds its index on every call for them.';
    END IF;
    IF NOT has_table_privilege(target, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', target USING ERRCODE = '42501';
    END IF;
    suffix := substr(md5(idcol), 1, 8);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = target AND tgname = 'usermatch_online_ins_' || suffix) THEN
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS usermatch_new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_ins_' || suffix, target, idcol);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS usermatch_old_rows NEW TABLE AS usermatch_new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_upd_' || suffix, target, idcol);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS usermatch_old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_del_' || suffix, target, idcol);
    END IF;
    PERFORM usermatch._online_register(target, idcol);
    RETURN usermatch._online_build(profile, target);
END
$fn$;
COMMENT ON FUNCTION usermatch.warm_cache(text, regclass) IS
    'Installs the change log on target (owner only) and builds this backend''s index for match_one; returns the rows indexed';

CREATE FUNCTION usermatch.drop_cache(profile text DEFAULT NULL, target regclass DEFAULT NULL)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_drop_cache'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION usermatch.drop_cache(text, regclass) IS
    'Frees this backend''s online indexes of profile / target (NULL = any); returns how many';

CREATE FUNCTION usermatch.match_one(profile text, record jsonb, target regclass, k integer DEFAULT 10,
                                    min_probability double precision DEFAULT NULL)
    RETURNS TABLE(id text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_match_one'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 10;
COMMENT ON FUNCTION usermatch.match_one(text, jsonb, regclass, integer, double precision) IS
    'The k best matches of one record (keys: the profile''s columns or field names) in target, best first, with link''s weights';

CREATE FUNCTION usermatch.match_many(profile text, records jsonb, target regclass, k integer DEFAULT 10)
    RETURNS TABLE("position" integer, id text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_match_many'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 100;
COMMENT ON FUNCTION usermatch.match_many(text, jsonb, regclass, integer) IS
    'match_one for each record of a JSON array; position is the record''s 1-based position';

-- Match on insert: CREATE TRIGGER ... BEFORE INSERT ON t FOR EACH ROW
--   EXECUTE FUNCTION usermatch.match_on_insert('profile', 'schema.target_table', 'result_column' [, 'min_probability'])
-- writes the id of the best match in target (NULL when none) into NEW.result_column. The function
-- runs with search_path = pg_catalog, pg_temp: name the target with its schema.
CREATE FUNCTION usermatch.match_on_insert()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    keys text[];
    rec jsonb;
    best text;
BEGIN
    IF TG_NARGS < 3 THEN
        RAISE EXCEPTION 'usermatch.match_on_insert(profile, target, result_column [, min_probability]) needs 3 arguments'
            USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(k) INTO keys FROM (
        SELECT COALESCE(f ->> 'column', f ->> 'name') FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ->> 'expression' IS NULL
        UNION ALL
        SELECT f ->> 'name' FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ->> 'expression' IS NOT NULL
        UNION ALL
        SELECT f ->> 'region_column' FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ? 'region_column') s(k);
    SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}') INTO rec
      FROM jsonb_each(to_jsonb(NEW)) e WHERE e.key = ANY (keys);
    SELECT m.id INTO best
      FROM usermatch.match_one(TG_ARGV[0], rec, TG_ARGV[1]::regclass, 1,
                               CASE WHEN TG_NARGS > 3 THEN TG_ARGV[3]::double precision END) m;
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[2], best));
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION usermatch.match_on_insert() IS
    'BEFORE INSERT trigger: writes the id of the best match of the new row in a target into a column';

CREATE FUNCTION usermatch._cache_stats(
    OUT entries bigint, OUT bytes bigint, OUT builds bigint, OUT hits bigint, OUT misses bigint,
    OUT evictions bigint, OUT invalidations bigint, OUT delta_rows_pending bigint, OUT uncached_builds bigint,
    OUT last_build_seconds double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_cache_stats'
    LANGUAGE C VOLATILE;
CREATE VIEW usermatch.cache_stats AS SELECT * FROM usermatch._cache_stats();
COMMENT ON VIEW usermatch.cache_stats IS
    'This backend''s online index cache: entries, bytes, builds, hits, misses, evictions, delta rows read by the last call';

CREATE FUNCTION usermatch._pool_stats(
    OUT pool text, OUT acquisitions bigint, OUT reuses bigint, OUT upstream_allocations bigint, OUT bytes_reserved bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_pool_stats'
    LANGUAGE C VOLATILE;
CREATE VIEW usermatch.pool_stats AS SELECT * FROM usermatch._pool_stats();
COMMENT ON VIEW usermatch.pool_stats IS
    'This backend''s object pools: per-query buffers taken, reused without a heap allocation, heap allocations, bytes held';
GRANT SELECT ON usermatch.cache_stats, usermatch.pool_stats TO PUBLIC;
-- == quality ==
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), the prior (a deterministic rule over the candidate pairs, its recall from the expected matches passing it), m (EM per blocking rule, started from that prior) and the threshold ("auto": the model''s own best expected F1), damps fields that agree by chance together with a more selective one (a suburb inside a postcode; summary: correlated_fields), keeps the current weights when the new ones explain held-back candidate pairs worse, and stores a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, dampen_correlation, deterministic_recall, threshold ("auto" or "keep")';
