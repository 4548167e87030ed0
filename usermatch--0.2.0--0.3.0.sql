-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit

-- == quality ==
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), the prior (a deterministic rule over the candidate pairs, its recall from the expected matches passing it), m (EM per blocking rule, started from that prior) and the threshold ("auto": the model''s own best expected F1), damps fields that agree by chance together with a more selective one (a suburb inside a postcode; summary: correlated_fields), keeps the current weights when the new ones explain held-back candidate pairs worse, and stores a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, dampen_correlation, deterministic_recall, threshold ("auto" or "keep")';
