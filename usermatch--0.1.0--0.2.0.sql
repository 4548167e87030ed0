-- usermatch 0.1.0 -> 0.2.0: hardening (issue 7) and what later sections add.
-- A fresh CREATE EXTENSION runs usermatch--0.1.0.sql and then this file, so an install and an
-- upgrade always end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.2.0'" to load this file. \quit

-- == realistic generator (issue 8) ==
-- generate_users gains `preset` ('clean' = the 0.1.0 output, byte for byte; 'realistic' = sparse,
-- international records with hard pairs) and three columns that only 'realistic' fills.
DROP FUNCTION usermatch.generate_users(integer, bigint, double precision, double precision);
CREATE FUNCTION usermatch.generate_users(rows integer, seed bigint DEFAULT 42,
                                         duplicate_rate double precision DEFAULT 0.3,
                                         chinese_share double precision DEFAULT 0.5,
                                         preset text DEFAULT 'clean')
    RETURNS TABLE(user_id text, entity_id text, full_name text, phone text, email text,
                  birth_date text, id_number text, city text, gender text, address text, country text)
    AS 'MODULE_PATHNAME', 'usermatch_generate_users'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION usermatch.generate_users(integer, bigint, double precision, double precision, text) IS
    'Deterministic user records with duplicates and ground truth (entity_id). preset ''clean'' (default): Latin and Chinese names, dense records; ''realistic'': sparse international records (national-format phones, households, namesakes, mixed date formats) and the gender, address and country columns';
