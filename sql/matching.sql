-- Profiles and matching as a psql user sees them, on a small hand-written users table.
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
    (6, 'Bill Smyth',   '+1 (415) 555-2671',  'billsmith@gmail.com',     '02/11/1979',  NULL,                 'San Francisco'),
    (7, 'José García',  '+34 612 345 678',    'jose.garcia@outlook.com', '1990-07-21',  NULL,                 'Madrid'),
    (8, 'Jose Garcia',  '+34612345678',       'JOSE.GARCIA@outlook.com', '21/07/1990',  NULL,                 'madrid'),
    (9, '李娜',         '13987654321',        'lina@qq.com',             '1992-01-30',  '310104199201302228', '上海'),
    (10,'王芳',         '15011112222',        'wangfang@126.com',        '1988-08-08',  NULL,                 '广州'),
    (11,'张伟',         '13700001111',        'zw1990@qq.com',           '1990-05-01',  NULL,                 '深圳'),
    (12, NULL,          NULL,                 NULL,                      NULL,          NULL,                 NULL);

SELECT usermatch.create_profile('users', $${
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone", "region": "CN"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text"} ],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]],
  "threshold": 0.9 }$$);

-- Every problem of a bad spec at once.
SELECT * FROM usermatch.validate_profile($${"id": "uid",
  "fields": [{"name": "name", "column": "full_nam", "type": "person_nme"},
             {"name": "name", "column": "phone", "type": "phone"}],
  "blocking": [["nme.soundex"], ["phone.bogus"]],
  "threshold": 1.5}$$, 'users');
SELECT usermatch.create_profile('broken', '{"fields": []}');

-- How many comparisons a run will make, per blocking rule.
SELECT * FROM usermatch.estimate_comparisons('users', 'users');

-- Pairs (each once, id1 < id2) at or above the profile threshold.
SELECT id1, id2, round(match_weight::numeric, 1) AS weight, round(match_probability::numeric, 4) AS probability
FROM usermatch.dedupe('users', 'users')
ORDER BY id1::int, id2::int;

-- Entities: the smallest record id names the entity.
SELECT record_id, entity_id, cluster_size
FROM usermatch.clusters('users', 'users')
ORDER BY record_id::int;

-- Why 张伟 and Wei Zhang match: the level each field reached.
SELECT f->>'name' AS field, f->>'normalized_a' AS a, f->>'normalized_b' AS b, f->>'level' AS level,
       round((f->>'weight')::numeric, 2) AS weight
FROM users a, users b,
     jsonb_array_elements(usermatch.explain_match('users', to_jsonb(a), to_jsonb(b), 12)->'fields') AS f
WHERE a.user_id = 1 AND b.user_id = 4;

-- Linking two tables.
CREATE TABLE crm AS SELECT user_id + 100 AS user_id, full_name, phone, email, birth_date, id_number, city
FROM users WHERE user_id IN (2, 6, 8, 10);
SELECT left_id, right_id, round(match_probability::numeric, 4) AS probability
FROM usermatch.link('users', 'users', 'crm')
ORDER BY right_id::int, left_id::int;

-- Errors a user meets.
SELECT * FROM usermatch.dedupe('no_such_profile', 'users');
SELECT * FROM usermatch.dedupe('users', 'no_such_table');
CREATE TABLE users_without_email AS SELECT user_id, full_name, phone, birth_date, id_number, city FROM users;
SELECT * FROM usermatch.dedupe('users', 'users_without_email');
SELECT * FROM usermatch.dedupe('users', 'users', 1.5);
SELECT usermatch.drop_profile('users');
SELECT usermatch.drop_profile('users');
SELECT usermatch.drop_profile('users', if_exists => true);
