#!/usr/bin/env bash
# Quality benchmark (issue 8): every shared person dataset plus the project's own generator, in
# one throwaway PostgreSQL cluster. For each dataset, three usermatch configurations, each scored
# once down to min_probability 0.001:
#   default            the hand profile in bench/profiles at its defaults (and, in its own column,
#                      the same profile with "threshold": "auto", run at the threshold it resolves)
#   trained            after usermatch.train on the same data (no labels)
#   suggested+trained  suggest_profile on the data without its truth column, then train
# and for each: pairwise P / R / F1 at the profile's threshold, and the BEST F1 over all
# thresholds on the same scored pairs (ranking quality, apart from calibration). Beside them the
# hand-written pg_trgm + fuzzystrmatch baseline, oracle-tuned (its best F1 over a grid).
#
#   bench/quality.sh                            every dataset (~15-25 min on a busy 2-core box)
#   DATASETS="febrl1 nc20" bench/quality.sh     a subset
#
# Datasets: febrl1 febrl2 febrl3 febrl4 zingg20k fake1000 hist50k nc20 nc40 users20k real20k
#   (nc20 / nc40: NC voters, 5 sources unioned, 20% / 40% corrupted; users20k: generate_users
#   'clean'; real20k: generate_users 'realistic').
# Output: the table on stdout, and bench/results/quality-<UTC time>.{json,md} (+ quality-latest.*).
# Environment: USERMATCH_DATASETS (default ../shared/datasets), UM_BENCH_PORT (default 54332),
#   UM_BENCH_NO_BUILD=1 (use the installed extension), UM_BENCH_USERS (generated rows, 20000),
#   UM_BENCH_BASELINE=0 (skip the pg_trgm baseline).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_machine
all="febrl1 febrl2 febrl3 febrl4 zingg20k fake1000 hist50k nc20 nc40 users20k real20k"
DATASETS=${DATASETS:-$all}
users=${UM_BENCH_USERS:-20000}
for ds in $DATASETS; do
  [[ " $all " == *" $ds "* ]] || { echo "unknown dataset '$ds' (known: $all)" >&2; exit 2; }
done
echo "# reproduce: DATASETS=\"$DATASETS\" USERMATCH_DATASETS=$datasets UM_BENCH_PORT=$UM_PORT bench/quality.sh"
bench_start
sql -f "$repo/bench/sql/quality_lib.sql" >/dev/null
for p in febrl users users_realistic splink_fake_1000 splink_historical_50k nc_voters; do
  sql -v name="$p" -v spec="$(cat "$repo/bench/profiles/$p.json")" <<<"SELECT usermatch.create_profile(:'name', :'spec'::jsonb);" >/dev/null
done

need() { [[ -e $1 ]] || { echo "missing $1 (set USERMATCH_DATASETS)" >&2; exit 1; }; }

# FEBRL: ", " separator, CRLF in 4a, no quotes; all columns as text, empty = NULL.
febrl_cols="rec_id text, given_name text, surname text, street_number text, address_1 text, address_2 text,
  suburb text, postcode text, state text, date_of_birth text, soc_sec_id text"
load_febrl() {  # table file [header true|false]
  need "$2"
  sql -c "CREATE TABLE $1 ($febrl_cols)"
  sed -e 's/\r$//' -e 's/^ *//' -e 's/ *$//' -e 's/ *, */,/g' "$2" |
    sql -c "COPY $1 FROM STDIN (FORMAT csv, HEADER ${3:-true})"
}
febrl_truth() {  # truth-table left [right]: the entity is N in rec-N-org / rec-N-dup-k
  local right=""
  [[ -n ${3:-} ]] && right="UNION ALL SELECT rec_id, substring(rec_id FROM '^rec-(\d+)-'), 1 FROM $3"
  sql -c "CREATE TABLE $1 AS SELECT rec_id id, substring(rec_id FROM '^rec-(\d+)-') entity, 0 side FROM $2 $right"
}
febrl_baseline() {  # name source(s)
  local t=$1 src=$2
  sql -c "CREATE TABLE $t AS SELECT rec_id id, side, lower(concat_ws(' ', given_name, surname)) name_key,
    date_of_birth dob, soc_sec_id id1, NULL::text id2, NULL::text id3,
    lower(concat_ws(' ', street_number, address_1, address_2, suburb, postcode)) addr FROM $src"
}

