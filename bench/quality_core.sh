#!/usr/bin/env bash
# Pairwise quality of training on the shared person datasets, with the core-only CLI (no PostgreSQL):
# one table, one row per dataset and build: default F1, default best-threshold F1, trained F1,
# trained best-threshold F1, suggest_profile + train F1.
#
#   bench/quality_core.sh [NEW_BUILD_DIR [BASE_BUILD_DIR [MIDDLE_BUILD_DIR]]]
#
# NEW_BUILD_DIR (default build-rel) and BASE_BUILD_DIR (optional: a build of an older commit, e.g.
# `git archive <commit> | tar -x -C /tmp/base && cmake -S /tmp/base -B /tmp/base/build-rel ...`)
# each hold um_train; MIDDLE_BUILD_DIR (optional, e.g. the current main) is run between them, labelled "middle". Datasets: $UM_DATASETS (default ../shared/datasets, see its README); the
# prepared CSVs go to $UM_QUALITY_TMP (default /tmp/um-quality-core). ONLY=<regex>: the datasets whose
# name matches (e.g. ONLY='realistic|nc_voters').
set -euo pipefail
cd "$(dirname "$0")/.."
NEW=${1:-build-rel}
BASE=${2:-}
MIDDLE=${3:-}
DATA=${UM_DATASETS:-../shared/datasets}
[ -d "$DATA" ] || DATA=/work/shared/datasets
TMP=${UM_QUALITY_TMP:-/tmp/um-quality-core}
THREADS=${UM_THREADS:-2}
mkdir -p "$TMP"

# Preparation: headers where missing, NC voters' 5 parties unioned per corruption level.
{ echo "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id"
  cat "$DATA/febrl_20k_zingg/febrl_20k_sample.csv"; } > "$TMP/febrl_20k.csv"
for level in 20 40; do
  out="$TMP/nc_voters_$level.csv"
  echo "id,recid,givenname,surname,suburb,postcode" > "$out"
  for p in 0 1 2 3 4; do
    tail -n +2 "$DATA/nc_voters_5party_5k/ncvr_numrec_5000_modrec_2_ocp_${level}_myp_${p}_nump_5.csv" |
      awk -v p="$p" -F, 'NF { sub(/\r$/, ""); print "p" p ":" $0 }' |
      awk -F, -v OFS=, '{ split($1, a, ":"); print $1, a[2], $2, $3, $4, $5 }' >> "$out"
  done
done

# The realistic generator as bench/quality.sh makes it: generate_users(20000, 1, 0.3, 0.5, 'realistic').
"$NEW/um_generate" --rows 20000 --seed 1 --duplicate-rate 0.3 --chinese-share 0.5 --preset realistic \
  --out "$TMP/realistic_20k.csv" 2>/dev/null

F=(--truth-regex '^rec-(\d+)-')
# name | profile | um_train data arguments (truth included)
DATASETS=(
  "febrl1|febrl|--left $DATA/febrl/dataset1.csv ${F[*]}"
  "febrl2|febrl|--left $DATA/febrl/dataset2.csv ${F[*]}"
  "febrl3|febrl|--left $DATA/febrl/dataset3.csv ${F[*]}"
  "febrl4 (link)|febrl|--left $DATA/febrl/dataset4a.csv --right $DATA/febrl/dataset4b.csv ${F[*]}"
  "febrl_20k_zingg|febrl|--left $TMP/febrl_20k.csv ${F[*]}"
  "splink_fake_1000|splink_fake_1000|--left $DATA/splink_fake_1000/fake_1000.csv --truth-column cluster"
  "splink_historical_50k|splink_historical_50k|--left $DATA/splink_historical_50k/historical_figures_with_errors_50k.csv --truth-column cluster"
  "nc_voters 20%|nc_voters|--left $TMP/nc_voters_20.csv --truth-column recid"
  "nc_voters 40%|nc_voters|--left $TMP/nc_voters_40.csv --truth-column recid"
  "realistic 20k|users_realistic|--left $TMP/realistic_20k.csv --truth-column entity_id"
)

val() { grep "^$1" "$2" | head -1 | awk '{print $NF}'; }

printf '| dataset | build | default F1 | default best-F1 | trained F1 | trained best-F1 | trained threshold | suggested+trained F1 | suggested+trained best-F1 |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for row in "${DATASETS[@]}"; do
  IFS='|' read -r name profile args <<< "$row"
  [[ -z ${ONLY:-} || $name =~ $ONLY ]] || continue
  for build in ${BASE:+"$BASE:before"} ${MIDDLE:+"$MIDDLE:middle"} "$NEW:after"; do
    dir=${build%:*}; label=${build##*:}
    log="$TMP/$(echo "$name-$label" | tr -c 'a-zA-Z0-9_\n-' _).log"
    # shellcheck disable=SC2086
    nice "$dir/um_train" --profile "bench/profiles/$profile.json" $args --threads "$THREADS" > "$log" 2>&1 ||
      { echo "| $name | $label | failed: see $log |"; continue; }
    # shellcheck disable=SC2086
    nice "$dir/um_train" --suggest $args --exclude recid --threads "$THREADS" > "$log.suggest" 2>&1 || true
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$label" "$(val 'F1 default' "$log")" \
      "$(val 'best-F1 default' "$log")" "$(val 'F1 trained' "$log")" "$(val 'best-F1 trained' "$log")" \
      "$(val 'trained threshold' "$log")" "$(val 'F1 trained' "$log.suggest")" \
      "$(val 'best-F1 trained' "$log.suggest" | sed 's/.*F1 //')"
  done
done
