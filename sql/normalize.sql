-- The normalisers as a psql user sees them.
SELECT input, usermatch.normalize_name(input) AS normalized, usermatch.pinyin(input) AS pinyin
FROM (VALUES ('張偉'), ('张伟'), ('Zhang Wei'), ('  José  GARCÍA-López '), ('Ｚｈａｎｇ　Ｗｅｉ'),
             ('O''Brien'), ('欧阳娜娜'), ('')) AS t(input);

SELECT input, usermatch.normalize_phone(input) AS cn_default
FROM (VALUES ('+86 138-1234-5678'), ('13812345678'), ('0086 138 1234 5678'), ('12'), ('not a phone'), ('')) AS t(input);
SELECT usermatch.normalize_phone('(415) 555-2671', 'US') AS us, usermatch.normalize_phone('(415) 555-2671', 'us') AS lower_case_region;

SELECT input, usermatch.normalize_email(input) AS normalized
FROM (VALUES (' John.Smith+news@GMail.com '), ('j.smith@googlemail.com'), ('Li.Na@163.com'), ('no-at-sign'), ('')) AS t(input);

SELECT input, usermatch.parse_date(input) AS dmy, usermatch.parse_date(input, 'MDY') AS mdy
FROM (VALUES ('2024-03-05'), ('20240305'), ('05/03/2024'), ('2024年3月5日'), ('5 March 2024'),
             ('March 5, 2024'), ('2023-02-29'), ('2024-02-29'), ('31/31/2024'), ('yesterday'), ('')) AS t(input);

SELECT input, usermatch.cn_id_valid(input) AS valid, usermatch.cn_id_birth_date(input) AS birth_date
FROM (VALUES ('11010519491231002X'), ('11010519491231002x'), ('110105194912310021'), ('123'), ('')) AS t(input);

-- NULL in, NULL out.
SELECT usermatch.normalize_name(NULL) IS NULL AS name_null, usermatch.parse_date(NULL) IS NULL AS date_null,
       usermatch.cn_id_valid(NULL) IS NULL AS id_null;

-- Invalid arguments: error 22023 naming the argument.
SELECT usermatch.normalize_phone('13812345678', 'XX');
SELECT usermatch.parse_date('05/03/2024', 'YMD');

-- Large values: a 10 MB name is normalised, not rejected.
SELECT length(usermatch.normalize_name(repeat('Ab ', 3500000))) AS normalized_length;
