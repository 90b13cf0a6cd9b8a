/*
 * OpenBLAS side of `recur bench gemm`: GFLOP/s (2·M·N·K / time) of cblas_sgemm for C = A·B, row-major,
 * A [M, K], B [K, N], and of cblas_sgemv when M = 1, measured like GemmBench: about half a second of warm-up,
 * then REPEAT samples of at least 20 ms each; prints "shape threads routine median min max" per line.
 * The cblas prototypes are declared here, so only the library is needed, not its headers.
 *
 *   sgemm_bench REPEAT SHAPE...        SHAPE as MxKxN, e.g. 64x512x2048; threads from OPENBLAS_NUM_THREADS
 *   sgemm_bench --fma-peak             GFLOP/s of a register-only AVX-512 FMA loop on one core
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111 };
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                 float beta, float *y, int incy);
char *openblas_get_corename(void);
int openblas_get_num_threads(void);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void product(int m, int k, int n, const float *a, const float *b, float *c) {
    if (m == 1) {
        /* y[N] = Bᵀ·x: B is [K, N] row-major, so this is sgemv on B with Trans. */
        cblas_sgemv(ROW_MAJOR, 112, k, n, 1.0f, b, n, a, 1, 0.0f, c, 1);
    } else {
        cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    }
}

static int compare(const void *x, const void *y) {
    double a = *(const double *) x, b = *(const double *) y;
    return (a > b) - (a < b);
}

static void measure(int m, int k, int n, int repeat) {
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    srand(1);
    for (long i = 0; i < (long) m * k; i++) a[i] = rand() / (float) RAND_MAX * 2 - 1;
    for (long i = 0; i < (long) k * n; i++) b[i] = rand() / (float) RAND_MAX * 2 - 1;
    double flops = 2.0 * m * n * k, start = now(), elapsed;
    long calls = 0;
    do {
        product(m, k, n, a, b, c);
        calls++;
        elapsed = now() - start;
    } while (elapsed < 0.5);
    long per_sample = (long) (0.02 * calls / elapsed) + 1;
    double *gflops = malloc(sizeof(double) * repeat);
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        for (long i = 0; i < per_sample; i++) product(m, k, n, a, b, c);
        gflops[r] = flops * per_sample / (now() - t0) / 1e9;
    }
    qsort(gflops, repeat, sizeof(double), compare);
    printf("%dx%dx%d %d %s %.1f %.1f %.1f\n", m, k, n, openblas_get_num_threads(), m == 1 ? "sgemv" : "sgemm",
           gflops[repeat / 2], gflops[0], gflops[repeat - 1]);
    free(a), free(b), free(c), free(gflops);
}

/* 12 independent accumulators in registers cover the FMA latency (4 cycles) on both pipes; no memory traffic. */
#define FMA12(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11)
#define DECLARE(i) __m512 acc##i = _mm512_set1_ps((float) i);
#define STEP(i) acc##i = _mm512_fmadd_ps(acc##i, x, y);
#define SUM(i) sink += _mm512_reduce_add_ps(acc##i);
__attribute__((target("avx512f"))) static void fma_peak(void) {
    __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    FMA12(DECLARE)
    long iterations = 100000000L;
    double t0 = now();
    for (long it = 0; it < iterations; it++) {
        FMA12(STEP)
        __asm__ volatile("" ::: "memory");
    }
    double seconds = now() - t0;
    float sink = 0;
    FMA12(SUM)
    printf("fma-peak: %.1f GFLOP/s on one core (512-bit FMA, 12 chains; checksum %.3g)\n",
           2.0 * 16 * 12 * iterations / seconds / 1e9, sink);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--fma-peak") == 0) {
        fma_peak();
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: sgemm_bench REPEAT MxKxN...  |  sgemm_bench --fma-peak\n");
        return 2;
    }
    int repeat = atoi(argv[1]);
    fprintf(stderr, "OpenBLAS core: %s, threads: %d\n", openblas_get_corename(), openblas_get_num_threads());
    for (int i = 2; i < argc; i++) {
        int m, k, n;
        if (sscanf(argv[i], "%dx%dx%d", &m, &k, &n) != 3 || m < 1 || k < 1 || n < 1 || repeat < 1) {
            fprintf(stderr, "sgemm_bench: expected MxKxN with positive sizes, got \"%s\"\n", argv[i]);
            return 2;
        }
        measure(m, k, n, repeat);
    }
    return 0;
}
