#!/usr/bin/env bash
# Recur's sgemm beside OpenBLAS's: the same shapes and thread counts, runs interleaved, one Markdown table.
#
#   recur-bench/gemm-compare.sh [--rounds 3] [--repeat R] [--threads 1,2] [--shapes 1024x1024x1024,...] [--no-scalar]
#
# Every round measures every shape and thread count with OpenBLAS and each JDK in turn. Other processes on the
# machine slow some runs down; for each cell the table keeps the round with the best median (the least disturbed).
# OpenBLAS comes from Debian's packages (libopenblas0-pthread and the Fortran runtime it links), fetched with
# `apt-get download` and unpacked into recur-bench/native/build/ (git-ignored), so nothing is installed. The C
# program declares the cblas prototypes itself and needs only gcc. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
# unset for the OpenBLAS process alone, so it picks its kernels for this CPU (it prints which). Recur runs on
# JDK 25 (if installed) and on JDK 17, through ./recur.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$here/native/build"

rounds=3
repeat=7
threads=1,2
shapes=512x512x512,1024x1024x1024,64x512x2048,64x1024x4096,6400x256x2048,1x512x2048
scalar=yes
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --repeat) repeat="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --shapes) shapes="$2"; shift 2 ;;
        --no-scalar) scalar=no; shift ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | cut -c3-; exit 0 ;;
        *) echo "gemm-compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# 1. OpenBLAS, unpacked from its Debian packages into $build/root.
packages=(libopenblas0-pthread libgfortran5 libquadmath0)
lib="$(find "$build/root" -name 'libopenblas.so.0' -path '*openblas-pthread*' 2>/dev/null | head -n1 || true)"
if [[ -z "$lib" ]]; then
    mkdir -p "$build/debs" "$build/root"
    echo "gemm-compare: fetching ${packages[*]} into $build" >&2
    if ! (cd "$build/debs" && apt-get download "${packages[@]}" >/dev/null 2>&1); then
        if [[ "$(id -u)" == 0 ]]; then apt-get update -qq >/dev/null; fi
        (cd "$build/debs" && apt-get download "${packages[@]}" >/dev/null) || {
            echo "gemm-compare: apt-get download ${packages[*]} failed; run 'apt-get update' (as root) and retry" >&2
            exit 1
        }
    fi
    for deb in "$build"/debs/*.deb; do dpkg-deb -x "$deb" "$build/root"; done
    lib="$(find "$build/root" -name 'libopenblas.so.0' -path '*openblas-pthread*' | head -n1)"
fi
libdirs="$(dirname "$lib"):$(find "$build/root" -name 'libgfortran.so.5' -printf '%h' -quit)"

# 2. The timing program, linked against that exact library.
bench="$build/sgemm_bench"
if [[ ! -x "$bench" || "$here/native/sgemm_bench.c" -nt "$bench" ]]; then
    gcc -O2 -o "$bench" "$here/native/sgemm_bench.c" "$lib" -Wl,-rpath,"$libdirs"
fi
openblas() {  # openblas THREADS ARGS...: one run with the CPU-type overrides removed for this process only
    local n="$1"; shift
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$n" LD_LIBRARY_PATH="$libdirs" "$bench" "$@"
}

# 3. The JDKs: 25 when present, and 17.
jdks=()
for home in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-17-openjdk-amd64; do
    [[ -x "$home/bin/java" ]] && jdks+=("$home")
done
[[ ${#jdks[@]} -gt 0 ]] || { echo "gemm-compare: no JDK found under /usr/lib/jvm" >&2; exit 1; }
JAVA_HOME="${jdks[0]}" "$root/recur" --version >/dev/null   # builds once, before anything is timed

out="$build/results"
rm -rf "$out" && mkdir -p "$out"
echo "OpenBLAS: $lib; core: $(openblas 1 1 2x2x2 2>&1 >/dev/null | sed -n 's/^OpenBLAS core: \([^,]*\).*/\1/p')" >&2
echo "FMA probe: $(openblas 1 --fma-peak)" >&2

