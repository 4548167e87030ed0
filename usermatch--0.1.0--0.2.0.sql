-- usermatch 0.1.0 -> 0.2.0: hardening (issue 7) and what later sections add.
-- A fresh CREATE EXTENSION runs usermatch--0.1.0.sql and then this file, so an install and an
-- upgrade always end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.2.0'" to load this file. \quit

-- == training ==
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), the prior (a deterministic rule over the candidate pairs), m (EM per blocking rule, started from that prior) and the threshold ("auto": the model''s own best expected F1), keeps the current weights when the new ones explain held-back candidate pairs worse, and stores a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, deterministic_recall, threshold ("auto" or "keep")';
