package dev.recur.kernel;

import dev.recur.tensor.QuantizedWeights;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded sgemm on the Vector API: C = α·op(A)·op(B) + β·C for one block of C, called by
 * {@link VectorKernels} once per task.
 * <pre>
 * for jc in n by NC:                    op(B)[pc.., jc..] packed into panels [KC, NR]     (L2)
 *   for pc in k by KC:                  β applies on the first pass over k only
 *     for ic in m by MC:                α·op(A)[ic.., pc..] packed into MC / MR panels [KC, MR]  (L2)
 *       for jr in nc by NR:             one panel of B [KC, NR] (32 KiB) stays in L1 ...
 *         for ir in mc by MR:           ... while the panels of A pass: tile C[MR, NR] += panel A · panel B
 * </pre>
 * B's panel is the operand loaded as vectors, 128 bytes per k; with jr outside ir it is read from L2 once per
 * block of A instead of once per panel of A, and A's 32 bytes per k come from L2 instead (BLAS-like products
 * 4–8 % faster on an AVX-512 Xeon, the recurrent step products about 12 %).
 * A is packed MC rows at a time so that a transposed A (a weight gradient's dGatesᵀ) is read in whole cache
 * lines: MC consecutive values per k instead of MR.
 * Panels are zero-padded, so the micro-kernel always computes a whole tile; a tile that sticks out of C is
 * computed into a scratch tile and copied. Buffers are per thread and allocated once.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    private static final int L = S.length();
    /** Register tile: MR rows by NR = 2 vectors; 16 accumulators out of AVX-512's 32 registers. */
    static final int MR = 8, NR = 2 * L;
    /**
     * MR floats as one vector, for packing A: from JDK 25 on, where the hardware has 256-bit vectors. Null elsewhere,
     * and then A is packed with scalar copies: a Java fallback would be slow, and on JDK 17 these 8-lane copies
     * were not compiled as vector stores on an AVX-512 Xeon (JFR: 24 % of lstm-small training's samples in
     * {@code VectorSupport.store} under packA) and made training up to 22 % slower. The
     * JDKs between 17 and 25 were not measured.
     */
    private static final VectorSpecies<Float> MR_SPECIES =
            Runtime.version().feature() >= 25 && S.vectorBitSize() >= 256 ? FloatVector.SPECIES_256 : null;
    /**
     * The three stages of an 8×8 transpose in registers (see {@link #packRows}), on MR_SPECIES: stage s pairs the
     * vectors whose indexes differ in bit s and swaps that bit with lane bit s, through the shuffle lane ^ 2ˢ and a
     * blend on the lanes where bit s is set. On JDK 25 it packs a row-major A 4–16 % faster than scalar copies
     * on one thread. Null with MR_SPECIES.
     */
    private static final VectorShuffle<Float> SWAP0 = swap(0), SWAP1 = swap(1), SWAP2 = swap(2);
    private static final VectorMask<Float> HIGH0 = high(0), HIGH1 = high(1), HIGH2 = high(2);
    /** Cache blocks: a [KC, NC] panel of B is 512 KiB and stays in L2; a [MC, KC] block of A is 64 KiB. */
    static final int KC = 256, NC = 512, MC = 64;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {}

    /** Where B's panels start in {@link Buffers#b}: on a 64-byte line when the JVM says where that is. */
    private static final int B0 = Alignment.SKIP;

    private static final class Buffers {
        final float[] a = new float[KC * MC];
        final float[] b = new float[B0 + KC * NC];
        final float[] tile = new float[MR * NR];
        float[] row = new float[0];
    }

    /** C = α·A·B + β·C on the calling thread; m, n, k ≥ 1. */
    static void serial(float alpha, Mat a, Mat b, float beta, Mat c) {
        Buffers buf = BUFFERS.get();
        int m = c.rows(), n = c.cols(), k = a.cols();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                packB(b, pc, kc, jc, nc, buf.b, B0);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(alpha, a, ic, mc, pc, kc, buf.a);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir), aIndex = ir * kc;
                            int cIndex = c.offset() + (ic + ir) * c.stride() + jc + jr;
                            if (mr == MR && nr == NR && betaHere == 0f) {
                                kernel(buf.a, aIndex, buf.b, B0 + jr * kc, kc, c.data(), cIndex, c.stride());
                            } else if (mr == MR && nr == NR) {
                                kernelAccumulate(buf.a, aIndex, buf.b, B0 + jr * kc, kc, c.data(), cIndex, c.stride(), betaHere);
                            } else {
                                kernel(buf.a, aIndex, buf.b, B0 + jr * kc, kc, buf.tile, 0, NR);
                                merge(buf.tile, mr, nr, c.data(), cIndex, c.stride(), betaHere);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * C[:, from .. to] = α·A·B[:, from .. to] + β·C[:, from .. to] on the calling thread, B packed (panels NR wide;
     * {@code from} a multiple of NR). The loops are those of {@link #serial(float, Mat, Mat, float, Mat)} without
     * packing B: a [KC, NC] block of the panels stays in L2 while the blocks of A pass over it, and each panel is
     * used by every row panel of a block while it is in L1. With at most MC rows there is one block of A, which reads
     * every panel once whatever the blocking: then the columns are not blocked, so A is packed once per KC instead
     * of once per KC and NC (a time step's h · W_hhᵀ).
     */
    static void serial(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        Buffers buf = BUFFERS.get();
        int m = c.rows(), k = a.cols(), columnBlock = m <= MC ? to - from : NC;
        float[] panels = b.panels();
        int start = b.start();
        for (int jc = from; jc < to; jc += columnBlock) {
            int nc = Math.min(columnBlock, to - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float betaHere = pc == 0 ? beta : 1f;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(alpha, a, ic, mc, pc, kc, buf.a);
                    for (int jr = jc; jr < jc + nc; jr += NR) {
                        int nr = Math.min(NR, jc + nc - jr);
                        int bIndex = start + jr * k + pc * NR;   // panel jr / NR starts at start + (jr / NR)·k·NR
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir), aIndex = ir * kc;
                            int cIndex = c.offset() + (ic + ir) * c.stride() + jr;
                            if (mr == MR && nr == NR && betaHere == 0f) {
                                kernel(buf.a, aIndex, panels, bIndex, kc, c.data(), cIndex, c.stride());
                            } else if (mr == MR && nr == NR) {
                                kernelAccumulate(buf.a, aIndex, panels, bIndex, kc, c.data(), cIndex, c.stride(), betaHere);
                            } else {
                                kernel(buf.a, aIndex, panels, bIndex, kc, buf.tile, 0, NR);
                                merge(buf.tile, mr, nr, c.data(), cIndex, c.stride(), betaHere);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: C[MR, NR] at {@code c[cIndex]} (rows {@code ldc} apart) = A panel · B panel, with the A panel
     * [kc, MR] at {@code a[aIndex]} and the B panel [kc, NR] at {@code b[bIndex]}; C is not read. It and
     * {@link #kernelAccumulate} have no branch that depends on the call: a branch never taken while C2 profiled
     * it (β ≠ 0 during a forward-only warm-up) would deoptimise the compiled kernel on its first use, and JDK 17
     * then runs it boxed, tens of times slower, for seconds before compiling it again.
     */
    private static void kernel(float[] a, int aIndex, float[] b, int bIndex, int kc, float[] c, int cIndex, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = aIndex + p * MR, bi = bIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, cIndex);
        c01.intoArray(c, cIndex + L);
        c10.intoArray(c, cIndex + ldc);
        c11.intoArray(c, cIndex + ldc + L);
        c20.intoArray(c, cIndex + 2 * ldc);
        c21.intoArray(c, cIndex + 2 * ldc + L);
        c30.intoArray(c, cIndex + 3 * ldc);
        c31.intoArray(c, cIndex + 3 * ldc + L);
        c40.intoArray(c, cIndex + 4 * ldc);
        c41.intoArray(c, cIndex + 4 * ldc + L);
        c50.intoArray(c, cIndex + 5 * ldc);
        c51.intoArray(c, cIndex + 5 * ldc + L);
        c60.intoArray(c, cIndex + 6 * ldc);
        c61.intoArray(c, cIndex + 6 * ldc + L);
        c70.intoArray(c, cIndex + 7 * ldc);
        c71.intoArray(c, cIndex + 7 * ldc + L);
    }

    /** As {@link #kernel}, but C[MR, NR] = A panel · B panel + β·C. */
    private static void kernelAccumulate(float[] a, int aIndex, float[] b, int bIndex, int kc, float[] c, int cIndex,
            int ldc, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = aIndex + p * MR, bi = bIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        FloatVector vb = FloatVector.broadcast(S, beta);
        c00 = FloatVector.fromArray(S, c, cIndex).fma(vb, c00);
        c01 = FloatVector.fromArray(S, c, cIndex + L).fma(vb, c01);
        c10 = FloatVector.fromArray(S, c, cIndex + ldc).fma(vb, c10);
        c11 = FloatVector.fromArray(S, c, cIndex + ldc + L).fma(vb, c11);
        c20 = FloatVector.fromArray(S, c, cIndex + 2 * ldc).fma(vb, c20);
        c21 = FloatVector.fromArray(S, c, cIndex + 2 * ldc + L).fma(vb, c21);
        c30 = FloatVector.fromArray(S, c, cIndex + 3 * ldc).fma(vb, c30);
        c31 = FloatVector.fromArray(S, c, cIndex + 3 * ldc + L).fma(vb, c31);
        c40 = FloatVector.fromArray(S, c, cIndex + 4 * ldc).fma(vb, c40);
        c41 = FloatVector.fromArray(S, c, cIndex + 4 * ldc + L).fma(vb, c41);
        c50 = FloatVector.fromArray(S, c, cIndex + 5 * ldc).fma(vb, c50);
        c51 = FloatVector.fromArray(S, c, cIndex + 5 * ldc + L).fma(vb, c51);
        c60 = FloatVector.fromArray(S, c, cIndex + 6 * ldc).fma(vb, c60);
        c61 = FloatVector.fromArray(S, c, cIndex + 6 * ldc + L).fma(vb, c61);
        c70 = FloatVector.fromArray(S, c, cIndex + 7 * ldc).fma(vb, c70);
        c71 = FloatVector.fromArray(S, c, cIndex + 7 * ldc + L).fma(vb, c71);
        c00.intoArray(c, cIndex);
        c01.intoArray(c, cIndex + L);
        c10.intoArray(c, cIndex + ldc);
        c11.intoArray(c, cIndex + ldc + L);
        c20.intoArray(c, cIndex + 2 * ldc);
        c21.intoArray(c, cIndex + 2 * ldc + L);
        c30.intoArray(c, cIndex + 3 * ldc);
        c31.intoArray(c, cIndex + 3 * ldc + L);
        c40.intoArray(c, cIndex + 4 * ldc);
        c41.intoArray(c, cIndex + 4 * ldc + L);
        c50.intoArray(c, cIndex + 5 * ldc);
        c51.intoArray(c, cIndex + 5 * ldc + L);
        c60.intoArray(c, cIndex + 6 * ldc);
        c61.intoArray(c, cIndex + 6 * ldc + L);
        c70.intoArray(c, cIndex + 7 * ldc);
        c71.intoArray(c, cIndex + 7 * ldc + L);
    }

    /** Copies the top-left [mr, nr] of a scratch tile into C, adding β·C. */
    private static void merge(float[] tile, int mr, int nr, float[] c, int cIndex, int ldc, float beta) {
        for (int i = 0; i < mr; i++) {
            int row = cIndex + i * ldc;
            for (int j = 0; j < nr; j++) {
                c[row + j] = beta == 0f ? tile[i * NR + j] : tile[i * NR + j] + beta * c[row + j];
            }
        }
    }

    /** Packs op(B)[pc .. pc+kc, jc .. jc+nc] into panels [kc, NR], panel q at start + q·kc·NR, zero-padded. */
    private static void packB(Mat b, int pc, int kc, int jc, int nc, float[] dst, int start) {
        float[] src = b.data();
        int stride = b.stride();
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int panel = start + jr * kc;
            if (!b.transposed() && nr == NR) {
                // A plain copy: as two vector loads and stores it was now and then compiled as boxed vectors (JDK 25,
                // an rnn-medium training process with 1 GB of garbage from here).
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(src, b.offset() + (pc + p) * stride + jc + jr, dst, panel + p * NR, NR);
                }
            } else if (!b.transposed()) {
                for (int p = 0; p < kc; p++) {
                    int from = b.offset() + (pc + p) * stride + jc + jr, to = panel + p * NR;
                    for (int j = 0; j < NR; j++) dst[to + j] = j < nr ? src[from + j] : 0f;
                }
            } else {
                // B(p, j) = src[offset + j·stride + p]: copied in blocks of 16 p, each stored row's cache line read
                // whole while the [16, NR] block of the panel stays in L1 (1.4x faster than whole rows at 32x512x2048).
                int from = b.offset() + (jc + jr) * stride + pc;
                for (int p0 = 0; p0 < kc; p0 += 16) {
                    int p1 = Math.min(kc, p0 + 16);
                    for (int j = 0; j < nr; j++) {
                        int row = from + j * stride;
                        for (int p = p0; p < p1; p++) dst[panel + p * NR + j] = src[row + p];
                    }
                    for (int p = p0; p < p1; p++) {
                        for (int j = nr; j < NR; j++) dst[panel + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs α·op(A)[ic .. ic + mc, pc .. pc + kc] into ⌈mc / MR⌉ panels [kc, MR], panel r at {@code dst[r·kc·MR]};
     * rows past mc are zero.
     */
    private static void packA(float alpha, Mat a, int ic, int mc, int pc, int kc, float[] dst) {
        float[] src = a.data();
        int stride = a.stride(), padded = (mc + MR - 1) / MR * MR;
        if (a.transposed()) {
            // A(i, p) = src[offset + p·stride + i]: the mc values of one p are contiguous, and each whole panel's
            // MR of them are one 8-lane copy; without MR_SPECIES, and for the last partial panel, MR values are
            // copied one by one and the panel zero-padded. (Indexed as i / MR and i % MR per value, this copy was
            // 13–17 % of a JDK 17 charlm training step's samples.)
            int whole = MR_SPECIES != null ? mc / MR : 0, panels = padded / MR;
            for (int p = 0; p < kc; p++) {
                int from = a.offset() + (pc + p) * stride + ic;
                for (int r = 0; r < whole; r++) {
                    FloatVector.fromArray(MR_SPECIES, src, from + r * MR).mul(alpha).intoArray(dst, r * kc * MR + p * MR);
                }
                for (int r = whole; r < panels; r++) {
                    int to = r * kc * MR + p * MR, at = from + r * MR, n = Math.min(MR, mc - r * MR);
                    for (int i = 0; i < n; i++) dst[to + i] = alpha * src[at + i];
                    for (int i = n; i < MR; i++) dst[to + i] = 0f;
                }
            }
        } else {
            // Whole panels of MR rows: MR values of each row at a time, transposed in registers; the rest of k (fewer
            // than MR values) and a last partial panel value by value.
            int whole = MR_SPECIES != null ? mc / MR : 0;
            for (int r = 0; r < whole; r++) {
                int from = a.offset() + (ic + r * MR) * stride + pc, to = r * kc * MR;
                for (int p = packRows(alpha, src, from, stride, kc, dst, to); p < kc; p++) {
                    for (int i = 0; i < MR; i++) dst[to + p * MR + i] = alpha * src[from + i * stride + p];
                }
            }
            for (int i = whole * MR; i < padded; i++) {
                int to = (i / MR) * kc * MR + i % MR;
                if (i < mc) {
                    int from = a.offset() + (ic + i) * stride + pc;
                    for (int p = 0; p < kc; p++) dst[to + p * MR] = alpha * src[from + p];
                } else {
                    for (int p = 0; p < kc; p++) dst[to + p * MR] = 0f;
                }
            }
        }
    }

    /**
     * Packs α·A for one panel of MR rows of a row-major A (row i of the panel at {@code src[from + i·stride]}) into
     * {@code dst[to + p·MR + i]}, an 8×8 block at a time: eight loads, three stages of shuffle-and-blend, eight
     * contiguous stores. Returns how many of the kc values it packed (a multiple of MR); the caller packs the rest.
     * (A 16-lane version with two-vector rearranges measured slower than this one on JDK 25.)
     */
    private static int packRows(float alpha, float[] src, int from, int stride, int kc, float[] dst, int to) {
        VectorSpecies<Float> v = MR_SPECIES;
        int p = 0;
        for (; p + MR <= kc; p += MR) {
            int f = from + p;
            FloatVector r0 = FloatVector.fromArray(v, src, f).mul(alpha), r1 = FloatVector.fromArray(v, src, f + stride).mul(alpha);
            FloatVector r2 = FloatVector.fromArray(v, src, f + 2 * stride).mul(alpha), r3 = FloatVector.fromArray(v, src, f + 3 * stride).mul(alpha);
            FloatVector r4 = FloatVector.fromArray(v, src, f + 4 * stride).mul(alpha), r5 = FloatVector.fromArray(v, src, f + 5 * stride).mul(alpha);
            FloatVector r6 = FloatVector.fromArray(v, src, f + 6 * stride).mul(alpha), r7 = FloatVector.fromArray(v, src, f + 7 * stride).mul(alpha);
            // Stage 0 pairs vectors (0, 1), (2, 3), ...; stage 1 pairs (0, 2), (1, 3), ...; stage 2 pairs (0, 4), ...
            FloatVector a0 = r0.blend(r1.rearrange(SWAP0), HIGH0), a1 = r0.rearrange(SWAP0).blend(r1, HIGH0);
            FloatVector a2 = r2.blend(r3.rearrange(SWAP0), HIGH0), a3 = r2.rearrange(SWAP0).blend(r3, HIGH0);
            FloatVector a4 = r4.blend(r5.rearrange(SWAP0), HIGH0), a5 = r4.rearrange(SWAP0).blend(r5, HIGH0);
            FloatVector a6 = r6.blend(r7.rearrange(SWAP0), HIGH0), a7 = r6.rearrange(SWAP0).blend(r7, HIGH0);
            FloatVector b0 = a0.blend(a2.rearrange(SWAP1), HIGH1), b2 = a0.rearrange(SWAP1).blend(a2, HIGH1);
            FloatVector b1 = a1.blend(a3.rearrange(SWAP1), HIGH1), b3 = a1.rearrange(SWAP1).blend(a3, HIGH1);
            FloatVector b4 = a4.blend(a6.rearrange(SWAP1), HIGH1), b6 = a4.rearrange(SWAP1).blend(a6, HIGH1);
            FloatVector b5 = a5.blend(a7.rearrange(SWAP1), HIGH1), b7 = a5.rearrange(SWAP1).blend(a7, HIGH1);
            int t = to + p * MR;
            b0.blend(b4.rearrange(SWAP2), HIGH2).intoArray(dst, t);
            b1.blend(b5.rearrange(SWAP2), HIGH2).intoArray(dst, t + MR);
            b2.blend(b6.rearrange(SWAP2), HIGH2).intoArray(dst, t + 2 * MR);
            b3.blend(b7.rearrange(SWAP2), HIGH2).intoArray(dst, t + 3 * MR);
            b0.rearrange(SWAP2).blend(b4, HIGH2).intoArray(dst, t + 4 * MR);
            b1.rearrange(SWAP2).blend(b5, HIGH2).intoArray(dst, t + 5 * MR);
            b2.rearrange(SWAP2).blend(b6, HIGH2).intoArray(dst, t + 6 * MR);
            b3.rearrange(SWAP2).blend(b7, HIGH2).intoArray(dst, t + 7 * MR);
        }
        return p;
    }

    private static VectorShuffle<Float> swap(int bit) {
        return MR_SPECIES == null ? null : VectorShuffle.fromOp(MR_SPECIES, lane -> lane ^ (1 << bit));
    }

    private static VectorMask<Float> high(int bit) {
        if (MR_SPECIES == null) return null;
        boolean[] set = new boolean[MR];
        for (int lane = 0; lane < MR; lane++) set[lane] = (lane & (1 << bit)) != 0;
        return VectorMask.fromArray(MR_SPECIES, set, 0);
    }

    /**
     * C[1, n] = α·A[1, k]·op(B) + β·C: reads B once, unpacked. α·A is copied to a contiguous row first. With B
     * untransposed, C accumulates four rows of B at a time (C stays in L1); transposed, each element of C is a dot
     * product of A with a stored row of B, four at a time.
     */
    static void gemv(float alpha, Mat a, Mat b, float beta, Mat c) {
        Buffers buf = BUFFERS.get();
        int n = c.cols(), k = a.cols();
        if (buf.row.length < k) buf.row = new float[k];
        float[] x = buf.row;
        for (int p = 0; p < k; p++) x[p] = alpha * a.get(0, p);
        if (b.transposed() && b.narrow() != null) {
            gemvDotsNarrow(x, k, b, beta, c);
        } else if (b.transposed()) {
            gemvDots(x, k, b, beta, c);
        } else {
            gemvRows(x, k, b, beta, c);
        }
    }

    /**
     * C[1, from .. to] = α·A[1, k]·B[:, from .. to] + β·C with B packed: each panel of NR columns is read once, in
     * order, into two accumulating vectors (two chains, for the FMA latency) — a bandwidth-bound batch-1 step.
     */
    static void gemv(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        if (b.narrowPanels()) {
            gemvNarrow(alpha, a, b, from, to, beta, c);
            return;
        }
        Buffers buf = BUFFERS.get();
        int k = a.cols();
        if (buf.row.length < k) buf.row = new float[k];
        float[] x = buf.row, w = b.panels(), y = c.data();
        int start = b.start();
        for (int p = 0; p < k; p++) x[p] = alpha * a.get(0, p);
        for (int jr = from; jr < to; jr += NR) {
            int base = start + jr * k, p = 0;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, t0 = s0, t1 = s0;
            for (; p + 2 <= k; p += 2) {
                FloatVector x0 = FloatVector.broadcast(S, x[p]), x1 = FloatVector.broadcast(S, x[p + 1]);
                int i = base + p * NR;
                s0 = FloatVector.fromArray(S, w, i).fma(x0, s0);
                s1 = FloatVector.fromArray(S, w, i + L).fma(x0, s1);
                t0 = FloatVector.fromArray(S, w, i + NR).fma(x1, t0);
                t1 = FloatVector.fromArray(S, w, i + NR + L).fma(x1, t1);
            }
            if (p < k) {
                FloatVector x0 = FloatVector.broadcast(S, x[p]);
                s0 = FloatVector.fromArray(S, w, base + p * NR).fma(x0, s0);
                s1 = FloatVector.fromArray(S, w, base + p * NR + L).fma(x0, s1);
            }
            s0 = s0.add(t0);
            s1 = s1.add(t1);
            store(s0, s1, y, c.offset() + jr, Math.min(NR, to - jr), beta, buf);
        }
    }

    /** y[yi .. yi + nr) = (s0 | s1)[0 .. nr) + β·y: one panel's NR sums, fewer at the matrix's ragged end. */
    private static void store(FloatVector s0, FloatVector s1, float[] y, int yi, int nr, float beta, Buffers buf) {
        if (nr == NR) {
            if (beta != 0f) {
                s0 = FloatVector.fromArray(S, y, yi).fma(FloatVector.broadcast(S, beta), s0);
                s1 = FloatVector.fromArray(S, y, yi + L).fma(FloatVector.broadcast(S, beta), s1);
            }
            s0.intoArray(y, yi);
            s1.intoArray(y, yi + L);
        } else {
            s0.intoArray(buf.tile, 0);
            s1.intoArray(buf.tile, L);
            merge(buf.tile, 1, nr, y, yi, 0, beta);
        }
    }

    /** Bytes of int8 weights, shorts of bfloat16 weights, one float vector's worth. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 4));
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());

    /**
     * The packed batch-1 product reading int8 or bfloat16 panels: each weight is widened to float32 in registers
     * (int8: sign-extended and converted, then each column's sum scaled once; bfloat16: shifted into a float's top
     * half), so a step reads a quarter or half of the float32 bytes.
     */
    private static void gemvNarrow(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        Buffers buf = BUFFERS.get();
        int k = a.cols();
        if (buf.row.length < k) buf.row = new float[k];
        float[] x = buf.row, y = c.data(), scales = b.scales();
        byte[] q = b.int8();
        short[] bf = b.bf16();
        for (int p = 0; p < k; p++) x[p] = alpha * a.get(0, p);
        for (int jr = from; jr < to; jr += NR) {
            int base = jr * k;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, t0 = s0, t1 = s0;   // two chains per half, for the FMA latency
            int p = 0;
            if (q != null) {
                for (; p + 2 <= k; p += 2) {
                    FloatVector x0 = FloatVector.broadcast(S, x[p]), x1 = FloatVector.broadcast(S, x[p + 1]);
                    int i = base + p * NR;
                    s0 = int8(q, i).fma(x0, s0);
                    s1 = int8(q, i + L).fma(x0, s1);
                    t0 = int8(q, i + NR).fma(x1, t0);
                    t1 = int8(q, i + NR + L).fma(x1, t1);
                }
                if (p < k) {
                    FloatVector x0 = FloatVector.broadcast(S, x[p]);
                    s0 = int8(q, base + p * NR).fma(x0, s0);
                    s1 = int8(q, base + p * NR + L).fma(x0, s1);
                }
                s0 = s0.add(t0).mul(FloatVector.fromArray(S, scales, jr));
                s1 = s1.add(t1).mul(FloatVector.fromArray(S, scales, jr + L));
            } else {
                for (; p + 2 <= k; p += 2) {
                    FloatVector x0 = FloatVector.broadcast(S, x[p]), x1 = FloatVector.broadcast(S, x[p + 1]);
                    int i = base + p * NR;
                    s0 = widen(bf, i).fma(x0, s0);
                    s1 = widen(bf, i + L).fma(x0, s1);
                    t0 = widen(bf, i + NR).fma(x1, t0);
                    t1 = widen(bf, i + NR + L).fma(x1, t1);
                }
                if (p < k) {
                    FloatVector x0 = FloatVector.broadcast(S, x[p]);
                    s0 = widen(bf, base + p * NR).fma(x0, s0);
                    s1 = widen(bf, base + p * NR + L).fma(x0, s1);
                }
                s0 = s0.add(t0);
                s1 = s1.add(t1);
            }
            store(s0, s1, y, c.offset() + jr, Math.min(NR, to - jr), beta, buf);
        }
    }

    /**
     * As {@link #gemv(float, Mat, PackedMatrix, int, int, float, Mat)} for two to four rows of A: each vector of B's
     * panels is loaded (and, int8 or bfloat16, widened) once and multiplied into every row's sums (rows past A's are
     * zeros), instead of once per row: B is read once, and a narrow B widened once. One method per element type. The
     * sums are stored in each method's own code: passed to a helper that was not inlined, the eight vectors were boxed
     * and the loop ran 4–10× slower.
     */
    static void gemvFewRows(float alpha, Mat a, PackedMatrix b, int from, int to, float beta, Mat c) {
        Buffers buf = BUFFERS.get();
        int m = a.rows(), k = a.cols();
        if (buf.row.length < 4 * k) buf.row = new float[4 * k];
        float[] x = buf.row;   // α·A interleaved, [k][4]: the four rows' values at one k side by side
        for (int p = 0; p < k; p++) for (int i = 0; i < 4; i++) x[4 * p + i] = i < m ? alpha * a.get(i, p) : 0f;
        boolean narrow = b.narrowPanels();
        if (narrow && b.int8() != null) fewRowsInt8(x, k, b.int8(), b.scales(), from, to, beta, c, buf);
        else if (narrow) fewRowsBf16(x, k, b.bf16(), from, to, beta, c, buf);
        else fewRowsFloat(x, k, b.panels(), b.start(), from, to, beta, c, buf);
    }

    /** Float32 panels from {@code w0}. */
    private static void fewRowsFloat(float[] x, int k, float[] w, int w0, int from, int to, float beta, Mat c, Buffers buf) {
        for (int jr = from; jr < to; jr += NR) {
            int base = jr * k;
            FloatVector l0 = FloatVector.zero(S), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int p = 0; p < k; p++) {
                int i = w0 + base + p * NR;
                FloatVector lo = FloatVector.fromArray(S, w, i), hi = FloatVector.fromArray(S, w, i + L);
                FloatVector x0 = FloatVector.broadcast(S, x[4 * p]), x1 = FloatVector.broadcast(S, x[4 * p + 1]);
                FloatVector x2 = FloatVector.broadcast(S, x[4 * p + 2]), x3 = FloatVector.broadcast(S, x[4 * p + 3]);
                l0 = lo.fma(x0, l0);
                h0 = hi.fma(x0, h0);
                l1 = lo.fma(x1, l1);
                h1 = hi.fma(x1, h1);
                l2 = lo.fma(x2, l2);
                h2 = hi.fma(x2, h2);
                l3 = lo.fma(x3, l3);
                h3 = hi.fma(x3, h3);
            }
            float[] t = buf.tile;
            l0.intoArray(t, 0);
            h0.intoArray(t, L);
            l1.intoArray(t, NR);
            h1.intoArray(t, NR + L);
            l2.intoArray(t, 2 * NR);
            h2.intoArray(t, 2 * NR + L);
            l3.intoArray(t, 3 * NR);
            h3.intoArray(t, 3 * NR + L);
            merge(t, c.rows(), Math.min(NR, to - jr), c.data(), c.index(0, jr), c.stride(), beta);
        }
    }

    /** Int8 panels, each column's sums scaled once. */
    private static void fewRowsInt8(float[] x, int k, byte[] q, float[] scales, int from, int to, float beta, Mat c, Buffers buf) {
        for (int jr = from; jr < to; jr += NR) {
            int base = jr * k;
            FloatVector l0 = FloatVector.zero(S), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int p = 0; p < k; p++) {
                int i = base + p * NR;
                FloatVector lo = int8(q, i), hi = int8(q, i + L);
                FloatVector x0 = FloatVector.broadcast(S, x[4 * p]), x1 = FloatVector.broadcast(S, x[4 * p + 1]);
                FloatVector x2 = FloatVector.broadcast(S, x[4 * p + 2]), x3 = FloatVector.broadcast(S, x[4 * p + 3]);
                l0 = lo.fma(x0, l0);
                h0 = hi.fma(x0, h0);
                l1 = lo.fma(x1, l1);
                h1 = hi.fma(x1, h1);
                l2 = lo.fma(x2, l2);
                h2 = hi.fma(x2, h2);
                l3 = lo.fma(x3, l3);
                h3 = hi.fma(x3, h3);
            }
            FloatVector sl = FloatVector.fromArray(S, scales, jr), sh = FloatVector.fromArray(S, scales, jr + L);
            l0 = l0.mul(sl);
            l1 = l1.mul(sl);
            l2 = l2.mul(sl);
            l3 = l3.mul(sl);
            h0 = h0.mul(sh);
            h1 = h1.mul(sh);
            h2 = h2.mul(sh);
            h3 = h3.mul(sh);
            float[] t = buf.tile;
            l0.intoArray(t, 0);
            h0.intoArray(t, L);
            l1.intoArray(t, NR);
            h1.intoArray(t, NR + L);
            l2.intoArray(t, 2 * NR);
            h2.intoArray(t, 2 * NR + L);
            l3.intoArray(t, 3 * NR);
            h3.intoArray(t, 3 * NR + L);
            merge(t, c.rows(), Math.min(NR, to - jr), c.data(), c.index(0, jr), c.stride(), beta);
        }
    }

    /** Bfloat16 panels. */
    private static void fewRowsBf16(float[] x, int k, short[] bf, int from, int to, float beta, Mat c, Buffers buf) {
        for (int jr = from; jr < to; jr += NR) {
            int base = jr * k;
            FloatVector l0 = FloatVector.zero(S), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int p = 0; p < k; p++) {
                int i = base + p * NR;
                FloatVector lo = widen(bf, i), hi = widen(bf, i + L);
                FloatVector x0 = FloatVector.broadcast(S, x[4 * p]), x1 = FloatVector.broadcast(S, x[4 * p + 1]);
                FloatVector x2 = FloatVector.broadcast(S, x[4 * p + 2]), x3 = FloatVector.broadcast(S, x[4 * p + 3]);
                l0 = lo.fma(x0, l0);
                h0 = hi.fma(x0, h0);
                l1 = lo.fma(x1, l1);
                h1 = hi.fma(x1, h1);
                l2 = lo.fma(x2, l2);
                h2 = hi.fma(x2, h2);
                l3 = lo.fma(x3, l3);
                h3 = hi.fma(x3, h3);
            }
            float[] t = buf.tile;
            l0.intoArray(t, 0);
            h0.intoArray(t, L);
            l1.intoArray(t, NR);
            h1.intoArray(t, NR + L);
            l2.intoArray(t, 2 * NR);
            h2.intoArray(t, 2 * NR + L);
            l3.intoArray(t, 3 * NR);
            h3.intoArray(t, 3 * NR + L);
            merge(t, c.rows(), Math.min(NR, to - jr), c.data(), c.index(0, jr), c.stride(), beta);
        }
    }

    /** L int8 values from {@code values[i..]} as floats. */
    private static FloatVector int8(byte[] values, int i) {
        return (FloatVector) ByteVector.fromArray(BYTES, values, i).convertShape(VectorOperators.B2F, S, 0);
    }

    /** L bfloat16 values from {@code bits[i..]} as floats. */
    private static FloatVector widen(short[] bits, int i) {
        return ((IntVector) ShortVector.fromArray(SHORTS, bits, i).convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static void gemvRows(float[] x, int k, Mat b, float beta, Mat c) {
        float[] y = c.data(), w = b.data();
        int n = c.cols(), yi = c.offset(), bound = S.loopBound(n);
        for (int j = 0; j < n; j++) y[yi + j] = beta == 0f ? 0f : beta * y[yi + j];
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            int r0 = b.offset() + p * b.stride(), r1 = r0 + b.stride(), r2 = r1 + b.stride(), r3 = r2 + b.stride();
            FloatVector x0 = FloatVector.broadcast(S, x[p]), x1 = FloatVector.broadcast(S, x[p + 1]);
            FloatVector x2 = FloatVector.broadcast(S, x[p + 2]), x3 = FloatVector.broadcast(S, x[p + 3]);
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector v = FloatVector.fromArray(S, y, yi + j);
                v = FloatVector.fromArray(S, w, r0 + j).fma(x0, v);
                v = FloatVector.fromArray(S, w, r1 + j).fma(x1, v);
                v = FloatVector.fromArray(S, w, r2 + j).fma(x2, v);
                v = FloatVector.fromArray(S, w, r3 + j).fma(x3, v);
                v.intoArray(y, yi + j);
            }
            for (; j < n; j++) {
                y[yi + j] += x[p] * w[r0 + j] + x[p + 1] * w[r1 + j] + x[p + 2] * w[r2 + j] + x[p + 3] * w[r3 + j];
            }
        }
        for (; p < k; p++) {
            int r = b.offset() + p * b.stride();
            FloatVector xp = FloatVector.broadcast(S, x[p]);
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, w, r + j).fma(xp, FloatVector.fromArray(S, y, yi + j)).intoArray(y, yi + j);
            }
            for (; j < n; j++) y[yi + j] += x[p] * w[r + j];
        }
    }

    private static void gemvDots(float[] x, int k, Mat b, float beta, Mat c) {
        float[] w = b.data();
        int n = c.cols(), bound = S.loopBound(k);
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int r0 = b.offset() + j * b.stride(), r1 = r0 + b.stride(), r2 = r1 + b.stride(), r3 = r2 + b.stride();
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int p = 0;
            for (; p < bound; p += L) {
                FloatVector xv = FloatVector.fromArray(S, x, p);
                s0 = FloatVector.fromArray(S, w, r0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, w, r1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, w, r2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, w, r3 + p).fma(xv, s3);
            }
            float d0 = s0.reduceLanes(VectorOperators.ADD);
            float d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD);
            float d3 = s3.reduceLanes(VectorOperators.ADD);
            for (; p < k; p++) {
                d0 += x[p] * w[r0 + p];
                d1 += x[p] * w[r1 + p];
                d2 += x[p] * w[r2 + p];
                d3 += x[p] * w[r3 + p];
            }
            put(c, j, d0, beta);
            put(c, j + 1, d1, beta);
            put(c, j + 2, d2, beta);
            put(c, j + 3, d3, beta);
        }
        for (; j < n; j++) {
            int r = b.offset() + j * b.stride();
            FloatVector s = FloatVector.zero(S);
            int p = 0;
            for (; p < bound; p += L) s = FloatVector.fromArray(S, w, r + p).fma(FloatVector.fromArray(S, x, p), s);
            float d = s.reduceLanes(VectorOperators.ADD);
            for (; p < k; p++) d += x[p] * w[r + p];
            put(c, j, d, beta);
        }
    }

    /**
     * As {@link #gemvDots}, reading the stored rows' int8 or bfloat16 form: each row's dot product accumulates the
     * widened weights (int8 then times the row's scale), so the product reads a quarter or half of the bytes.
     */
    private static void gemvDotsNarrow(float[] x, int k, Mat b, float beta, Mat c) {
        QuantizedWeights form = b.narrow().form();
        byte[] q = form.int8Values();
        short[] bf = form.bf16Bits();
        float[] scales = form.scales();
        int n = c.cols(), bound = S.loopBound(k), stride = b.stride();
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int r0 = b.offset() - b.narrow().origin() + j * stride, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int p = 0;
            float d0, d1, d2, d3;
            if (q != null) {
                for (; p < bound; p += L) {
                    FloatVector xv = FloatVector.fromArray(S, x, p);
                    s0 = int8(q, r0 + p).fma(xv, s0);
                    s1 = int8(q, r1 + p).fma(xv, s1);
                    s2 = int8(q, r2 + p).fma(xv, s2);
                    s3 = int8(q, r3 + p).fma(xv, s3);
                }
                d0 = s0.reduceLanes(VectorOperators.ADD);
                d1 = s1.reduceLanes(VectorOperators.ADD);
                d2 = s2.reduceLanes(VectorOperators.ADD);
                d3 = s3.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) {
                    d0 += x[p] * q[r0 + p];
                    d1 += x[p] * q[r1 + p];
                    d2 += x[p] * q[r2 + p];
                    d3 += x[p] * q[r3 + p];
                }
                d0 *= scales[r0 / stride];
                d1 *= scales[r1 / stride];
                d2 *= scales[r2 / stride];
                d3 *= scales[r3 / stride];
            } else {
                for (; p < bound; p += L) {
                    FloatVector xv = FloatVector.fromArray(S, x, p);
                    s0 = widen(bf, r0 + p).fma(xv, s0);
                    s1 = widen(bf, r1 + p).fma(xv, s1);
                    s2 = widen(bf, r2 + p).fma(xv, s2);
                    s3 = widen(bf, r3 + p).fma(xv, s3);
                }
                d0 = s0.reduceLanes(VectorOperators.ADD);
                d1 = s1.reduceLanes(VectorOperators.ADD);
                d2 = s2.reduceLanes(VectorOperators.ADD);
                d3 = s3.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) {
                    d0 += x[p] * bf16(bf[r0 + p]);
                    d1 += x[p] * bf16(bf[r1 + p]);
                    d2 += x[p] * bf16(bf[r2 + p]);
                    d3 += x[p] * bf16(bf[r3 + p]);
                }
            }
            put(c, j, d0, beta);
            put(c, j + 1, d1, beta);
            put(c, j + 2, d2, beta);
            put(c, j + 3, d3, beta);
        }
        for (; j < n; j++) {
            int r = b.offset() - b.narrow().origin() + j * stride, p = 0;
            FloatVector s = FloatVector.zero(S);
            float d;
            if (q != null) {
                for (; p < bound; p += L) s = int8(q, r + p).fma(FloatVector.fromArray(S, x, p), s);
                d = s.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) d += x[p] * q[r + p];
                d *= scales[r / stride];
            } else {
                for (; p < bound; p += L) s = widen(bf, r + p).fma(FloatVector.fromArray(S, x, p), s);
                d = s.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) d += x[p] * bf16(bf[r + p]);
            }
            put(c, j, d, beta);
        }
    }

    private static float bf16(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    private static void put(Mat c, int j, float value, float beta) {
        int i = c.offset() + j;
        c.data()[i] = beta == 0f ? value : value + beta * c.data()[i];
    }

    /** C = β·C, and C = 0 when β = 0 whatever C held. */
    static void scale(float beta, Mat c) {
        for (int i = 0; i < c.rows(); i++) {
            for (int j = 0; j < c.cols(); j++) c.set(i, j, beta == 0f ? 0f : beta * c.get(i, j));
        }
    }
}
