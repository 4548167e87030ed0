#!/usr/bin/env bash
# The shared library must export its entry points unmangled (PostgreSQL looks them up by C
# name) and link libstdc++ itself (PGXS links with gcc).
set -euo pipefail
lib=${1:-usermatch.so}
status=0
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for symbol in Pg_magic_func _PG_init $(grep -ho "AS 'MODULE_PATHNAME', '[a-z0-9_]*'" usermatch--*.sql | sed "s/.*, '//; s/'//" | sort -u); do
  if ! grep -qx "$symbol" <<<"$exported"; then
    echo "symbols: $symbol is not exported unmangled from $lib"
    status=1
  fi
  if [[ $symbol != Pg_magic_func && $symbol != _PG_init ]] && ! grep -qx "pg_finfo_$symbol" <<<"$exported"; then
    echo "symbols: pg_finfo_$symbol is missing (PG_FUNCTION_INFO_V1 not applied?)"
    status=1
  fi
done
if ! ldd "$lib" | grep -q 'libstdc++'; then
  echo "symbols: $lib does not link libstdc++"
  status=1
fi
((status == 0)) && echo "symbols: $(wc -w <<<"$exported") exported, entry points unmangled, libstdc++ linked"
exit $status
