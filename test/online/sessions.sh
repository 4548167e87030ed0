#!/usr/bin/env bash
# Online matching across sessions with committed data (issue 9): a backend's cached index sees
# rows another session committed after the build, not rows it has not committed yet, not rows it
# rolled back; an UPDATE/DELETE committed elsewhere is reflected; a REPEATABLE READ snapshot older
# than a rebuild still sees exactly its rows. Needs PGHOST/PGPORT/PGUSER of a running cluster.
set -uo pipefail
db=usermatch_online_sessions
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || exit 1
CREATE EXTENSION usermatch;
CREATE TABLE people AS SELECT user_id, full_name, phone, email, birth_date, id_number, city
  FROM usermatch.generate_users(500, 5);
ALTER TABLE people ADD PRIMARY KEY (user_id);
SELECT usermatch.create_profile('p', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"},
  {"name": "dob", "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}');
SQL
# The other session: a script psql's \! (which runs sh) can call.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\nexec psql -X -q -d %s -v ON_ERROR_STOP=1 -c "$1" >/dev/null\n' "$db" >"$tmp/other"
chmod +x "$tmp/other"
rec='{"full_name": "Zbigniew Qwertyuiop", "phone": "+48 601 234 567"}'
out=$(psql -X -At -d "$db" -v ON_ERROR_STOP=1 2>&1 <<SQL
SELECT 'warm=' || usermatch.warm_cache('p', 'people');
\! $tmp/other "INSERT INTO people (user_id, full_name, phone) VALUES ('b1', 'Zbigniew Qwertyuiop', '+48 601 234 567')"
SELECT 'after_commit=' || coalesce((SELECT id FROM usermatch.match_one('p', '$rec', 'people', 1, 0)), 'none');
SELECT 'builds=' || builds || ' delta=' || delta_rows_pending FROM usermatch.cache_stats;
\! ($tmp/other "BEGIN; INSERT INTO people (user_id, full_name, phone) VALUES ('b2', 'Wojciech Asdfghjkl', '+48 602 111 222'); SELECT pg_sleep(3); COMMIT") &
SELECT pg_sleep(1);
SELECT 'uncommitted=' || count(*) FROM usermatch.match_one('p', '{"phone": "+48 602 111 222"}', 'people', 5, 0);
SELECT pg_sleep(3);
SELECT 'committed_later=' || coalesce((SELECT id FROM usermatch.match_one('p', '{"phone": "+48 602 111 222", "full_name": "Wojciech Asdfghjkl"}', 'people', 1, 0)), 'none');
\! $tmp/other "BEGIN; INSERT INTO people (user_id, full_name, phone) VALUES ('b3', 'Ignacy Zxcvbnm', '+48 603 333 444'); ROLLBACK"
SELECT 'rolled_back=' || count(*) FROM usermatch.match_one('p', '{"phone": "+48 603 333 444"}', 'people', 5, 0);
\! $tmp/other "UPDATE people SET phone = '+48 609 000 000' WHERE user_id = 'b1'"
SELECT 'old_value=' || count(*) FROM usermatch.match_one('p', '$rec', 'people', 5, 0);
\! $tmp/other "DELETE FROM people WHERE user_id = 'b2'"
SELECT 'deleted=' || count(*) FROM usermatch.match_one('p', '{"phone": "+48 602 111 222"}', 'people', 5, 0);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM people;
\! $tmp/other "INSERT INTO people (user_id, full_name, phone) VALUES ('b4', 'Leszek Poiuytr', '+48 604 444 555')"
\! $tmp/other "SELECT usermatch.warm_cache('p', 'people')"
SELECT 'old_snapshot=' || count(*) FROM usermatch.match_one('p', '{"phone": "+48 604 444 555"}', 'people', 5, 0);
COMMIT;
SELECT 'new_snapshot=' || coalesce((SELECT id FROM usermatch.match_one('p', '{"phone": "+48 604 444 555", "full_name": "Leszek Poiuytr"}', 'people', 1, 0)), 'none');
SELECT 'log_pruned=' || (SELECT count(*) FROM usermatch.online_changes WHERE relid = 'people'::regclass);
SQL
)
status=0
check() {  # check KEY=VALUE: the session printed exactly that line
  if grep -qx "$1" <<<"$out"; then echo "ok - $1"; else echo "not ok - expected $1"; status=1; fi
}
check "warm=500"
check "after_commit=b1"
check "builds=1 delta=1"
check "uncommitted=0"
check "committed_later=b2"
check "rolled_back=0"
check "old_value=0"
check "deleted=0"
check "old_snapshot=0"
check "new_snapshot=b4"
check "log_pruned=0"  # warm_cache in the other session pruned the log (every row older than any snapshot)
if ((status != 0)); then echo "session output:"; echo "$out"; fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
exit $status
