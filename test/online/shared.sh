#!/usr/bin/env bash
# Shared online index across backends (issue 9): one published file serves every backend (they
# attach, none builds); a backend killed with kill -9 while attached leaves the file usable after
# the postmaster's restart; an index built by a transaction that wrote the target is not
# published; a truncated (corrupt) file is refused, removed and rebuilt; online_share = off
# builds privately with the same answers. Needs PGHOST/PGPORT/PGUSER of a running cluster (as
# scripts/run-tests.sh gives).
set -uo pipefail
db=usermatch_online_shared
q() { psql -X -At -d "$db" -v ON_ERROR_STOP=1 "$@"; }
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
q -q >/dev/null <<'SQL' || exit 1
CREATE EXTENSION usermatch;
CREATE TABLE people AS SELECT user_id, full_name, phone, email, birth_date, id_number, city
  FROM usermatch.generate_users(2000, 8);
ALTER TABLE people ADD PRIMARY KEY (user_id);
SELECT usermatch.create_profile('p', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"},
  {"name": "dob", "column": "birth_date", "type": "date"},
  {"name": "city", "column": "city", "type": "text"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}');
CREATE TABLE queries AS SELECT row_number() OVER (ORDER BY user_id) AS n,
  jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email, 'birth_date', birth_date, 'city', city) AS rec
  FROM (SELECT * FROM people ORDER BY user_id LIMIT 20) s;
-- The test cluster commits asynchronously (synchronous_commit = off): without a checkpoint the
-- kill -9 below could take the last setup transactions with it ("relation queries does not exist").
CHECKPOINT;
SQL
datadir=$(q -c "SHOW data_directory")
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u "$(stat -c %U "$datadir")" -- "$@"; else "$@"; fi; }
status=0
check() {  # check NAME EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then echo "ok - $1"; else echo "not ok - $1: expected '$2', got '$3'"; status=1; fi
}
answers="SELECT string_agg(q.n || ':' || m.id || ':' || m.match_weight::text, ' ' ORDER BY q.n, m.match_weight DESC, m.id)
           FROM queries q, usermatch.match_one('p', q.rec, 'people', 20, 0) m"
stats="SELECT builds || ' ' || attaches || ' ' || shared_entries || ' ' || private_entries FROM usermatch.cache_stats"

check "warm_cache builds and publishes" "2000 1" "$(q -c "SELECT usermatch.warm_cache('p', 'people')" -c "SELECT published FROM usermatch.cache_stats" | paste -sd' ')"
files() { as_owner sh -c "ls '$datadir/pg_usermatch/online' | grep -c '^$(q -c "SELECT oid FROM pg_database WHERE datname = current_database()")_'"; }
check "one published file" "1" "$(files)"
expected=$(q -c "SET usermatch.online_share = off" -c "$answers" | tail -1)
check "online_share = off: a private index" "1 0 0 1" "$(q -c "SET usermatch.online_share = off" -c "$answers" -c "$stats" | tail -1)"

# Eight backends at once: each attaches to the file, none builds, all answer alike.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 1 2 3 4 5 6 7 8; do
  q -c "$answers" -c "$stats" >"$tmp/b$i" 2>&1 &
done
wait
same=0; attached=0
for i in 1 2 3 4 5 6 7 8; do
  [[ $(head -1 "$tmp/b$i") == "$expected" ]] && same=$((same + 1))
  [[ $(tail -1 "$tmp/b$i") == "0 1 1 0" ]] && attached=$((attached + 1))
done
check "8 backends answer like the private index" 8 "$same"
check "8 backends attached (0 builds, 1 shared entry each)" 8 "$attached"

# kill -9 of a backend while it maps the file: the postmaster restarts every backend; the file
# is intact and the next backends attach to it again.
q -c "SELECT count(*) FROM usermatch.match_one('p', (SELECT rec FROM queries WHERE n = 1), 'people')" \
  -c "SELECT pg_sleep(30) AS attached_victim" >/dev/null 2>&1 &
victim=
for _ in $(seq 1 100); do
  victim=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%attached_victim%' AND pid <> pg_backend_pid()")
  [[ -n $victim ]] && break; sleep 0.1
done
check "a backend maps the file and sleeps" "1" "$([[ -n $victim ]] && echo 1)"
kill -9 "$victim"
wait
for _ in $(seq 1 100); do q -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
check "after kill -9: a new backend attaches and answers alike" "$expected|0 1 1 0" "$(q -c "$answers" -c "$stats" | paste -sd'|')"
check "after kill -9: still one published file" "1" "$(files)"

# A transaction that wrote the target builds (the profile changed, so no file fits) and keeps its
# index private; after it rolls back, the next backend builds and publishes.
q -q -c "SELECT usermatch.create_profile('p', (SELECT spec FROM usermatch.profiles WHERE name = 'p' ORDER BY version DESC LIMIT 1), replace => true)" >/dev/null
out=$(q -c "BEGIN" -c "INSERT INTO people (user_id, full_name, phone) VALUES ('w1', 'Zbigniew Qwertyuiop', '+48 601 234 567')" \
        -c "SELECT id FROM usermatch.match_one('p', '{\"full_name\": \"Zbigniew Qwertyuiop\", \"phone\": \"+48 601 234 567\"}', 'people', 1, 0)" \
        -c "SELECT published || ' ' || shared_entries || ' ' || private_entries FROM usermatch.cache_stats" -c "ROLLBACK" | paste -sd'|')
check "a writing transaction sees its row and does not publish" "BEGIN|INSERT 0 1|w1|0 0 1|ROLLBACK" "$out"
one_call="SELECT count(*) FROM usermatch.match_one('p', (SELECT rec FROM queries WHERE n = 1), 'people')"
counters="SELECT builds || ' ' || attaches || ' ' || published || ' ' || shared_entries || ' ' || private_entries FROM usermatch.cache_stats"
check "the next backend builds and publishes" "1 0 1 1 0" "$(q -c "$one_call" -c "$counters" | tail -1)"
check "... and the one after attaches" "0 1 0 1 0" "$(q -c "$one_call" -c "$counters" | tail -1)"

# A truncated file (replaced by rename, as a torn copy would be) is refused, removed, rebuilt.
f=$(as_owner sh -c "ls -t '$datadir'/pg_usermatch/online/*.idx | head -1")
as_owner sh -c "head -c 9000 '$f' >'$f.bad' && mv '$f.bad' '$f'"
out=$(q -c "SELECT count(*) FROM usermatch.match_one('p', (SELECT rec FROM queries WHERE n = 2), 'people', 5, 0)" \
        -c "SELECT builds || ' ' || attaches || ' ' || published || ' ' || stale_files_removed FROM usermatch.cache_stats" | tail -1)
check "a truncated file is refused, removed and the index rebuilt and published" "1 0 1 1" "$out"
check "... and answers stay the same" "$expected" "$(q -c "$answers")"
exit $status
