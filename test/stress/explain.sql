\set i random(0, 299)
SELECT usermatch.explain_match('stress', to_jsonb(a), to_jsonb(b))->'probability'
FROM (SELECT * FROM users_s ORDER BY user_id OFFSET :i LIMIT 1) a, (SELECT * FROM users_t ORDER BY user_id OFFSET :i LIMIT 1) b;
