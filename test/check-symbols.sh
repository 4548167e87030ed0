#!/usr/bin/env bash
# The shared library must export exactly what PostgreSQL looks up by name, unmangled:
# Pg_magic_func, _PG_init, and for every C function the SQL scripts declare, the function and
# its pg_finfo_ record. Nothing else: no mangled C++ (_Z...) and no other symbol (the version
# script src/pg/usermatch.map and -fvisibility=hidden keep the rest local). It must also link
# libstdc++ itself (PGXS links with gcc).
set -euo pipefail
lib=${1:-usermatch.so}
status=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
entry_points=$(grep -ho "AS 'MODULE_PATHNAME', '[a-z0-9_]*'" usermatch--*.sql | sed "s/.*, '//; s/'//" | sort -u)
# Background-worker entry points (bgw_function_name) are looked up by name too.
bgworker_entry_points="usermatch_launcher_main usermatch_job_main"
allowed=$(printf '%s\n' Pg_magic_func _PG_init $bgworker_entry_points $entry_points $(sed 's/^/pg_finfo_/' <<<"$entry_points") | sort -u)
for symbol in Pg_magic_func _PG_init $entry_points; do
  if ! grep -qx "$symbol" <<<"$exported"; then
    echo "symbols: $symbol is not exported unmangled from $lib"
    status=1
  fi
  if [[ $symbol != Pg_magic_func && $symbol != _PG_init ]] && ! grep -qx "pg_finfo_$symbol" <<<"$exported"; then
    echo "symbols: pg_finfo_$symbol is missing (PG_FUNCTION_INFO_V1 not applied?)"
    status=1
  fi
done
mangled=$(grep '^_Z' <<<"$exported" || true)
if [[ -n $mangled ]]; then
  echo "symbols: $(wc -l <<<"$mangled") mangled C++ symbols exported from $lib, e.g.:"
  head -n 5 <<<"$mangled" | sed 's/^/  /'
  status=1
fi
extra=$(comm -23 <(echo "$exported") <(echo "$allowed") | grep -v '^_Z' || true)
if [[ -n $extra ]]; then
  echo "symbols: exported from $lib but not an entry point of the SQL scripts:"
  sed 's/^/  /' <<<"$extra"
  status=1
fi
if ! ldd "$lib" | grep 'libstdc++' >/dev/null; then  # not grep -q: ldd would die of SIGPIPE (pipefail)
  echo "symbols: $lib does not link libstdc++"
  status=1
fi
((status == 0)) && echo "symbols: $(wc -l <<<"$exported") exported, exactly the entry points, unmangled; libstdc++ linked"
exit $status
