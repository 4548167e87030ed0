-- usermatch 0.1.0: comparison and normalisation library, sample data, profiles, matching.
\echo Use "CREATE EXTENSION usermatch" to load this file. \quit

------------------------------------------------------------------------------------------
-- String comparators (Unicode code points; any length)
------------------------------------------------------------------------------------------

CREATE FUNCTION usermatch.levenshtein(a text, b text) RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_levenshtein'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.levenshtein(text, text) IS
    'Levenshtein edit distance over Unicode code points (unit costs)';

CREATE FUNCTION usermatch.levenshtein(a text, b text, max integer) RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_levenshtein_bounded'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.levenshtein(text, text, integer) IS
    'Levenshtein distance, or max + 1 as soon as it is known to exceed max (cost grows with max, not with len(a) * len(b))';

CREATE FUNCTION usermatch.damerau_levenshtein(a text, b text) RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_damerau_levenshtein'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.damerau_levenshtein(text, text) IS
    'Optimal string alignment distance (restricted Damerau-Levenshtein: adjacent transpositions, no substring edited twice)';

CREATE FUNCTION usermatch.jaro(a text, b text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'usermatch_jaro'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.jaro(text, text) IS
    'Jaro similarity in [0, 1]; two empty strings give 1, one empty string gives 0';

CREATE FUNCTION usermatch.jaro_winkler(a text, b text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'usermatch_jaro_winkler'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.jaro_winkler(text, text) IS
    'Jaro-Winkler similarity: prefix scale 0.1, common prefix up to 4 characters';

CREATE FUNCTION usermatch.qgram_similarity(a text, b text, q integer DEFAULT 3) RETURNS double precision
    AS 'MODULE_PATHNAME', 'usermatch_qgram_similarity'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.qgram_similarity(text, text, integer) IS
    'Jaccard similarity of the sets of q-grams of a and b, each padded with q - 1 blanks on both sides';

CREATE FUNCTION usermatch.soundex(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_soundex'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.soundex(text) IS
    'American Soundex code (letter and three digits); empty string when the name has no Latin letter';

CREATE FUNCTION usermatch.double_metaphone(name text, OUT primary_code text, OUT alternate_code text)
    AS 'MODULE_PATHNAME', 'usermatch_double_metaphone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.double_metaphone(text) IS
    'Double Metaphone primary and alternate codes (up to 4 characters each)';

------------------------------------------------------------------------------------------
-- Normalisers
------------------------------------------------------------------------------------------

CREATE FUNCTION usermatch.normalize_name(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_normalize_name'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.normalize_name(text) IS
    'NFKC, case folding, diacritics and punctuation removed, spaces collapsed, Traditional Chinese folded to Simplified';

CREATE FUNCTION usermatch.pinyin(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_pinyin'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.pinyin(text) IS
    'Han characters as toneless pinyin syllables separated by spaces; Latin text normalised and kept';

CREATE FUNCTION usermatch.normalize_phone(phone text, region text DEFAULT 'CN') RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_normalize_phone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.normalize_phone(text, text) IS
    'E.164 form of a phone number read with the given default region; NULL when it is not a possible number';

CREATE FUNCTION usermatch.normalize_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'usermatch_normalize_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.normalize_email(text) IS
    'Trimmed, lower-cased address with provider rules (Gmail dots, +tags); NULL when not local@domain';

CREATE FUNCTION usermatch.parse_date(value text, date_order text DEFAULT 'DMY') RETURNS date
    AS 'MODULE_PATHNAME', 'usermatch_parse_date'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.parse_date(text, text) IS
    'Date from ISO, YYYYMMDD, DD/MM/YYYY or MM/DD/YYYY (date_order DMY or MDY), YYYY年M月D日 or English month names; NULL when impossible';

CREATE FUNCTION usermatch.cn_id_valid(id_number text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'usermatch_cn_id_valid'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.cn_id_valid(text) IS
    'True for an 18-character PRC resident ID with a valid ISO 7064 MOD 11-2 check character, region and birth date';

CREATE FUNCTION usermatch.cn_id_birth_date(id_number text) RETURNS date
    AS 'MODULE_PATHNAME', 'usermatch_cn_id_birth_date'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.cn_id_birth_date(text) IS
    'Birth date encoded in a valid PRC resident ID; NULL when the ID is not valid';


------------------------------------------------------------------------------------------
-- Sample data
------------------------------------------------------------------------------------------

CREATE FUNCTION usermatch.generate_users(rows integer, seed bigint DEFAULT 42,
                                         duplicate_rate double precision DEFAULT 0.3,
                                         chinese_share double precision DEFAULT 0.5)
    RETURNS TABLE(user_id text, entity_id text, full_name text, phone text, email text,
                  birth_date text, id_number text, city text)
    AS 'MODULE_PATHNAME', 'usermatch_generate_users'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION usermatch.generate_users(integer, bigint, double precision, double precision) IS
    'Deterministic realistic user records (Latin and Chinese) with duplicates and typos; entity_id is the ground truth';

------------------------------------------------------------------------------------------
-- Match profiles
------------------------------------------------------------------------------------------

CREATE TABLE usermatch.profiles (
    name        text PRIMARY KEY CHECK (name <> ''),
    spec        jsonb NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    owner       name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE usermatch.profiles IS 'Validated match profiles, current version (dumped by pg_dump); each role may change only its own';

-- Every version a profile ever had (create, replace, train, restore), so any can be restored.
CREATE TABLE usermatch.profile_versions (
    name        text NOT NULL REFERENCES usermatch.profiles ON DELETE CASCADE,
    version     integer NOT NULL,
    spec        jsonb NOT NULL,
    note        text,
    owner       name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);
COMMENT ON TABLE usermatch.profile_versions IS 'Every version of every profile; usermatch.restore_profile(name, version) brings one back';
SELECT pg_catalog.pg_extension_config_dump('usermatch.profiles', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.profile_versions', '');

-- Everyone may read every profile; a role changes only the profiles it owns.
ALTER TABLE usermatch.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY profiles_visible ON usermatch.profiles FOR SELECT USING (true);
CREATE POLICY profiles_owned ON usermatch.profiles USING (owner = current_user) WITH CHECK (owner = current_user);
ALTER TABLE usermatch.profile_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY profile_versions_visible ON usermatch.profile_versions FOR SELECT USING (true);
CREATE POLICY profile_versions_owned ON usermatch.profile_versions USING (owner = current_user) WITH CHECK (owner = current_user);
GRANT USAGE ON SCHEMA usermatch TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON usermatch.profiles, usermatch.profile_versions TO PUBLIC;

CREATE FUNCTION usermatch.validate_profile(spec jsonb, source regclass DEFAULT NULL)
    RETURNS TABLE(path text, problem text)
    AS 'MODULE_PATHNAME', 'usermatch_validate_profile'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION usermatch.validate_profile(jsonb, regclass) IS
    'Every problem of a profile at once (no rows = valid); with source, also checks that its columns exist';

CREATE FUNCTION usermatch.create_profile(name text, spec jsonb, replace boolean DEFAULT false, note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    problem_count integer;
    problem_list text;
    new_version integer := 1;
BEGIN
    IF name IS NULL OR spec IS NULL THEN
        RAISE EXCEPTION 'create_profile: name and spec must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT count(*), string_agg(format('%s: %s', p.path, p.problem), E'\n')
      INTO problem_count, problem_list
      FROM usermatch.validate_profile(spec) AS p;
    IF problem_count > 0 THEN
        RAISE EXCEPTION 'invalid profile "%": % problem(s)', name, problem_count
            USING ERRCODE = '22023', DETAIL = problem_list,
                  HINT = 'SELECT * FROM usermatch.validate_profile(spec) lists them as rows.';
    END IF;
    IF replace THEN
        UPDATE usermatch.profiles AS p SET spec = create_profile.spec, version = p.version + 1, updated_at = now()
         WHERE p.name = create_profile.name
         RETURNING p.version INTO new_version;
        IF NOT FOUND THEN
            IF EXISTS (SELECT 1 FROM usermatch.profiles AS p WHERE p.name = create_profile.name) THEN
                RAISE EXCEPTION 'must be owner of profile "%"', name USING ERRCODE = '42501';
            END IF;
            new_version := 1;
        END IF;
    END IF;
    IF new_version = 1 THEN
        BEGIN
            INSERT INTO usermatch.profiles AS p (name, spec) VALUES (create_profile.name, create_profile.spec);
        EXCEPTION WHEN unique_violation THEN
            RAISE EXCEPTION 'profile "%" already exists', name USING ERRCODE = '42710',
                HINT = 'Pass replace => true, or drop it first with usermatch.drop_profile().';
        END;
    END IF;
    INSERT INTO usermatch.profile_versions AS v (name, version, spec, note)
    VALUES (create_profile.name, new_version, create_profile.spec, create_profile.note);
    RETURN new_version;
END
$fn$;
COMMENT ON FUNCTION usermatch.create_profile(text, jsonb, boolean, text) IS
    'Validates and stores a match profile; replace => true stores it as the next version of an existing one. Returns the version';

CREATE FUNCTION usermatch.restore_profile(name text, version integer)
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    old_spec jsonb;
BEGIN
    SELECT v.spec INTO old_spec FROM usermatch.profile_versions AS v
     WHERE v.name = restore_profile.name AND v.version = restore_profile.version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'profile "%" has no version %', name, version USING ERRCODE = '42704';
    END IF;
    RETURN usermatch.create_profile(name, old_spec, replace => true,
                                    note => format('restored from version %s', version));
END
$fn$;
COMMENT ON FUNCTION usermatch.restore_profile(text, integer) IS
    'Makes an earlier version of a profile current again (as a new version, so history is kept); returns it';

CREATE FUNCTION usermatch.drop_profile(name text, if_exists boolean DEFAULT false)
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    profile_owner name;
BEGIN
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
COMMENT ON FUNCTION usermatch.drop_profile(text, boolean) IS 'Removes a match profile; true when one was removed';

------------------------------------------------------------------------------------------
-- Matching
------------------------------------------------------------------------------------------

CREATE FUNCTION usermatch.dedupe(profile text, source regclass, min_probability double precision DEFAULT NULL)
    RETURNS TABLE(id1 text, id2 text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_dedupe'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 10000;
COMMENT ON FUNCTION usermatch.dedupe(text, regclass, double precision) IS
    'Pairs of records of source that refer to the same person (each pair once, id1 < id2), at or above min_probability (default: the profile threshold)';

CREATE FUNCTION usermatch.link(profile text, left_source regclass, right_source regclass,
                               min_probability double precision DEFAULT NULL)
    RETURNS TABLE(left_id text, right_id text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_link'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 10000;
COMMENT ON FUNCTION usermatch.link(text, regclass, regclass, double precision) IS
    'Pairs (left record, right record) that refer to the same person, at or above min_probability';

CREATE FUNCTION usermatch.clusters(profile text, source regclass, min_probability double precision DEFAULT NULL)
    RETURNS TABLE(record_id text, entity_id text, cluster_size integer)
    AS 'MODULE_PATHNAME', 'usermatch_clusters'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 10000;
COMMENT ON FUNCTION usermatch.clusters(text, regclass, double precision) IS
    'Every record of source with the entity it belongs to; entity_id is the smallest record id of the entity';

CREATE FUNCTION usermatch.explain_match(profile text, a jsonb, b jsonb, population bigint DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'usermatch_explain_match'
    LANGUAGE C STABLE PARALLEL RESTRICTED CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.explain_match(text, jsonb, jsonb, bigint) IS
    'Why two records match or not: per field raw and normalised values, level, m, u and weight; total weight and probability. a, b: objects keyed by column or field name (NULL gives NULL); population: records the pair comes from, which sets the default prior';

CREATE FUNCTION usermatch.estimate_comparisons(profile text, source regclass, right_source regclass DEFAULT NULL)
    RETURNS TABLE(rule text, candidate_pairs bigint, largest_block bigint)
    AS 'MODULE_PATHNAME', 'usermatch_estimate_comparisons'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.estimate_comparisons(text, regclass, regclass) IS
    'Per blocking rule: candidate pairs it generates (before pairs shared with earlier rules are removed) and its largest block';

------------------------------------------------------------------------------------------
-- Learning weights from the data
------------------------------------------------------------------------------------------

CREATE FUNCTION usermatch.train(profile text, source regclass, right_source regclass DEFAULT NULL,
                                options jsonb DEFAULT '{}')
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'usermatch_train'
    LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), m and the prior (EM per blocking rule) from the data and stores them as a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m';

CREATE FUNCTION usermatch.train_labels(profile text, labels regclass, source regclass,
                                       right_source regclass DEFAULT NULL,
                                       target_precision double precision DEFAULT NULL)
    RETURNS TABLE(threshold double precision, "precision" double precision, recall double precision,
                  f1 double precision, chosen boolean)
    AS 'MODULE_PATHNAME', 'usermatch_train_labels'
    LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.train_labels(text, regclass, regclass, regclass, double precision) IS
    'Estimates m (and u) from labelled pairs (id1, id2, is_match) of source, picks the threshold with the best F1 (or reaching target_precision), stores a new profile version; returns the precision/recall curve';

CREATE FUNCTION usermatch.profile_weights(profile text)
    RETURNS TABLE(field text, level text, m double precision, u double precision,
                  match_weight double precision, bar text)
    AS 'MODULE_PATHNAME', 'usermatch_profile_weights'
    LANGUAGE C STABLE PARALLEL SAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.profile_weights(text) IS
    'What each comparison level of a profile contributes: m, u, match weight log2(m/u) and a text bar';

CREATE FUNCTION usermatch.suggest_profile(source regclass, right_source regclass DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'usermatch_suggest_profile'
    LANGUAGE C VOLATILE PARALLEL UNSAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION usermatch.suggest_profile(regclass, regclass) IS
    'A profile for a table nobody wrote one for: field types from column names and sampled values, blocking rules from measured key cardinalities';
