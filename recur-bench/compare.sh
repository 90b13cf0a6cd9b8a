#!/usr/bin/env bash
# Recur's rb1 suite beside PyTorch's (recur-bench/pytorch/rb1.py): the same cases on the same thread count,
# interleaved case by case, one Markdown table per thread count with the ratio Recur / PyTorch (of throughput).
#
#   recur-bench/compare.sh [--processes 3] [--threads 2,1] [--cases lstm-small,...] [--modes forward,train]
#                          [--repeat 5] [--warmup 3] [--jdks /usr/lib/jvm/temurin-25-jdk-amd64,...]
#                          [--java-opts "-Xmx2g"] [--dtypes fp32,int8,bf16]
#
# --dtypes adds the forward rows with quantized weights: Recur's with `--dtype int8|bf16` (as recur quantize stores
# them), PyTorch's int8 with its own dynamic quantization (quantize_dynamic); PyTorch has no bf16 row. Each such row
# is compared with PyTorch's float32 row of the same case, and with PyTorch's int8 one where there is one.
#
# Recur's JVM runs with --java-opts (default -Xmx2g, passed as RECUR_JAVA_OPTS): left alone on this 24 GiB machine,
# G1 may grow the heap towards 6 GiB, and the peak RSS measures the collector's appetite rather than the work.
# Every case and mode runs in a process of its own (so its peak RSS is its own), PyTorch first, then Recur on each
# JDK, --processes times; the order of the implementations rotates from one round to the next. Before each run
# the script waits (up to a minute) for the machine to be idle. A cell of the table is the median over the
# processes of each process's median time. PyTorch runs through pytorch/torch-env.sh (OpenMP OpenBLAS; rb1.py
# refuses any other BLAS). The FMA peak comes from native/sgemm_bench --fma-peak (built as gemm-compare.sh does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$here/native/build"

processes=3
threads=2,1
cases=lstm-small,lstm-medium,gru-medium,rnn-medium,lstm-large,bilstm,infer-step,infer-step-gru,charlm
modes=forward,train
repeat=5
warmup=3
jdks=""
java_opts="-Xmx2g"
dtypes=fp32
while [[ $# -gt 0 ]]; do
    case "$1" in
        --processes) processes="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --cases) cases="$2"; shift 2 ;;
        --modes) modes="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --jdks) jdks="$2"; shift 2 ;;
        --java-opts) java_opts="$2"; shift 2 ;;
        --dtypes) dtypes="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | cut -c3-; exit 0 ;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# 1. The JDKs: 25 when present, and 17; Recur built once, before anything is timed.
homes=()
if [[ -n "$jdks" ]]; then
    IFS=, read -ra homes <<<"$jdks"
else
    for home in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-17-openjdk-amd64; do
        [[ -x "$home/bin/java" ]] && homes+=("$home")
    done
