#!/usr/bin/env bash
# Before and after: the whole study of the first version of this crate (commit 8c70186,
# before any performance work) against the current one on both cores and on one
# (RAYON_NUM_THREADS=1), run in turn N times on the same machine, so all see the same load.
# Writes `perf.before_after` of book/src/generated/numbers.json.
#
#   bash benches/before_after.sh [N]      # default N = 3; the first build takes a few minutes
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
first=8c70186
old=target/before-after/$first
if [ ! -x "$old/target/release/ae-mlp" ]; then
    mkdir -p "$old"
    git archive "$first" | tar -x -C "$old"
    (cd "$old" && cargo build --release --quiet)
fi
cargo build --release --quiet --bin ae-mlp

# One run: "<wall s> <max RSS kB> <AE s/epoch> <codes s/epoch> <raw s/epoch> <codes acc> <raw acc>"
run() {
    local out
    out=$(/usr/bin/time -f "TIME %e %M" "$1" --quiet --out target/before-after/out 2>&1)
    local time ae codes raw
    time=$(grep '^TIME' <<<"$out" | awk '{print $2, $3}')
    ae=$(grep '^autoencoder (MSE)' <<<"$out" | awk '{print $NF}')
    codes=$(grep '^codes → MLP' <<<"$out" | awk '{print $NF, $(NF-1)}')
    raw=$(grep '^pixels → MLP' <<<"$out" | awk '{print $NF, $(NF-1)}')
    echo "$time $ae ${codes%% *} ${raw%% *} ${codes#* } ${raw#* }"
}
: >target/before-after/runs.txt
for i in $(seq 1 "$runs"); do
    for which in before now now1; do
        bin=target/release/ae-mlp threads=$(nproc)
        [ $which = before ] && bin=$old/target/release/ae-mlp
        [ $which = now1 ] && threads=1
        line="$which $(RAYON_NUM_THREADS=$threads run $bin) $(cut -d' ' -f1 /proc/loadavg)"
        echo "$line" | tee -a target/before-after/runs.txt
    done
done

# min / median of each column, per version
python3 - "$runs" <<'EOF'
import sys, subprocess
rows = [l.split() for l in open("target/before-after/runs.txt")]
cols = {"before": [], "now": [], "now1": []}
for r in rows:
    cols[r[0]].append(r[1:])
def mm(which, i, fmt, scale=1):
    v = sorted(float(r[i]) / scale for r in cols[which])
    return f"{fmt.format(v[0])} / {fmt.format(v[len(v) // 2])}"
def same(which, i):
    return ", ".join(sorted({r[i] for r in cols[which]}))
date = subprocess.run(["date", "-u", "+%Y-%m-%d %H:%M UTC"], capture_output=True, text=True).stdout.strip()
loads = ", ".join(r[-1] for r in rows)
lines = [
    "| whole study (`cargo run --release`) | first version (8c70186), 2 threads | now, 2 threads | now, 1 thread |",
    "|---|---|---|---|",
    f"| wall time, min / median (s) | {mm('before', 0, '{:.1f}')} | {mm('now', 0, '{:.1f}')} | {mm('now1', 0, '{:.1f}')} |",
    f"| peak RSS, min / median (MB) | {mm('before', 1, '{:.0f}', 1024)} | {mm('now', 1, '{:.0f}', 1024)} | {mm('now1', 1, '{:.0f}', 1024)} |",
    f"| autoencoder, s per epoch (median of 15), min / median over runs | {mm('before', 2, '{:.3f}')} | {mm('now', 2, '{:.3f}')} | {mm('now1', 2, '{:.3f}')} |",
    f"| codes MLP, s per epoch, min / median | {mm('before', 3, '{:.3f}')} | {mm('now', 3, '{:.3f}')} | {mm('now1', 3, '{:.3f}')} |",
    f"| raw-pixel MLP, s per epoch, min / median | {mm('before', 4, '{:.3f}')} | {mm('now', 4, '{:.3f}')} | {mm('now1', 4, '{:.3f}')} |",
    f"| codes MLP test accuracy | {same('before', 5)} | {same('now', 5)} | {same('now1', 5)} |",
    f"| raw-pixel MLP test accuracy | {same('before', 6)} | {same('now', 6)} | {same('now1', 6)} |",
    "",
    f"Measured by `bash benches/before_after.sh {sys.argv[1]}` on {date}: the three in turn, "
    f"{sys.argv[1]} runs each; 1-minute load average at the end of each run: {loads}.",
]
open("target/before-after/table.md", "w").write("\n".join(lines))
print("\n".join(lines))
EOF
cargo book set perf.before_after target/before-after/table.md
