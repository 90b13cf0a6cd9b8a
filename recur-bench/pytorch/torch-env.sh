#!/usr/bin/env bash
# Runs a Python script with Debian's PyTorch (python3-torch) on Debian's OpenMP OpenBLAS, unpacked into a folder
# this script owns (nothing is installed system-wide), so torch runs at its best on this CPU:
#   recur-bench/pytorch/torch-env.sh THREADS script.py [args...]
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the Python process only (OpenBLAS then picks its AVX-512
# kernels); OMP_NUM_THREADS is set to THREADS. Needs /usr/bin/python3 with python3-torch, and apt-get.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads="${1:?usage: torch-env.sh THREADS script.py [args...]}"
shift

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
    echo "torch-env: PyTorch is missing; install Debian's package: apt-get install -y python3-torch" >&2
    exit 1
fi

lib="$here/.openblas/usr/lib/x86_64-linux-gnu/openblas-openmp"
if [[ ! -e "$lib/libblas.so.3" ]]; then
    echo "torch-env: fetching Debian's libopenblas0-openmp into $here/.openblas ..." >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download libopenblas0-openmp >/dev/null)
    mkdir -p "$here/.openblas"
    dpkg-deb -x "$tmp"/libopenblas0-openmp_*.deb "$here/.openblas"
    rm -rf "$tmp"
fi
if [[ ! -e "$lib/libblas.so.3" ]]; then
    echo "torch-env: $lib/libblas.so.3 not found after unpacking libopenblas0-openmp" >&2
    exit 1
fi

exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$threads" \
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" /usr/bin/python3 "$@"
