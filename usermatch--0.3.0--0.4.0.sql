-- usermatch 0.3.0 -> 0.4.0: a shared online index, and what later sections add. A fresh CREATE
-- EXTENSION runs usermatch--0.1.0.sql, then the 0.1.0--0.2.0 and 0.2.0--0.3.0 scripts, then this
-- file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.4.0'" to load this file. \quit

-- == statistics ==

-- History charts break their line across gaps in the samples (0.3.0 drew a straight line across them).
CREATE OR REPLACE FUNCTION usermatch.dashboard_chart(title text, unit text, series text[], points jsonb) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w constant int := 640; h constant int := 200; left_pad constant int := 72; top_pad constant int := 28; bottom_pad constant int := 28;
    colours constant text[] := ARRAY['#2563eb', '#d97706', '#dc2626', '#059669'];
    t0 float8; t1 float8; ymax float8; gap float8; svg text; line text; s int; n int;
BEGIN
    n := jsonb_array_length(coalesce(points, '[]'));
    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s">',
                  w, h, w, h, usermatch.dashboard_escape(title))
        || format('<text x="%s" y="16" class="ct">%s</text>', left_pad, usermatch.dashboard_escape(title));
    IF n < 2 THEN
        RETURN svg || format('<text x="%s" y="%s" class="muted">Not enough history yet (%s sample%s).</text></svg>',
                             left_pad, h / 2, n, CASE WHEN n = 1 THEN '' ELSE 's' END);
    END IF;
    SELECT min((p->>'t')::float8), max((p->>'t')::float8) INTO t0, t1 FROM jsonb_array_elements(points) p;
    SELECT max((p->>k)::float8) INTO ymax FROM jsonb_array_elements(points) p, unnest(series) k;
    IF ymax IS NULL OR ymax <= 0 THEN ymax := 1; END IF;
    IF t1 <= t0 THEN t1 := t0 + 1; END IF;
    -- A gap between samples over 3 times their usual spacing (server down, launcher stopped) breaks
    -- the line instead of drawing a straight segment across time nothing was measured in.
    SELECT 3 * percentile_cont(0.5) WITHIN GROUP (ORDER BY dt) INTO gap
      FROM (SELECT t - lag(t) OVER (ORDER BY t) AS dt
              FROM (SELECT (p->>'t')::float8 AS t FROM jsonb_array_elements(points) p) ts) d
     WHERE dt IS NOT NULL;
    -- axes, y labels, x labels
    svg := svg || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>', left_pad, h - bottom_pad, w - 8, h - bottom_pad)
               || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>', left_pad, top_pad, left_pad, h - bottom_pad)
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">%s %s</text>', left_pad - 4, top_pad + 4,
                         trim_scale(round(ymax::numeric, CASE WHEN ymax >= 100 THEN 0 WHEN ymax >= 10 THEN 1 ELSE 3 END)), usermatch.dashboard_escape(unit))
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">0</text>', left_pad - 4, h - bottom_pad)
               || format('<text x="%s" y="%s" class="lbl">%s</text>', left_pad, h - 8,
                         to_char(to_timestamp(t0), 'HH24:MI:SS'))
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">%s</text>', w - 8, h - 8,
                         to_char(to_timestamp(t1), 'HH24:MI:SS'));
    FOR s IN 1 .. array_length(series, 1) LOOP
        SELECT string_agg(CASE WHEN dt IS NULL OR dt > gap THEN 'M' ELSE 'L' END || format('%s,%s',
                   round((left_pad + (t - t0) / (t1 - t0) * (w - 8 - left_pad))::numeric, 1),
                   round((h - bottom_pad - v / ymax * (h - bottom_pad - top_pad))::numeric, 1)), ' ' ORDER BY t)
          INTO line
          FROM (SELECT t, v, t - lag(t) OVER (ORDER BY t) AS dt
                  FROM (SELECT (p->>'t')::float8 AS t, (p->>series[s])::float8 AS v
                          FROM jsonb_array_elements(points) p WHERE p->>series[s] IS NOT NULL) sv) seg;
        IF line IS NOT NULL THEN
            svg := svg || format('<path fill="none" stroke="%s" stroke-width="1.5" d="%s"/>', colours[1 + (s - 1) % 4], line);
        END IF;
        svg := svg || format('<rect x="%s" y="6" width="10" height="10" fill="%s"/><text x="%s" y="15" class="lbl">%s</text>',
                             w - 8 - (array_length(series, 1) - s + 1) * 110, colours[1 + (s - 1) % 4],
                             w - 8 - (array_length(series, 1) - s + 1) * 110 + 14, usermatch.dashboard_escape(series[s]));
    END LOOP;
    RETURN svg || '</svg>';
END $$;
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
-- == shared online index ==
-- Online indexes are published once as read-only files mapped by every backend (usermatch.
-- online_share); cache_stats gains the sharing figures as columns appended at the end.
CREATE FUNCTION usermatch._cache_stats_shared(
    OUT shared_entries bigint, OUT private_entries bigint, OUT mapped_bytes bigint, OUT attaches bigint,
    OUT published bigint, OUT published_files bigint, OUT published_bytes bigint, OUT file_evictions bigint,
    OUT stale_files_removed bigint, OUT publish_failures bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_cache_stats_shared'
    LANGUAGE C VOLATILE;
CREATE OR REPLACE VIEW usermatch.cache_stats AS
    SELECT s.*, x.shared_entries, x.private_entries, x.mapped_bytes, x.attaches, x.published, x.published_files,
           x.published_bytes, x.file_evictions, x.stale_files_removed, x.publish_failures
    FROM usermatch._cache_stats() s CROSS JOIN usermatch._cache_stats_shared() x;
COMMENT ON VIEW usermatch.cache_stats IS
    'This backend''s online index cache: entries, bytes (private + mapped), builds, hits, misses, evictions, delta rows read by the last call; shared (mapped) and private entries, attaches to indexes other backends published, indexes published, published files and bytes of the whole cluster';