# Loads dataset $1 and sets: profile source right truth sg_left sg_right bl link floor cuts.
load() {
  right=NULL sg_right=NULL link=false floor=0.3 cuts='{0.3,0.4,0.5,0.6,0.7}'
  case $1 in
    febrl1|febrl2|febrl3)
      local n=${1#febrl}
      load_febrl "$1" "$datasets/febrl/dataset$n.csv"
      febrl_truth "$1_truth" "$1"
      febrl_baseline "bl_$1" "(SELECT 0 side, * FROM $1) s"
      profile=febrl source=$1 truth=$1_truth sg_left=$1 ;;
    febrl4)
      load_febrl febrl4a "$datasets/febrl/dataset4a.csv"
      load_febrl febrl4b "$datasets/febrl/dataset4b.csv"
      febrl_truth febrl4_truth febrl4a febrl4b
      febrl_baseline bl_febrl4 "(SELECT 0 side, * FROM febrl4a UNION ALL SELECT 1, * FROM febrl4b) s"
      profile=febrl source=febrl4a right=febrl4b truth=febrl4_truth sg_left=febrl4a sg_right=febrl4b link=true ;;
    zingg20k)
      load_febrl zingg20k "$datasets/febrl_20k_zingg/febrl_20k_sample.csv" false
      febrl_truth zingg20k_truth zingg20k
      febrl_baseline bl_zingg20k "(SELECT 0 side, * FROM zingg20k) s"
      profile=febrl source=zingg20k truth=zingg20k_truth sg_left=zingg20k ;;
    fake1000)
      need "$datasets/splink_fake_1000/fake_1000.csv"
      sql -c "CREATE TABLE fake1000 (unique_id text, first_name text, surname text, dob text, city text, email text, cluster text)"
      sql -c "COPY fake1000 FROM STDIN (FORMAT csv, HEADER true)" <"$datasets/splink_fake_1000/fake_1000.csv"
      sql -c "CREATE TABLE fake1000_truth AS SELECT unique_id id, cluster entity, 0 side FROM fake1000;
              CREATE VIEW fake1000_data AS SELECT unique_id, first_name, surname, dob, city, email FROM fake1000;
              CREATE TABLE bl_fake1000 AS SELECT unique_id id, 0 side, lower(concat_ws(' ', first_name, surname)) name_key,
                bl_date(dob) dob, lower(email) id1, NULL::text id2, NULL::text id3, lower(city) addr FROM fake1000"
      profile=splink_fake_1000 source=fake1000 truth=fake1000_truth sg_left=fake1000_data ;;
    hist50k)
      need "$datasets/splink_historical_50k/historical_figures_with_errors_50k.csv"
      sql -c "CREATE TABLE hist50k (unique_id text, cluster text, full_name text, first_and_surname text, first_name text,
                surname text, dob text, birth_place text, postcode_fake text, gender text, occupation text)"
      sql -c "COPY hist50k FROM STDIN (FORMAT csv, HEADER true)" <"$datasets/splink_historical_50k/historical_figures_with_errors_50k.csv"
      sql -c "CREATE TABLE hist50k_truth AS SELECT unique_id id, cluster entity, 0 side FROM hist50k;
              CREATE VIEW hist50k_data AS SELECT unique_id, full_name, first_and_surname, first_name, surname, dob,
                birth_place, postcode_fake, gender, occupation FROM hist50k;
              CREATE TABLE bl_hist50k AS SELECT unique_id id, 0 side, lower(concat_ws(' ', first_name, surname)) name_key,
                bl_date(dob) dob, lower(postcode_fake) id1, NULL::text id2, NULL::text id3,
                lower(concat_ws(' ', birth_place, occupation)) addr FROM hist50k"
      profile=splink_historical_50k source=hist50k truth=hist50k_truth sg_left=hist50k_data floor=0.5 cuts='{0.5,0.6,0.7,0.8}' ;;
    nc20|nc40)
      # NC voters: 5 sources (parties) unioned into one table, ids party:recid; recid is the entity.
      local level=${1#nc} p
      sql -c "CREATE TABLE $1 (id text, givenname text, surname text, suburb text, postcode text)"
      for p in 0 1 2 3 4; do
        local f="$datasets/nc_voters_5party_5k/ncvr_numrec_5000_modrec_2_ocp_${level}_myp_${p}_nump_5.csv"
        need "$f"
        sed -e '1d' -e 's/\r$//' -e "s/^/$p:/" "$f" | sql -c "COPY $1 FROM STDIN (FORMAT csv)"
      done
      sql -c "CREATE TABLE $1_truth AS SELECT id, split_part(id, ':', 2) entity, 0 side FROM $1;
              CREATE TABLE bl_$1 AS SELECT id, 0 side, lower(concat_ws(' ', givenname, surname)) name_key,
                NULL::text dob, NULL::text id1, NULL::text id2, NULL::text id3,
                lower(concat_ws(' ', suburb, postcode)) addr FROM $1"
      profile=nc_voters source=$1 truth=$1_truth sg_left=$1 ;;
    users20k|real20k)
      local preset=clean p=users
      [[ $1 == real20k ]] && preset=realistic p=users_realistic
      sql -c "CREATE TABLE $1 AS SELECT * FROM usermatch.generate_users($users, 1, 0.3, 0.5, '$preset');
              CREATE TABLE $1_truth AS SELECT user_id id, entity_id entity, 0 side FROM $1;
              CREATE TABLE bl_$1 AS SELECT user_id id, 0 side, lower(full_name) name_key, bl_date(birth_date) dob,
                nullif(right(regexp_replace(phone, '\D', '', 'g'), 9), '') id1, lower(trim(email)) id2,
                upper(id_number) id3, lower(concat_ws(' ', address, city)) addr FROM $1"
      if [[ $preset == clean ]]; then
        sql -c "CREATE VIEW $1_data AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM $1"
      else
        sql -c "CREATE VIEW $1_data AS SELECT user_id, full_name, phone, email, birth_date, id_number, city, gender,
                  address, country FROM $1"
      fi
      profile=$p source=$1 truth=$1_truth sg_left=$1_data ;;
  esac
}

