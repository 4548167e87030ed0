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

\echo '-- 4. A match profile: fields, how to block, the decision threshold'
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
SELECT * FROM usermatch.estimate_comparisons('users', 'users');

\echo '-- 5. Duplicate pairs and the entities they form'
SELECT d.id1, a.full_name AS name1, d.id2, b.full_name AS name2,
       round(d.match_weight::numeric, 1) AS weight, round(d.match_probability::numeric, 6) AS probability
FROM usermatch.dedupe('users', 'users') d
JOIN users a ON a.user_id = d.id1::int JOIN users b ON b.user_id = d.id2::int
ORDER BY d.id1::int, d.id2::int;
SELECT c.entity_id, string_agg(u.full_name, ' / ' ORDER BY u.user_id) AS records, max(c.cluster_size) AS size
FROM usermatch.clusters('users', 'users') c JOIN users u ON u.user_id = c.record_id::int
GROUP BY c.entity_id ORDER BY c.entity_id::int;

\echo '-- 6. Why 张伟 (1) and Wei Zhang (4) are the same person'
SELECT f->>'name' AS field, f->>'a' AS a, f->>'b' AS b, f->>'level' AS level, round((f->>'weight')::numeric, 2) AS weight
FROM users a, users b,
     jsonb_array_elements(usermatch.explain_match('users', to_jsonb(a), to_jsonb(b), 10)->'fields') AS f
WHERE a.user_id = 1 AND b.user_id = 4;

\echo '-- 7. At scale: 200,000 generated users (Latin and Chinese, with typos and variants), deduplicated'
CREATE TABLE generated_users AS SELECT * FROM usermatch.generate_users(200000, 42);
SELECT usermatch.create_profile('generated_users', (SELECT spec FROM usermatch.profiles WHERE name = 'users'));
\timing on
CREATE TABLE generated_pairs AS SELECT * FROM usermatch.dedupe('generated_users', 'generated_users');
\timing off
\echo '   quality against the generator''s ground truth (entity_id):'
WITH truth AS (
    SELECT a.user_id AS id1, b.user_id AS id2
    FROM generated_users a JOIN generated_users b ON a.entity_id = b.entity_id AND a.user_id < b.user_id),
found AS (SELECT least(id1, id2) AS id1, greatest(id1, id2) AS id2 FROM generated_pairs),
hits AS (SELECT count(*) AS n FROM found JOIN truth USING (id1, id2))
SELECT (SELECT count(*) FROM truth) AS true_pairs, (SELECT count(*) FROM found) AS found_pairs,
       round(hits.n::numeric / nullif((SELECT count(*) FROM found), 0), 4) AS "precision",
       round(hits.n::numeric / nullif((SELECT count(*) FROM truth), 0), 4) AS recall
FROM hits;

\echo '-- 8. Online: who is this new sign-up already? match_one against the 200,000 users, from a cached index'
SELECT usermatch.warm_cache('generated_users', 'generated_users') AS indexed_rows;
\timing on
SELECT m.id, g.full_name, g.phone, round(m.match_probability::numeric, 4) AS probability
FROM usermatch.match_one('generated_users',
       (SELECT jsonb_build_object('full_name', full_name, 'phone', phone, 'email', upper(email))
          FROM generated_users ORDER BY user_id LIMIT 1),
       'generated_users', k => 3) m
JOIN generated_users g ON g.user_id = m.id;
\timing off
-- 200 more lookups, so the statistics below have something to show
SELECT count(*) AS lookups_with_a_match FROM (
  SELECT (SELECT count(*) FROM usermatch.match_one('generated_users',
                                                   jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email,
                                                                      'birth_date', birth_date, 'city', city),
                                                   'generated_users', k => 1) WHERE u.user_id IS NOT NULL) AS n
  FROM generated_users u ORDER BY u.user_id LIMIT 200) s WHERE n > 0;
SELECT entries, pg_size_pretty(bytes) AS memory, builds, hits, misses, delta_rows_pending FROM usermatch.cache_stats;

\echo '-- 9. A background job: the same dedupe of the sample users, run by a worker as your role'
SELECT usermatch.submit_job('dedupe', 'users', 'users') AS job_id \gset
SELECT usermatch.wait_job(:job_id, '60 s') AS final_state;
SELECT id, kind, profile, owner, state, records_done, rows_written, attempts FROM usermatch.jobs WHERE id = :job_id;

\echo '-- 10. Metrics: what usermatch did in this database (usermatch.performance_metrics)'
SELECT profile, operation, calls, records_read, pairs_scored, matches_out,
       round(mean_ms::numeric, 2) AS mean_ms, round(p99_ms::numeric, 2) AS p99_ms,
       round(cache_hit_rate::numeric, 3) AS cache_hit_rate
FROM usermatch.performance_metrics WHERE database = current_database() ORDER BY profile, operation;
\echo '   health checks (usermatch.system_health):'
SELECT check_name, status, round(value::numeric, 2) AS value, advice FROM usermatch.system_health ORDER BY check_name;
