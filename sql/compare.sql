-- The comparison library as a psql user sees it.
SET extra_float_digits = 0;

-- Edit distances count Unicode code points, not bytes.
SELECT usermatch.levenshtein('kitten', 'sitting') AS kitten_sitting,
       usermatch.levenshtein('张伟', '张伟伟') AS cjk,
       usermatch.levenshtein('café', 'cafe') AS accent,
       usermatch.levenshtein('👍', '👎') AS emoji,
       usermatch.levenshtein('', 'abc') AS from_empty;

-- The bounded form stops early and answers max + 1.
SELECT usermatch.levenshtein('kitten', 'sitting', 5) AS within,
       usermatch.levenshtein('kitten', 'sitting', 1) AS beyond,
       usermatch.levenshtein(repeat('a', 100000), repeat('b', 100000), 2) AS long_inputs;

-- Optimal string alignment: one transposition is one edit, but no substring is edited twice.
SELECT usermatch.damerau_levenshtein('abcd', 'acbd') AS transposition,
       usermatch.damerau_levenshtein('ca', 'abc') AS osa_not_true_damerau;

SELECT round(usermatch.jaro('MARTHA', 'MARHTA')::numeric, 3) AS jaro,
       round(usermatch.jaro_winkler('MARTHA', 'MARHTA')::numeric, 3) AS jw_martha,
       round(usermatch.jaro_winkler('DIXON', 'DICKSONX')::numeric, 3) AS jw_dixon,
       usermatch.jaro_winkler('', '') AS both_empty,
       usermatch.jaro_winkler('', 'a') AS one_empty;

SELECT round(usermatch.qgram_similarity('zhang wei', 'zhang wie')::numeric, 3) AS trigram,
       round(usermatch.qgram_similarity('zhang wei', 'zhang wie', 2)::numeric, 3) AS bigram,
       usermatch.qgram_similarity('', '') AS both_empty;

SELECT name, usermatch.soundex(name), (usermatch.double_metaphone(name)).*
FROM (VALUES ('Robert'), ('Rupert'), ('Smith'), ('Schmidt'), ('Catherine'), ('Kathryn'),
             ('Müller'), ('张伟'), ('')) AS t(name);

-- NULL in, NULL out (the functions are STRICT).
SELECT usermatch.levenshtein(NULL, 'a') IS NULL AS lev_null,
       usermatch.jaro_winkler('a', NULL) IS NULL AS jw_null,
       usermatch.soundex(NULL) IS NULL AS soundex_null;

-- Invalid arguments name the argument.
SELECT usermatch.qgram_similarity('a', 'b', 0);
SELECT usermatch.levenshtein('a', 'b', -1);
-- Unbounded distances over two huge strings are refused with the limit, not left to run for minutes.
SELECT usermatch.levenshtein(repeat('a', 100000), repeat('b', 100000));
