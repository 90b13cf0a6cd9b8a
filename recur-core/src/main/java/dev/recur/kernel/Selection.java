package dev.recur.kernel;

/** Chooses the kernels once per process. */
final class Selection {
    static final Kernels SCALAR = new ScalarKernels();
    static final Kernels CHOSEN = choose();

    private Selection() {}

    private static Kernels choose() {
        String wanted = System.getProperty("recur.kernels", "auto");
        if (wanted.equals("scalar")) return SCALAR;
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (!present) {
            if (wanted.equals("vector")) {
                throw new IllegalStateException("recur.kernels=vector, but the jdk.incubator.vector module is absent; "
                        + "start java with --add-modules jdk.incubator.vector");
            }
            return SCALAR;
        }
        try {
            return (Kernels) Class.forName("dev.recur.kernel.VectorKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            if (wanted.equals("vector")) throw new IllegalStateException("cannot load the Vector API kernels", e);
            return SCALAR;
        }
    }
}