fi
[[ ${#homes[@]} -gt 0 ]] || { echo "compare.sh: no JDK found under /usr/lib/jvm" >&2; exit 1; }
JAVA_HOME="${homes[0]}" "$root/recur" --version >/dev/null

# 2. The FMA peak of one core, from the probe gemm-compare.sh builds (against Debian's OpenBLAS, unpacked locally).
bench="$build/sgemm_bench"
if [[ ! -x "$bench" ]]; then
    mkdir -p "$build/debs" "$build/root"
    (cd "$build/debs" && apt-get download libopenblas0-pthread libgfortran5 libquadmath0 >/dev/null 2>&1)
    for deb in "$build"/debs/*.deb; do dpkg-deb -x "$deb" "$build/root"; done
    lib="$(find "$build/root" -name 'libopenblas.so.0' -path '*openblas-pthread*' | head -n1)"
    libdirs="$(dirname "$lib"):$(find "$build/root" -name 'libgfortran.so.5' -printf '%h' -quit)"
    gcc -O2 -o "$bench" "$here/native/sgemm_bench.c" "$lib" -Wl,-rpath,"$libdirs"
fi
peak="$("$bench" --fma-peak | sed -n 's/^fma-peak: \([0-9.]*\) GFLOP.*/\1/p')"
echo "compare.sh: FMA peak ${peak} GFLOP/s per core" >&2

wait_idle() {  # waits until the CPUs were at most 10% busy over half a second, for a minute at most
    for _ in $(seq 1 120); do
        read -r _ u1 n1 s1 i1 w1 q1 sq1 _ < /proc/stat
        sleep 0.5
        read -r _ u2 n2 s2 i2 w2 q2 sq2 _ < /proc/stat
        local busy=$(( (u2 + n2 + s2 + q2 + sq2) - (u1 + n1 + s1 + q1 + sq1) ))
        local idle=$(( (i2 + w2) - (i1 + w1) ))
        (( busy * 10 <= busy + idle )) && return 0
    done
    echo "compare.sh: the machine stayed busy for a minute; timing anyway" >&2
}

out="$here/target/compare"
rm -rf "$out" && mkdir -p "$out"
impls=(pytorch "${homes[@]}")
IFS=, read -ra case_list <<<"$cases"
IFS=, read -ra mode_list <<<"$modes"
IFS=, read -ra thread_list <<<"$threads"
IFS=, read -ra dtype_list <<<"$dtypes"
common=(--repeat "$repeat" --warmup "$warmup")

# 3. Interleaved: per case, mode and thread count, every implementation in turn, round after round.
for round in $(seq 1 "$processes"); do
    for t in "${thread_list[@]}"; do
        for c in "${case_list[@]}"; do
            for m in "${mode_list[@]}"; do
              for d in "${dtype_list[@]}"; do
                [[ "$c" == infer-step* && "$m" == train ]] && continue
                [[ "$d" != fp32 && "$m" == train ]] && continue
                n=${#impls[@]}
                for k in $(seq 0 $((n - 1))); do
                    impl="${impls[$(( (k + round - 1) % n ))]}"
                    name="$(basename "$impl")"
                    [[ "$impl" == pytorch && "$d" == bf16 ]] && continue
                    file="$out/$name-$c-$m-$t-$d-$round.json"
                    wait_idle
                    echo "compare.sh: round $round, $t thread(s), $c $m $d, $name" >&2
                    if [[ "$impl" == pytorch ]]; then
                        "$here/pytorch/torch-env.sh" "$t" "$here/pytorch/rb1.py" --threads "$t" --case "$c" --mode "$m" --dtype "$d" \
                            "${common[@]}" --json "$file" >/dev/null 2>>"$out/pytorch.log"
                    else
                        JAVA_HOME="$impl" RECUR_JAVA_OPTS="$java_opts" "$root/recur" bench rb1 --threads "$t" --case "$c" --mode "$m" --dtype "$d" \
                            "${common[@]}" --quiet --json "$file" >/dev/null 2>>"$out/$name.log"
                    fi
                done
              done
            done
        done
    done
done
grep -h -m1 '^rb1.py: torch' "$out/pytorch.log" >&2 || true   # -m1, not | head: with pipefail a SIGPIPE ended the script
echo "compare.sh: Recur's JVM options: ${java_opts:-none}" >&2

# 4. One table per thread count.
python3 - "$out" "$peak" "${homes[@]}" <<'EOF2'
import glob, json, math, os, statistics, sys
out, peak, homes = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
runs = {}
for path in glob.glob(os.path.join(out, "*.json")):
    impl = os.path.basename(path).split("-")[0]
    impl = next((os.path.basename(h) for h in homes if os.path.basename(path).startswith(os.path.basename(h) + "-")), impl)
    for r in json.load(open(path)):
        runs.setdefault((impl, r["case"], r["mode"], r["threads"], r.get("dtype", "fp32")), []).append(r)
def med(impl, c, m, t, key, d="fp32"):
    rs = runs.get((impl, c, m, t, d))
    return statistics.median(r[key] for r in rs) if rs else None
def label(home):
    f = os.path.join(home, "release")
    v = [l.split("=")[1].strip('"') for l in open(f).read().splitlines() if l.startswith("JAVA_VERSION=")] if os.path.exists(f) else []
    return "JDK " + (v[0] if v else os.path.basename(home))
names = [os.path.basename(h) for h in homes]
labels = dict(zip(names, map(label, homes)))
order = ["lstm-small", "lstm-medium", "gru-medium", "rnn-medium", "lstm-large", "bilstm", "infer-step", "infer-step-gru", "charlm"]
dorder = ["fp32", "bf16", "int8"]
keys = sorted({k[1:] for k in runs}, key=lambda k: (-k[2], order.index(k[0]) if k[0] in order else 99, k[1], dorder.index(k[3])))
quantized = any(k[3] != "fp32" for k in keys)
for t in sorted({k[2] for k in keys}, reverse=True):
    n = len(runs.get(("pytorch",) + next(k for k in keys if k[2] == t and k[3] == "fp32"), []))
    print(f"\n### {t} thread(s): ms per iteration (median over {n} processes), Recur / PyTorch = PyTorch ms / Recur ms\n")
    head = ["case", "mode"] + (["weights"] if quantized else []) + ["PyTorch ms"] + [f"Recur {labels[x]} ms" for x in names] \
        + [f"Recur / PyTorch {labels[x]}" for x in names] + ([f"Recur / PyTorch fp32 {labels[x]}" for x in names] if quantized else [])
    head += [f"GFLOP/s {labels[names[0]]}", f"% of FMA peak ({t}×{peak:.0f})", "GFLOP/s PyTorch", "peak RSS MB PyTorch",
             f"peak RSS MB {labels[names[0]]}", "memory Recur / PyTorch"]
    print("| " + " | ".join(head) + " |")
    print("|---|---|" + ("---|" if quantized else "") + "---:|" * (len(head) - 2 - quantized))
    train = {x: [] for x in names}
    for (c, m, tt, d) in keys:
        if tt != t:
            continue
        p, p32 = med("pytorch", c, m, t, "ms_median", d), med("pytorch", c, m, t, "ms_median")
        row = [c, m] + ([d] if quantized else []) + [f"{p:.3f}" if p else "–"]
        ratios, ratios32 = [], []
        for x in names:
            r = med(x, c, m, t, "ms_median", d)
            row.append(f"{r:.3f}" if r else "–")
            ratios.append(p / r if p and r else None)
            ratios32.append(p32 / r if p32 and r else None)
            if p and r and m == "train":
                train[x].append(p / r)
        row += [f"**{q:.2f}×**" if q else "–" for q in ratios]
        if quantized:
            row += [f"{q:.2f}×" if q else "–" for q in ratios32]
        g, gp = med(names[0], c, m, t, "gflops", d), med("pytorch", c, m, t, "gflops", d)
        row += [f"{g:.1f}" if g else "–", f"{100 * g / (peak * t):.0f}%" if g else "–", f"{gp:.1f}" if gp else "–"]
        mp, mr = med("pytorch", c, m, t, "peak_rss_mb", d), med(names[0], c, m, t, "peak_rss_mb", d)
        row += [f"{mp:.0f}" if mp else "–", f"{mr:.0f}" if mr else "–", f"{mr / mp:.2f}" if mp and mr else "–"]
        print("| " + " | ".join(row) + " |")
    for x in names:
        if train[x]:
            gm = math.exp(sum(map(math.log, train[x])) / len(train[x]))
            print(f"\n{labels[x]}, {t} thread(s): geometric mean of the training rows' Recur / PyTorch = {gm:.2f}×", end="")
    print()
EOF2
