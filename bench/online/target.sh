# Shared by bench/online/run.sh and bench/online_shared.sh (source after bench/lib.sh's bench_start):
# online_target_load ROWS creates the target (ROWS realistic generated users), the profile
# online_bench and online_queries (500 records of the target and 500 other people).
online_target_load() {
  sql <<SQL
CREATE TABLE online_target AS SELECT * FROM usermatch.generate_users($1, 42, preset => 'realistic');
ALTER TABLE online_target ADD PRIMARY KEY (user_id);
SELECT usermatch.create_profile('online_bench', pg_read_file('$repo/bench/profiles/users_realistic.json')::jsonb);
CREATE TABLE online_queries AS
  SELECT row_number() OVER ()::int AS n, jsonb_strip_nulls(to_jsonb(q) - 'user_id' - 'entity_id' - 'gender' - 'country') AS rec
    FROM (SELECT * FROM (SELECT * FROM online_target ORDER BY user_id LIMIT 500) a
          UNION ALL
          SELECT * FROM (SELECT * FROM usermatch.generate_users(500, 4242, preset => 'realistic')) b) q;
ALTER TABLE online_queries ADD PRIMARY KEY (n);
VACUUM ANALYZE online_target;
SQL
  echo "target rows: $1"
}
