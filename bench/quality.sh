#!/usr/bin/env bash
# Quality benchmark: usermatch against a hand-written pg_trgm + fuzzystrmatch query, on datasets
# with ground truth, all loaded into one throwaway PostgreSQL cluster in the same run.
# Prints per dataset pairwise precision / recall / F1, a cluster-level F1 (pairs implied by
# usermatch.clusters) and wall times, then a summary table.
#   bench/quality.sh                 (datasets from $USERMATCH_DATASETS, default ../shared/datasets)
# Environment: UM_BENCH_PORT (default 54332), UM_BENCH_NO_BUILD=1 (use the installed extension),
#   UM_BENCH_USERS (generated users, default 20000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_machine
users=${UM_BENCH_USERS:-20000}
echo "# reproduce: USERMATCH_DATASETS=$datasets UM_BENCH_PORT=$UM_PORT bench/quality.sh"
[[ -d $datasets/febrl ]] || { echo "datasets not found in $datasets (set USERMATCH_DATASETS)" >&2; exit 1; }
bench_start

# FEBRL: ", " separator, CRLF in 4a, no quotes; all columns as text, empty = NULL.
febrl_cols="rec_id text, given_name text, surname text, street_number text, address_1 text, address_2 text,
  suburb text, postcode text, state text, date_of_birth text, soc_sec_id text"
load_febrl() {  # table file
  sql -c "CREATE TABLE $1 ($febrl_cols)"
  sed -e 's/\r$//' -e 's/^ *//' -e 's/ *$//' -e 's/ *, */,/g' "$2" |
    sql -c "COPY $1 FROM STDIN (FORMAT csv, HEADER true)"
}
load_febrl febrl1 "$datasets/febrl/dataset1.csv"
load_febrl febrl2 "$datasets/febrl/dataset2.csv"
load_febrl febrl3 "$datasets/febrl/dataset3.csv"
load_febrl febrl4a "$datasets/febrl/dataset4a.csv"
load_febrl febrl4b "$datasets/febrl/dataset4b.csv"
sql -c "CREATE TABLE fake1000 (unique_id text, first_name text, surname text, dob text, city text, email text, cluster text)"
sql -c "COPY fake1000 FROM STDIN (FORMAT csv, HEADER true)" <"$datasets/splink_fake_1000/fake_1000.csv"
sql -c "CREATE TABLE hist50k (unique_id text, cluster text, full_name text, first_and_surname text, first_name text,
  surname text, dob text, birth_place text, postcode_fake text, gender text, occupation text)"
sql -c "COPY hist50k FROM STDIN (FORMAT csv, HEADER true)" \
  <"$datasets/splink_historical_50k/historical_figures_with_errors_50k.csv"
sql -c "CREATE TABLE users20k AS SELECT * FROM usermatch.generate_users($users, 1)"

for p in febrl users splink_fake_1000 splink_historical_50k; do
  sql -v name="$p" -v spec="$(cat "$repo/bench/profiles/$p.json")" <<<"SELECT usermatch.create_profile(:'name', :'spec'::jsonb);" >/dev/null
done
sql -f "$repo/bench/sql/quality_lib.sql"
sql -f "$repo/bench/sql/quality_load.sql"
sql -c "VACUUM ANALYZE"