# 4. Interleaved: per shape and thread count, OpenBLAS then each JDK, so load from elsewhere hits all alike.
IFS=, read -ra shape_list <<<"$shapes"
IFS=, read -ra thread_list <<<"$threads"
for round in $(seq 1 "$rounds"); do
    for shape in "${shape_list[@]}"; do
        for t in "${thread_list[@]}"; do
            openblas "$t" "$repeat" "$shape" 2>/dev/null >>"$out/openblas.txt"
            for home in "${jdks[@]}"; do
                name="$(basename "$home")"
                flags=(--no-scalar)
                [[ "$scalar" == yes && "$round" == 1 && "$home" == "${jdks[-1]}" ]] && flags=()
                JAVA_HOME="$home" "$root/recur" bench gemm --threads "$t" --shapes "$shape" --repeat "$repeat" "${flags[@]}" \
                    --json "$out/$name-$shape-$t-$round.json" 2>/dev/null | grep '^| [0-9]' >>"$out/$name.txt" || true
            done
        done
    done
done

# 5. One table: shape, threads, then GFLOP/s (median) per implementation, and Recur / OpenBLAS on each JDK.
python3 - "$out" "${jdks[@]}" <<'EOF'
import os, sys
out, homes = sys.argv[1], sys.argv[2:]
blas = {}
for line in open(os.path.join(out, "openblas.txt")):
    shape, t, routine, med, lo, hi = line.split()
    key, new = (shape, int(t)), (routine, float(med), float(lo), float(hi))
    old = blas.get(key)
    blas[key] = new if old is None else (routine, max(old[1], new[1]), min(old[2], new[2]), max(old[3], new[3]))
recur, scalar = {}, {}
for home in homes:
    name = os.path.basename(home)
    for line in open(os.path.join(out, name + ".txt")):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = (cells[0], int(cells[1]))
        if cells[2] == "scalar":
            scalar[key] = max(scalar.get(key, 0.0), float(cells[3]))
        else:
            new, old = (float(cells[3]), float(cells[4]), float(cells[5])), recur.get((name, key))
            recur[(name, key)] = new if old is None else (max(old[0], new[0]), min(old[1], new[1]), max(old[2], new[2]))
def label(home):
    release = open(os.path.join(home, "release")).read() if os.path.exists(os.path.join(home, "release")) else ""
    version = [l.split("=")[1].strip('"') for l in release.splitlines() if l.startswith("JAVA_VERSION=")]
    return "JDK " + (version[0] if version else os.path.basename(home))
names = [os.path.basename(h) for h in homes]
labels = {n: label(h) for n, h in zip(names, homes)}
head = (["M×K×N", "threads", "OpenBLAS"] + [f"Recur, {labels[n]}" for n in names]
        + [f"Recur / OpenBLAS, {labels[n]}" for n in names] + [f"scalar, {labels[names[-1]]}"])
print("GFLOP/s = 2·M·N·K / time: median of the best round (best single repetition); "
      "ratio of those medians (ratio of bests)\n")
print("| " + " | ".join(head) + " |")
print("|---|---:|" + "---:|" * (len(head) - 2))
for key in blas:
    routine, med, lo, hi = blas[key]
    row = [key[0].replace("x", "×"), str(key[1]), f"{med:.1f} ({hi:.1f}) {routine}"]
    for n in names:
        r = recur.get((n, key))
        row.append(f"{r[0]:.1f} ({r[2]:.1f})" if r else "–")
    for n in names:
        r = recur.get((n, key))
        row.append(f"**{r[0] / med:.2f}** ({r[2] / hi:.2f})" if r else "–")
    row.append(f"{scalar[key]:.2f}" if key in scalar else "–")
    print("| " + " | ".join(row) + " |")
EOF