q() { [[ $1 == NULL ]] && echo NULL || echo "'$1'"; }
for ds in $DATASETS; do
  start=$SECONDS
  load "$ds"
  sql -c "ANALYZE" >/dev/null
  PGOPTIONS="-c client_min_messages=warning" \
    sql -c "SELECT bench_dataset('$ds', '$profile', '$source', $(q $right), '$truth', '$sg_left', $(q $sg_right))" >/dev/null
  if [[ ${UM_BENCH_BASELINE:-1} != 0 ]]; then
    sql -c "SET statement_timeout = '10min'; SELECT bench_table_baseline('$ds', 'bl_$ds', '$truth', $link, $floor, '$cuts')" >/dev/null ||
      echo "baseline on $ds failed or timed out (10 min)"
  fi
  sql -At -c "SELECT format('== %s: %s records, %s true pairs; F1 default %s (best %s, auto %s), trained %s (best %s), suggested+trained %s (best %s)%s, baseline %s  [%s s]',
                dataset, records, true_pairs, round(d_f1::numeric, 3), round(d_best_f1::numeric, 3), round(da_f1::numeric, 3), round(t_f1::numeric, 3),
                round(t_best_f1::numeric, 3), round(s_f1::numeric, 3), round(s_best_f1::numeric, 3),
                coalesce(' (' || s_note || ')', ''), round(bl_f1::numeric, 3), $SECONDS - $start) FROM bench_table WHERE dataset = '$ds'"
done

echo
echo "F1 at the profile's threshold (precision/recall), and the best F1 over all thresholds on the same"
echo "scored pairs (min_probability >= 0.001). default, auto: the hand profile with \"threshold\": \"auto\""
echo "(its untrained weights' expected-F1 threshold). trained: usermatch.train on the same data, no labels."
echo "suggested+trained: suggest_profile on the data without its truth column, then train."
echo "baseline: pg_trgm GIN + % candidates (plus id1 equality), score = name similarity + dob/id agreement"
echo "+ address similarity, thresholds ORACLE-TUNED against the truth (an upper bound for that query)."
sql -c "SELECT dataset, task, records, true_pairs,
          format('%s (%s/%s)', round(d_f1::numeric, 3), round(d_p::numeric, 2), round(d_r::numeric, 2)) AS \"default F1 (P/R)\",
          round(d_best_f1::numeric, 3) AS \"best\",
          format('%s (%s/%s)', round(da_f1::numeric, 3), round(da_p::numeric, 2), round(da_r::numeric, 2)) AS \"default, auto F1 (P/R)\",
          format('%s (%s/%s)', round(t_f1::numeric, 3), round(t_p::numeric, 2), round(t_r::numeric, 2)) AS \"trained F1 (P/R)\",
          round(t_best_f1::numeric, 3) AS \"best \",
          coalesce(format('%s (%s/%s)', round(s_f1::numeric, 3), round(s_p::numeric, 2), round(s_r::numeric, 2)), 'failed') AS \"suggested+trained F1 (P/R)\",
          round(s_best_f1::numeric, 3) AS \"best  \",
          round(bl_f1::numeric, 3) AS \"baseline F1\",
          round(d_seconds::numeric, 1) AS \"default s\", round(t_seconds::numeric, 1) AS \"train+run s\",
          round(s_seconds::numeric, 1) AS \"suggest+train+run s\"
        FROM bench_table ORDER BY array_position(string_to_array('$all', ' '), dataset)"

mkdir -p "$repo/bench/results"
stamp=$(date -u +%Y%m%dT%H%MZ)
{
  echo "<!-- $(bench_machine | sed 's/^# //'); DATASETS=\"$DATASETS\" bench/quality.sh -->"
  sql -At -c "SELECT bench_table_markdown()"
} >"$repo/bench/results/quality-$stamp.md"
sql -At -c "SELECT jsonb_pretty(jsonb_build_object('machine', '$(bench_machine | sed "s/^# //; s/'/''/g")',
  'datasets', '$DATASETS', 'floor', bench_floor(), 'rows', bench_table_json()))" >"$repo/bench/results/quality-$stamp.json"
cp "$repo/bench/results/quality-$stamp.md" "$repo/bench/results/quality-latest.md"
cp "$repo/bench/results/quality-$stamp.json" "$repo/bench/results/quality-latest.json"
echo
cat "$repo/bench/results/quality-$stamp.md"
echo "written: bench/results/quality-$stamp.{json,md}"
