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
