-- The comparison and normalisation library: catalog properties, NULL handling, SQLSTATEs.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(52);

SELECT has_schema('usermatch');

-- Every library function is IMMUTABLE, STRICT and PARALLEL SAFE, and lives in schema usermatch.
SELECT is(p.provolatile::text || p.proisstrict::text || p.proparallel::text, 'itrues',
          format('%s(%s) is IMMUTABLE STRICT PARALLEL SAFE', p.proname, pg_get_function_identity_arguments(p.oid)))
FROM pg_proc p
WHERE p.pronamespace = 'usermatch'::regnamespace
  AND p.proname IN ('levenshtein', 'damerau_levenshtein', 'jaro', 'jaro_winkler', 'qgram_similarity',
                    'soundex', 'double_metaphone', 'normalize_name', 'pinyin', 'normalize_phone',
                    'normalize_email', 'parse_date', 'cn_id_valid', 'cn_id_birth_date')
ORDER BY p.proname, pg_get_function_identity_arguments(p.oid);

SELECT is(count(*)::int, 16, 'sixteen library functions (levenshtein has a bounded overload, normalize_phone a region list one)')
FROM pg_proc p
WHERE p.pronamespace = 'usermatch'::regnamespace
  AND p.proname IN ('levenshtein', 'damerau_levenshtein', 'jaro', 'jaro_winkler', 'qgram_similarity',
                    'soundex', 'double_metaphone', 'normalize_name', 'pinyin', 'normalize_phone',
                    'normalize_email', 'parse_date', 'cn_id_valid', 'cn_id_birth_date');

-- Known values from the literature.
SELECT is(round(usermatch.jaro_winkler('MARTHA', 'MARHTA')::numeric, 3), 0.961, 'jaro_winkler MARTHA/MARHTA');
SELECT is(round(usermatch.jaro_winkler('DIXON', 'DICKSONX')::numeric, 3), 0.813, 'jaro_winkler DIXON/DICKSONX');
SELECT is(usermatch.levenshtein('kitten', 'sitting'), 3, 'levenshtein kitten/sitting');
SELECT is(usermatch.levenshtein('张伟', '張偉'), 2, 'levenshtein counts code points');
SELECT is(usermatch.levenshtein('abcdef', 'ghijkl', 2), 3, 'bounded levenshtein answers max + 1');
SELECT is(usermatch.damerau_levenshtein('ab', 'ba'), 1, 'a transposition is one edit');

-- The issue's normalisation examples.
SELECT is(usermatch.normalize_name('張偉'), '张伟', 'Traditional folds to Simplified');
SELECT is(usermatch.pinyin('张伟'), 'zhang wei', 'pinyin of 张伟');
SELECT is(usermatch.pinyin('張偉'), 'zhang wei', 'pinyin of 張偉');
SELECT is(usermatch.normalize_phone('+86 138-1234-5678'), '+8613812345678', 'phone with country code');
SELECT is(usermatch.normalize_phone('13812345678'), '+8613812345678', 'national phone');
SELECT is(usermatch.normalize_phone('0086 138 1234 5678'), '+8613812345678', 'international prefix 00');
SELECT is(usermatch.normalize_phone('12'), NULL, 'impossible number is NULL');
SELECT is(usermatch.normalize_email(' John.Smith+news@GMail.com '), 'johnsmith@gmail.com', 'gmail rules');
SELECT is(usermatch.parse_date('2024年3月5日'), date '2024-03-05', 'Chinese date');
SELECT is(usermatch.parse_date('05/03/2024', 'MDY'), date '2024-05-03', 'month first');
SELECT is(usermatch.cn_id_valid('11010519491231002X'), true, 'valid resident ID');
SELECT is(usermatch.cn_id_valid('110105194912310021'), false, 'wrong check digit');
SELECT is(usermatch.cn_id_birth_date('11010519491231002X'), date '1949-12-31', 'birth date from ID');

-- Empty strings have defined results.
SELECT is(usermatch.normalize_name(''), '', 'normalize_name of empty is empty');
SELECT is(usermatch.pinyin(''), '', 'pinyin of empty is empty');
SELECT is(usermatch.normalize_phone(''), NULL, 'normalize_phone of empty is NULL');
SELECT is(usermatch.normalize_email(''), NULL, 'normalize_email of empty is NULL');
SELECT is(usermatch.parse_date(''), NULL, 'parse_date of empty is NULL');
SELECT is(usermatch.soundex(''), '', 'soundex of empty is empty');

-- Bad arguments: SQLSTATE 22023 and a message naming the argument.
SELECT throws_ok($$SELECT usermatch.qgram_similarity('a', 'b', 0)$$, '22023',
                 'qgram_similarity: argument q must be at least 1', 'q < 1 is rejected');
SELECT throws_ok($$SELECT usermatch.levenshtein('a', 'b', -1)$$, '22023', NULL, 'negative max is rejected');
SELECT throws_like($$SELECT usermatch.normalize_phone('13812345678', 'XX')$$, '%argument region%', 'unknown region names the argument');
SELECT throws_ok($$SELECT usermatch.normalize_phone('13812345678', 'XX')$$, '22023', NULL, 'unknown region is 22023');
SELECT throws_ok($$SELECT usermatch.parse_date('1/2/2024', 'YMD')$$, '22023', NULL, 'unknown date order is 22023');
SELECT throws_ok($$SELECT usermatch.levenshtein(repeat('a', 100000), repeat('b', 100000))$$, '54000', NULL,
                 'quadratic work past the limit is refused with 54000');

-- Large inputs: linear work completes; bounded comparisons of 10 MB strings are fine.
SELECT is(usermatch.levenshtein(repeat('a', 10000000), repeat('a', 10000000) || 'b', 3), 1, 'bounded levenshtein on 10 MB');
SELECT is(length(usermatch.normalize_name(repeat('x', 10000000))), 10000000, 'normalize_name on 10 MB');
SELECT ok(usermatch.qgram_similarity(repeat('ab', 250000), repeat('ab', 250000)) = 1, 'qgram on 2 x 500 KB strings (1,000,000 characters in all is the limit)');

SELECT * FROM finish();
ROLLBACK;
