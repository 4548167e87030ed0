#!/usr/bin/env bash
# Cost of usermatch.track (statistics collection) on a cheap repeated call: pgbench runs
# explain_match (a sub-millisecond call) with collection on and off, alternating rounds in the
# same run, and prints the throughput ratio. Needs a running cluster with usermatch preloaded
# (PGHOST/PGPORT/PGUSER, e.g. eval "$(scripts/cluster.sh env)"), and a superuser (track is PGC_SUSET).
#   bench/stats_overhead.sh [seconds per round, default 2] [rounds per setting, default 10]
# On a busy machine both timings are noisy; instruction counts are not. With the cluster stopped,
# count a standalone backend's instructions for 0 and 1,000 calls with track off and on:
#   echo "SET usermatch.track = on; SELECT sum(length(usermatch.explain_match('bench', '{...}', '{...}')::text))
#         FROM generate_series(1, 1000);" |
#     runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file=/dev/null postgres --single -D DATA DB
# (the sum keeps the call from being optimised away). 2026-12: 540,561 instructions a call off,
# 541,907 on: collection adds ~1,350 instructions (0.25%) to a 2-field explain_match.
set -euo pipefail
seconds=${1:-2}
rounds=${2:-10}
db=usermatch_stats_bench
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION usermatch;
SELECT usermatch.create_profile('bench', '{"id": "id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"}, {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}, {"name": "dob", "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"]]}');
SQL
cat >"$work/call.sql" <<'SQL'
SELECT usermatch.explain_match('bench', '{"full_name": "Zhang Wei", "phone": "13812345678", "email": "zw@163.com", "birth_date": "1985-03-12"}',
                                        '{"full_name": "张伟", "phone": "+86 138 1234 5678", "email": "ZW@163.com", "birth_date": "1985-03-12"}');
SQL
tps() { PGOPTIONS="-c usermatch.track=$1" nice pgbench -n -c 2 -j 2 -T "$seconds" -f "$work/call.sql" $db 2>/dev/null |
          awk '/^tps/ {print $3; exit}'; }
on_total=0; off_total=0
tps on >/dev/null  # warm-up
for r in $(seq "$rounds"); do
  if ((r % 2)); then off=$(tps off); on=$(tps on); else on=$(tps on); off=$(tps off); fi
  echo "round $r: track=off $off tps, track=on $on tps"
  on_total=$(echo "$on_total + $on" | bc -l); off_total=$(echo "$off_total + $off" | bc -l)
done
printf 'explain_match, 2 clients, %s x %ss per setting: on/off throughput = %.4f (mean tps on %.0f, off %.0f)\n' \
  "$rounds" "$seconds" "$(echo "$on_total / $off_total" | bc -l)" "$(echo "$on_total / $rounds" | bc -l)" "$(echo "$off_total / $rounds" | bc -l)"
# The same comparison inside one backend, robust to a busy machine: the fastest of 10 batches of
# 2,000 calls per setting (batches alternate, so both settings see the same machine).
psql -X -qAt -d $db <<'SQL'
DO $$
DECLARE best_on float8 := 1e9; best_off float8 := 1e9; t timestamptz; d float8; r int; setting text;
BEGIN
    FOR r IN 1 .. 10 LOOP
        FOREACH setting IN ARRAY CASE WHEN r % 2 = 1 THEN ARRAY['off', 'on'] ELSE ARRAY['on', 'off'] END LOOP
            PERFORM set_config('usermatch.track', setting, false);
            t := clock_timestamp();
            PERFORM usermatch.explain_match('bench', '{"full_name": "Zhang Wei", "phone": "13812345678", "email": "zw@163.com", "birth_date": "1985-03-12"}',
                                            '{"full_name": "张伟", "phone": "+86 138 1234 5678", "email": "ZW@163.com", "birth_date": "1985-03-12"}')
              FROM generate_series(1, 2000);
            d := extract(epoch FROM clock_timestamp() - t);
            IF setting = 'on' THEN best_on := least(best_on, d); ELSE best_off := least(best_off, d); END IF;
        END LOOP;
    END LOOP;
    RAISE NOTICE 'one backend, best of 10 x 2000 calls: track=off % us/call, track=on % us/call, on/off throughput = %',
        round((best_off * 500)::numeric, 2), round((best_on * 500)::numeric, 2), round((best_off / best_on)::numeric, 4);
END $$;
SQL
# The same for match_one (issue 11 asks for its throughput with collection on and off): 10,000
# generated users, a warm index, the fastest of 10 batches of 1,000 lookups per setting.
psql -X -qAt -v ON_ERROR_STOP=1 -d $db <<'SQL'
SET client_min_messages = warning;
CREATE TABLE overhead_users AS SELECT * FROM usermatch.generate_users(10000, 7);
SELECT usermatch.create_profile('overhead', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"}, {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}, {"name": "dob", "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}') IS NOT NULL;
SELECT usermatch.warm_cache('overhead', 'overhead_users') > 0;
CREATE TEMP TABLE probes AS SELECT row_number() OVER (ORDER BY user_id) AS n,
       jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email, 'birth_date', birth_date) AS rec
  FROM overhead_users ORDER BY user_id LIMIT 1000;
SET client_min_messages = notice;
DO $$
DECLARE best_on float8 := 1e9; best_off float8 := 1e9; t timestamptz; d float8; r int; setting text;
BEGIN
    FOR r IN 1 .. 10 LOOP
        FOREACH setting IN ARRAY CASE WHEN r % 2 = 1 THEN ARRAY['off', 'on'] ELSE ARRAY['on', 'off'] END LOOP
            PERFORM set_config('usermatch.track', setting, false);
            t := clock_timestamp();
            PERFORM (SELECT count(*) FROM usermatch.match_one('overhead', p.rec, 'overhead_users', 10) WHERE p.n > 0) FROM probes p;
            d := extract(epoch FROM clock_timestamp() - t);
            IF setting = 'on' THEN best_on := least(best_on, d); ELSE best_off := least(best_off, d); END IF;
        END LOOP;
    END LOOP;
    RAISE NOTICE 'match_one, one backend, best of 10 x 1000 lookups: track=off % us/call, track=on % us/call, on/off throughput = %',
        round((best_off * 1000)::numeric, 2), round((best_on * 1000)::numeric, 2), round((best_off / best_on)::numeric, 4);
END $$;
SQL
