#!/usr/bin/env bash
# Byte-for-byte check of what the CLI writes, between two builds of borderflow: `run` CSVs and
# printed summaries, `compare` CSVs, `doc`, ensemble bands and headline percentiles, and the
# sensitivity tables, for every shipped scenario.
#
#   scripts/compare_outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Writes WORKDIR/old and WORKDIR/new (default: a temporary folder) and diffs them; exits 1 when
# any file differs. Outputs are not kept in the repository: the model changes in parallel work.
set -euo pipefail
old=$1
new=$2
work=${3:-$(mktemp -d)}
cd "$(dirname "$0")/.."
scenarios=(scenarios/*.ron scenarios/stress/*.ron)
# The outputs `compare` writes: what a planner reads.
outputs=("Mainland visitor arrivals" "Shenzhen land crossings" "Trade index" "Connect turnover"
    "Cross-border professionals" "Joint research projects")
compare_args=()
for o in "${outputs[@]}"; do compare_args+=(--output "$o"); done

outputs_of() {
    local bin=$1 out=$2
    mkdir -p "$out"
    "$bin" doc >"$out/doc.md"
    for s in "${scenarios[@]}"; do
        local name=${s//\//_}
        "$bin" run "$s" --csv "$out/$name.run.csv" >"$out/$name.run.txt" 2>&1
        "$bin" run "$s" >"$out/$name.summary.txt" 2>&1
        "$bin" compare scenarios/baseline-2022-10.ron "$s" "${compare_args[@]}" \
            --csv "$out/$name.compare.csv" >/dev/null 2>&1
        # Its stderr says how long it took: not compared.
        "$bin" ensemble "$s" --members 40 --seed 7 --csv "$out/$name.ensemble.csv" \
            >/dev/null 2>&1
    done
    for m in date50 date90 visitors_lost trade_lost; do
        "$bin" sensitivity scenarios/baseline-2022-10.ron --metric "$m" \
            --csv "$out/sensitivity.$m.csv" >/dev/null 2>&1
    done
}

[ -d "$work/old" ] || outputs_of "$old" "$work/old"
outputs_of "$new" "$work/new"
files=$(find "$work/old" -type f | wc -l)
if diff -r "$work/old" "$work/new" >"$work/diff.txt"; then
    echo "identical: $files files ($work/old vs $work/new)"
else
    echo "DIFFERENT: see $work/diff.txt"
    head -40 "$work/diff.txt"
    exit 1
fi
