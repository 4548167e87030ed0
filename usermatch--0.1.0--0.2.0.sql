-- usermatch 0.1.0 -> 0.2.0: hardening (issue 7) and what later sections add.
-- A fresh CREATE EXTENSION runs usermatch--0.1.0.sql and then this file, so an install and an
-- upgrade always end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.2.0'" to load this file. \quit

-- == phones ==
-- normalize_phone keeps its signature; what changed is its result for a number written without a
-- country code that is not valid in the region: the national form (digits, leading zeros
-- removed, no '+') instead of a number invented in that region.
COMMENT ON FUNCTION usermatch.normalize_phone(text, text) IS
    'E.164 form when the number has a country code and is possible, or is valid in the region; else the national form (its digits without leading zeros and without "+") when it is only digits and phone punctuation with 5 to 17 digits; else NULL';

CREATE FUNCTION usermatch.normalize_phone(phone text, regions text[]) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_normalize_phone_regions'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.normalize_phone(text, text[]) IS
    'normalize_phone trying each region in order: E.164 from the first region where the number is valid, else the national form, else NULL';

CREATE FUNCTION usermatch.phone_region(country text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_phone_region'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.phone_region(text) IS
    'Region code a country value means (FR, fra, France, 法国, +33 -> FR); NULL when it means none';

CREATE FUNCTION usermatch.phone_national_number(normalized_phone text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_phone_national_number'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.phone_national_number(text) IS
    'National significant number of a normalize_phone result, leading zeros removed (+33685986638 and 685986638 -> 685986638)';

-- == rights (issue 7: items 8, 14) ==

-- Item 8: a role may write history rows only for profiles it owns. Before, the WITH CHECK only
-- asked that the new row name the writer as its owner, so any role could plant a version of
-- another role's profile (its owner's next create_profile(replace), train or restore_profile then
-- failed with 23505, and restore_profile could bring back the planted spec).
ALTER POLICY profile_versions_owned ON usermatch.profile_versions
    USING (owner = current_user)
    WITH CHECK (owner = current_user
                AND EXISTS (SELECT 1 FROM usermatch.profiles AS p
                             WHERE p.name = profile_versions.name AND p.owner = current_user));

-- Item 14: a NULL profile name (or version) is 22004, not "profile <NULL> does not exist".
CREATE OR REPLACE FUNCTION usermatch.restore_profile(name text, version integer)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    old_spec jsonb;
BEGIN
    IF name IS NULL OR version IS NULL THEN
        RAISE EXCEPTION 'restore_profile: profile name and version must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT v.spec INTO old_spec FROM usermatch.profile_versions AS v
     WHERE v.name = restore_profile.name AND v.version = restore_profile.version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'profile "%" has no version %', name, version USING ERRCODE = '42704';
    END IF;
    RETURN usermatch.create_profile(name, old_spec, replace => true,
                                    note => format('restored from version %s', version));
END
$fn$;

CREATE OR REPLACE FUNCTION usermatch.drop_profile(name text, if_exists boolean DEFAULT false)
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE profile_owner name;
BEGIN
    IF name IS NULL THEN RAISE EXCEPTION 'drop_profile: profile name must not be NULL' USING ERRCODE = '22004'; END IF;
    SELECT p.owner INTO profile_owner FROM usermatch.profiles AS p WHERE p.name = drop_profile.name;
    IF NOT FOUND THEN
        IF if_exists THEN RETURN false; END IF;
        RAISE EXCEPTION 'profile "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    DELETE FROM usermatch.profiles AS p WHERE p.name = drop_profile.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'must be owner of profile "%"', name USING ERRCODE = '42501',
            DETAIL = format('The profile belongs to role %I.', profile_owner);
    END IF;
    RETURN true;
END
$fn$;

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

-- == training ==
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), the prior (a deterministic rule over the candidate pairs), m (EM per blocking rule, started from that prior) and the threshold ("auto": the model''s own best expected F1), keeps the current weights when the new ones explain held-back candidate pairs worse, and stores a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, deterministic_recall, threshold ("auto" or "keep")';
