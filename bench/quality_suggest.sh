#!/usr/bin/env bash
# Pairwise F1 on the shared person datasets with the core-only CLI (no PostgreSQL): the hand profile
# in bench/profiles (default weights, then trained) and suggest_profile (default weights, then
# trained), for one or two builds of um_train.
#
#   bench/quality_suggest.sh [NEW_BUILD_DIR [BASE_BUILD_DIR]]
#
# Datasets: $UM_DATASETS (default ../shared/datasets); prepared CSVs go to $UM_QUALITY_TMP.
set -euo pipefail
cd "$(dirname "$0")/.."
NEW=${1:-build-rel}
BASE=${2:-}
DATA=${UM_DATASETS:-../shared/datasets}
[ -d "$DATA" ] || DATA=/work/shared/datasets
TMP=${UM_QUALITY_TMP:-/tmp/um-quality-suggest}
THREADS=${UM_THREADS:-2}
mkdir -p "$TMP"

{ echo "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id"
  cat "$DATA/febrl_20k_zingg/febrl_20k_sample.csv"; } > "$TMP/febrl_20k.csv"
for level in 20 40; do
  out="$TMP/nc_voters_$level.csv"
  echo "id,recid,givenname,surname,suburb,postcode" > "$out"
  for p in 0 1 2 3 4; do
    tail -n +2 "$DATA/nc_voters_5party_5k/ncvr_numrec_5000_modrec_2_ocp_${level}_myp_${p}_nump_5.csv" |
      awk -v p="$p" -F, -v OFS=, 'NF { sub(/\r$/, ""); print "p" p ":" $1, $0 }' >> "$out"
  done
done

F=(--truth-regex '^rec-(\d+)-')
# name | hand profile | um_train data arguments (truth included)
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
)
[ -n "${UM_ONLY:-}" ] && mapfile -t DATASETS < <(printf '%s\n' "${DATASETS[@]}" | grep -E "$UM_ONLY")

val() { grep "^$1" "$2" | head -1 | awk '{print $NF}'; }

printf '| dataset | build | default | trained | suggest | suggest + train |\n|---|---|---|---|---|---|\n'
for row in "${DATASETS[@]}"; do
  IFS='|' read -r name profile args <<< "$row"
  for build in ${BASE:+"$BASE:before"} "$NEW:after"; do
    dir=${build%:*}; label=${build##*:}
    log="$TMP/$(echo "$name-$label" | tr -c 'a-zA-Z0-9_\n-' _).log"
    # shellcheck disable=SC2086
    nice "$dir/um_train" --profile "bench/profiles/$profile.json" $args --threads "$THREADS" > "$log" 2>&1 || true
    # shellcheck disable=SC2086
    nice "$dir/um_train" --suggest $args --exclude recid --threads "$THREADS" > "$log.suggest" 2>&1 || true
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$label" "$(val 'F1 default' "$log")" \
      "$(val 'F1 trained' "$log")" "$(val 'F1 default' "$log.suggest")" "$(val 'F1 trained' "$log.suggest")"
  done
done
