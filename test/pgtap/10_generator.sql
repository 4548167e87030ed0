-- generate_users presets (issue 8): 'clean' is the default and keeps the 0.1.0 columns' output;
-- 'realistic' gives sparse international records with gender, address and country.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(13);

SELECT has_function('usermatch', 'generate_users', ARRAY['integer', 'bigint', 'double precision', 'double precision', 'text'],
                    'generate_users(rows, seed, duplicate_rate, chinese_share, preset)');
SELECT hasnt_function('usermatch', 'generate_users', ARRAY['integer', 'bigint', 'double precision', 'double precision'],
                      'the 0.1.0 signature is gone (replaced, not overloaded)');

CREATE TEMP TABLE clean AS SELECT * FROM usermatch.generate_users(2000, 42);
CREATE TEMP TABLE clean_named AS SELECT * FROM usermatch.generate_users(2000, 42, preset => 'clean');
SELECT is((SELECT count(*)::int FROM clean WHERE gender IS NOT NULL OR address IS NOT NULL OR country IS NOT NULL), 0,
          'clean: the new columns are NULL');
SELECT set_eq('SELECT * FROM clean', 'SELECT * FROM clean_named', 'the default preset is clean');

CREATE TEMP TABLE real AS SELECT * FROM usermatch.generate_users(20000, 42, preset => 'realistic');
SELECT is((SELECT count(*)::int FROM real), 20000, 'realistic: exactly the rows asked for');
SELECT is((SELECT md5(string_agg(concat_ws('|', user_id, entity_id, full_name, phone, email, birth_date, id_number,
                                           city, gender, address, country), E'\n' ORDER BY user_id))
           FROM usermatch.generate_users(3000, 7, preset => 'realistic')),
          (SELECT md5(string_agg(concat_ws('|', user_id, entity_id, full_name, phone, email, birth_date, id_number,
                                           city, gender, address, country), E'\n' ORDER BY user_id))
           FROM usermatch.generate_users(3000, 7, preset => 'realistic')),
          'realistic: same seed, same rows');
SELECT ok((SELECT avg((phone IS NOT NULL)::int) BETWEEN 0.71 AND 0.79 AND avg((email IS NOT NULL)::int) BETWEEN 0.63 AND 0.71
              AND avg((birth_date IS NOT NULL)::int) BETWEEN 0.56 AND 0.64 AND avg((id_number IS NOT NULL)::int) BETWEEN 0.16 AND 0.24
           FROM real), 'realistic: fill rates of phone, email, birth date and ID near 3/4, 2/3, 3/5, 1/5');
SELECT ok((SELECT count(*) FROM real WHERE country = 'FR' AND phone ~ '^0[67]( \d\d){4}$') > 50,
          'realistic: French phones in national format (06 85 98 66 38)');
SELECT ok((SELECT count(*) FROM real WHERE country = 'US' AND phone ~ '^\(\d{3}\) \d{3}-\d{4}$') > 50,
          'realistic: US phones in national format ((206) 555-0134)');
SELECT ok((SELECT count(DISTINCT gender) FROM real) >= 15 AND (SELECT count(*) FROM real WHERE gender IN ('女', 'Frau', 'W', 'FEMALE')) > 0,
          'realistic: gender spelled many ways');
SELECT ok((SELECT count(*) FROM (SELECT full_name, birth_date FROM real WHERE birth_date IS NOT NULL
                                 GROUP BY 1, 2 HAVING count(DISTINCT entity_id) > 1) s) > 20,
          'realistic: namesakes (same name and birth date, different people)');

SELECT throws_ok($$SELECT * FROM usermatch.generate_users(10, preset => 'field')$$, '22023',
                 'preset must be ''clean'' or ''realistic'' (got ''field'')', 'an unknown preset is 22023');
SELECT is((SELECT count(*)::int FROM usermatch.generate_users(10, preset => NULL)), 0, 'a NULL preset gives no rows (STRICT)');

SELECT * FROM finish();
ROLLBACK;
