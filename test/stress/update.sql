-- a writer next to the readers: rewrites one row with its own values (results stay the same)
\set i random(0, 299)
UPDATE users_s SET phone = phone WHERE user_id = (SELECT user_id FROM users_s ORDER BY user_id OFFSET :i LIMIT 1);
