# Shared by the benchmark scripts: a throwaway cluster (destroyed on exit) with the peers we
# compare against, and a timing helper that runs a query several times and keeps the fastest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export UM_CLUSTER_DIR=${UM_BENCH_CLUSTER_DIR:-/tmp/usermatch-bench-$$}
export UM_PORT=${UM_BENCH_PORT:-54332}
datasets=${USERMATCH_DATASETS:-$repo/../shared/datasets}

# Builds and installs the extension (skip with UM_BENCH_NO_BUILD=1), starts the cluster, creates
# database usermatch_bench with usermatch and the peers, and exports PG* for psql.
bench_start() {
  if [[ -z ${UM_BENCH_NO_BUILD:-} ]]; then
    (cd "$repo" && make -s -j2 >/dev/null && if [[ $(id -u) -eq 0 ]]; then make -s install >/dev/null; else sudo make -s install >/dev/null; fi)
  fi
  trap '"$repo"/scripts/cluster.sh destroy >/dev/null 2>&1 || true' EXIT
  trap 'exit 130' INT TERM
  "$repo"/scripts/cluster.sh start >/dev/null
  eval "$("$repo"/scripts/cluster.sh env)"
  psql -X -q -d postgres -c "CREATE DATABASE usermatch_bench"
  export PGDATABASE=usermatch_bench
  psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION usermatch;
CREATE EXTENSION fuzzystrmatch;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION pg_similarity;
-- Runs a query `runs` times and returns the fastest wall time in milliseconds.
CREATE FUNCTION bench_ms(query text, runs int DEFAULT 3) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE started timestamptz; best double precision := 'Infinity';
BEGIN
  FOR i IN 1..runs LOOP
    started := clock_timestamp();
    EXECUTE query;
    best := least(best, extract(epoch FROM clock_timestamp() - started) * 1000);
  END LOOP;
  RETURN best;
END $$;
SQL
}

sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Machine line for the record: date, cores, CPU model, load.
bench_machine() {
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $(pg_config --version | cut -d' ' -f2)"
}
