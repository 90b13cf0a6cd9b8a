"""Imported by the benchmark scripts: says which BLAS this process loaded and refuses to go on with any but
OpenMP OpenBLAS (a reference BLAS makes PyTorch 8-38x slower and the comparison meaningless)."""
import sys


def loaded_blas():
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    return libs


def require_openblas_openmp():
    import torch  # noqa: F401  (loads the BLAS)
    libs = loaded_blas()
    if not any("openblas-openmp" in lib for lib in libs):
        sys.exit("refusing to time PyTorch on " + (", ".join(libs) or "no BLAS") +
                 "; run it through recur-bench/pytorch/torch-env.sh so it uses OpenMP OpenBLAS")
    return libs