# One dataset: usermatch (dedupe or link, then clusters), then the baseline on the same data.
run() {  # dataset profile source right(or NULL) cluster_source link sim_floor sim_cuts
  local ds=$1 right=NULL
  [[ $4 != NULL ]] && right="'$4'"
  echo "== $ds"
  PGOPTIONS="-c client_min_messages=warning" sql -c "SELECT bench_usermatch('$ds', '$2', '$3', $right, '${ds}_truth', '$5')" >/dev/null
  sql -c "SELECT bench_usermatch_oracle('$ds', '$2', '$3', $right, '${ds}_truth')" >/dev/null
  PGOPTIONS="-c client_min_messages=warning" sql -c "SELECT bench_usermatch_trained('$ds', '$2', '$3', $right, '${ds}_truth')" >/dev/null
  if [[ -n ${9:-} ]]; then
    PGOPTIONS="-c client_min_messages=warning" sql -c "SELECT bench_usermatch_suggested('$ds', '$9', '${ds}_truth')" >/dev/null
  fi
  sql -c "SET statement_timeout = '10min'; SELECT bench_baseline('$ds', 'bl_$ds', '${ds}_truth', $6, $7, '$8')" >/dev/null ||
    echo "baseline on $ds failed or timed out (10 min)"
  sql -c "SELECT dataset, records, true_pairs, round(um_p::numeric, 4) um_p, round(um_r::numeric, 4) um_r,
            round(um_f1::numeric, 4) um_f1, round(um_seconds::numeric, 2) um_s,
            round(um_cluster_f1::numeric, 4) um_cluster_f1, round(um_cluster_seconds::numeric, 2) um_cluster_s,
            round(um_oracle_f1::numeric, 4) um_oracle_f1, um_oracle_tuning,
            round(tr_p::numeric, 4) trained_p, round(tr_r::numeric, 4) trained_r, round(tr_f1::numeric, 4) trained_f1,
            round(tr_seconds::numeric, 2) train_s, round(sg_f1::numeric, 4) suggested_trained_f1, round(bl_p::numeric, 4) bl_p,
            round(bl_r::numeric, 4) bl_r, round(bl_f1::numeric, 4) bl_f1, round(bl_seconds::numeric, 2) bl_s,
            bl_candidates, bl_tuning FROM bench_results WHERE dataset = '$ds'" -x
}
run febrl1 febrl febrl1 NULL febrl1 false 0.3 '{0.3,0.4,0.5,0.6,0.7}'
run febrl2 febrl febrl2 NULL febrl2 false 0.3 '{0.3,0.4,0.5,0.6,0.7}'
run febrl3 febrl febrl3 NULL febrl3 false 0.3 '{0.3,0.4,0.5,0.6,0.7}'
run febrl4 febrl febrl4a febrl4b febrl4_all true 0.3 '{0.3,0.4,0.5,0.6,0.7}'
run fake1000 splink_fake_1000 fake1000 NULL fake1000 false 0.3 '{0.3,0.4,0.5,0.6,0.7}'
sql -c "CREATE VIEW users20k_no_truth AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM users20k"
run users20k users users20k NULL users20k false 0.3 '{0.3,0.4,0.5,0.6,0.7}' users20k_no_truth
run hist50k splink_historical_50k hist50k NULL hist50k false 0.5 '{0.5,0.6,0.7,0.8}'

echo
echo "Summary. usermatch: profile from bench/profiles, default threshold. cluster F1: pairwise F1 of the"
echo "pairs implied by usermatch.clusters (FEBRL4: clusters of 4a+4b, cross pairs only)."
echo "baseline: pg_trgm GIN + % candidates (plus exact id1 equality), score = similarity(names) +"
echo "fuzzystrmatch agreement of dob/ids + similarity(address); its thresholds are ORACLE-TUNED"
echo "(best F1 against the truth over a grid), so its F1 is an upper bound for that query."
echo "usermatch oracle F1: the same oracle tuning applied to usermatch (best F1 over min_probability), for reference."
echo "trained F1: after usermatch.train on the same data (no labels), default threshold."
echo "suggested+trained F1: suggest_profile on the table without its truth column, then train, then dedupe."
echo "Times: usermatch = dedupe/link to a table; baseline = index + candidates + scores (tuning not counted)."
sql -c "SELECT dataset, records,
          format('%s %s %s', round(um_p::numeric, 3), round(um_r::numeric, 3), round(um_f1::numeric, 4)) AS \"usermatch P R F1\",
          round(um_cluster_f1::numeric, 4) AS \"cluster F1\",
          round(um_oracle_f1::numeric, 4) AS \"usermatch oracle F1\",
          round(tr_f1::numeric, 4) AS \"trained F1\", round(tr_seconds::numeric, 2) AS \"train s\",
          round(sg_f1::numeric, 4) AS \"suggested+trained F1\",
          format('%s %s %s', round(bl_p::numeric, 3), round(bl_r::numeric, 3), round(bl_f1::numeric, 4)) AS \"baseline P R F1\",
          round(um_seconds::numeric, 2) AS \"usermatch s\", round(bl_seconds::numeric, 2) AS \"baseline s\",
          CASE WHEN um_f1 > bl_f1 THEN 'usermatch' WHEN um_f1 < bl_f1 THEN 'BASELINE' ELSE 'tie' END AS \"higher F1 (default)\",
          CASE WHEN tr_f1 > bl_f1 THEN 'usermatch' WHEN tr_f1 < bl_f1 THEN 'BASELINE' ELSE 'tie' END AS \"higher F1 (trained)\",
          CASE dataset WHEN 'febrl4' THEN CASE WHEN um_f1 >= 0.99 THEN 'met (>= 0.99)' ELSE 'MISSED (>= 0.99)' END
                       WHEN 'febrl3' THEN CASE WHEN um_f1 >= 0.98 THEN 'met (>= 0.98)' ELSE 'MISSED (>= 0.98)' END
                       WHEN 'users20k' THEN CASE WHEN um_f1 >= 0.90 THEN 'met (>= 0.90)' ELSE 'MISSED (>= 0.90)' END
                       ELSE '' END AS \"F1 target\"
        FROM bench_results ORDER BY array_position(
          '{febrl1,febrl2,febrl3,febrl4,fake1000,users20k,hist50k}'::text[], dataset)"
