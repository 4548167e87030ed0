-- usermatch 0.3.0 -> 0.4.0: a shared online index, and what later sections add. A fresh CREATE
-- EXTENSION runs usermatch--0.1.0.sql, then the 0.1.0--0.2.0 and 0.2.0--0.3.0 scripts, then this
-- file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.4.0'" to load this file. \quit

-- == background jobs ==
-- Incremental jobs through the online index (src/pg/jobs/jobs.cpp, run_job): the new rows of an
-- incremental dedupe or link job are matched with match_many against the target's online index
-- (warm_cache'd: its change log is installed) instead of link() reading and normalising the whole
-- target. Used only where it gives link()'s rows: this returns NULL then, else the reason the job
-- takes today's path (recorded in the job's result). The index scores each new row alone against
-- the target as link(<that row>, target) would: so no term-frequency fields (link counts their
-- values over all new rows), the same prior (1 / max(new rows, target rows) unless the profile
-- fixes one: new rows must not outnumber the target), the profile's threshold (no
-- options.min_probability, no unresolved "auto"), values a JSON record can carry (no expression
-- fields, no column read by two fields), no row-level security on the target (match_many refuses
-- it). One difference remains, at max_block_size: link counts a block as the new rows with that key
-- plus the target's (an incremental dedupe counts its new rows twice, they are in the target too),
-- the index as one row plus the target's; so a block of the target holding between
-- max_block_size - (new rows with that key) + 1 and max_block_size - 1 rows is skipped by today's
-- path and compared by the online one (as by a full dedupe, which counts each row once).
CREATE FUNCTION usermatch._incremental_online_refusal(kind text, profile text, increment regclass, target regclass,
                                                      options jsonb)
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  spec jsonb;
  new_rows bigint;
  target_rows bigint;
BEGIN
  IF kind NOT IN ('dedupe', 'link') OR target IS NULL THEN
    RETURN 'not an incremental dedupe or link';
  END IF;
  IF NOT coalesce((options->>'online_index')::boolean, true) THEN
    RETURN 'options.online_index is false';
  END IF;
  IF options ? 'min_probability' THEN
    RETURN 'options.min_probability is set (the online index applies the profile''s threshold)';
  END IF;
  SELECT p.spec INTO spec FROM usermatch.profiles p WHERE p.name = profile;
  IF spec IS NULL THEN
    RETURN 'profile not found';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM usermatch.online_targets t WHERE t.relid = target::oid AND t.id_column = spec->>'id') THEN
    RETURN format('%s has no online index (usermatch.warm_cache installs its change log)', target);
  END IF;
  IF (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = target) THEN
    RETURN format('%s has row-level security', target);
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(spec->'fields') f WHERE f ? 'expression') THEN
    RETURN 'the profile has expression fields';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(spec->'fields') f WHERE f->>'tf' = 'true') THEN
    RETURN 'the profile has term-frequency fields (link counts their values over every new row)';
  END IF;
  IF (SELECT count(c) <> count(DISTINCT c) FROM (
        SELECT f->>'column' AS c FROM jsonb_array_elements(spec->'fields') f
        UNION ALL SELECT DISTINCT f->>'region_column' FROM jsonb_array_elements(spec->'fields') f) x) THEN
    RETURN 'a column is read by two fields';
  END IF;
  IF spec->'threshold' = '"auto"'::jsonb THEN
    RETURN 'the profile''s threshold is an unresolved "auto"';
  END IF;
  EXECUTE format('SELECT count(*) FROM %s', increment) INTO new_rows;
  IF new_rows > 100000 THEN
    RETURN format('%s new rows (the online path takes at most 100000)', new_rows);
  END IF;
  IF kind = 'link' AND NOT spec ? 'prior' THEN
    EXECUTE format('SELECT count(*) FROM %s', target) INTO target_rows;
    IF new_rows > target_rows THEN
      RETURN 'more new rows than target rows, and the profile fixes no prior';
    END IF;
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION usermatch._incremental_online_refusal(text, text, regclass, regclass, jsonb) IS
    'Why an incremental job cannot match its new rows through the target''s online index (NULL: it can)';
