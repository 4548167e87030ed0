-- What `make demo` shows: sample users, how usermatch normalises and compares them.
\pset footer off
CREATE EXTENSION usermatch;

CREATE TABLE users (
    user_id    integer PRIMARY KEY,
    full_name  text,
    phone      text,
    email      text,
    birth_date text,
    id_number  text,
    city       text
);
INSERT INTO users VALUES
    (1, '张伟',         '+86 138-1234-5678',  'zhangwei@163.com',        '1985-03-12',  '11010519850312001X', '北京'),
    (2, '張偉',         '13812345678',        'ZhangWei@163.com',        '19850312',    '11010519850312001X', '北京市'),
    (3, 'Zhang Wei',    '0086 138 1234 5678', NULL,                      '12/03/1985',  NULL,                 'Beijing'),
    (4, 'Wei Zhang',    NULL,                 'zhang.wei@gmail.com',     '1985年3月12日', NULL,               'Beijing'),
    (5, 'William Smith','+1 415 555 2671',    'bill.smith+crm@gmail.com','1979-11-02',  NULL,                 'San Francisco'),
    (6, 'Bill Smyth',   '(415) 555-2671',     'billsmith@gmail.com',     '02/11/1979',  NULL,                 'San Francisco'),
    (7, 'José García',  '+34 612 345 678',    'jose.garcia@outlook.com', '1990-07-21',  NULL,                 'Madrid'),
    (8, 'Jose Garcia',  '612345678',          'JOSE.GARCIA@outlook.com', '21/07/1990',  NULL,                 'madrid'),
    (9, '李娜',         '13987654321',        'lina@qq.com',             '1992-01-30',  '310104199201302228', '上海'),
    (10,'王芳',         '15011112222',        'wangfang@126.com',        '1988-08-08',  NULL,                 '广州');

\echo
\echo '-- 1. Normalised values: one canonical form per way of writing a value'
SELECT user_id,
       usermatch.normalize_name(full_name) AS name,
       usermatch.pinyin(full_name)         AS pinyin,
       usermatch.normalize_phone(phone, CASE WHEN phone LIKE '+1%' OR phone LIKE '(%' THEN 'US'
                                             WHEN user_id IN (7, 8) THEN 'ES' ELSE 'CN' END) AS phone,
       usermatch.normalize_email(email)    AS email,
       usermatch.parse_date(birth_date)    AS birth_date,
       usermatch.cn_id_valid(id_number)    AS id_valid
FROM users ORDER BY user_id;

\echo '-- 2. Name similarity between every pair of sample users (pinyin-aware), best first'
SELECT a.user_id AS id1, b.user_id AS id2, a.full_name AS name1, b.full_name AS name2,
       round(usermatch.jaro_winkler(usermatch.pinyin(a.full_name), usermatch.pinyin(b.full_name))::numeric, 3) AS jw_pinyin,
       usermatch.levenshtein(usermatch.normalize_name(a.full_name), usermatch.normalize_name(b.full_name)) AS edits,
       round(usermatch.qgram_similarity(usermatch.pinyin(a.full_name), usermatch.pinyin(b.full_name))::numeric, 3) AS trigram
FROM users a JOIN users b ON a.user_id < b.user_id
ORDER BY jw_pinyin DESC, id1, id2
LIMIT 12;

\echo '-- 3. Phonetic codes'
SELECT full_name, usermatch.soundex(full_name), (usermatch.double_metaphone(full_name)).*
FROM users WHERE user_id IN (5, 6, 7, 8) ORDER BY user_id;
