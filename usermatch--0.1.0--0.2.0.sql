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
