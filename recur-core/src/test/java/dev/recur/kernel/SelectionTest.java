package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kernels are chosen once per process: vector with the incubator module, scalar without it. */
class SelectionTest {

    /** Run in a child JVM: prints the chosen kernels and the result of a small product. */
    public static void main(String[] args) {
        float[] c = new float[4];
        Kernels.get().matmul(Mat.of(new float[] {1, 2, 3, 4}, 2, 2), Mat.of(new float[] {5, 6, 7, 8}, 2, 2), Mat.of(c, 2, 2));
        System.out.println(Kernels.get().name() + " " + c[0] + " " + c[1] + " " + c[2] + " " + c[3]);
    }

    private static String child(List<String> jvmOptions) throws Exception {
        var command = new java.util.ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SelectionTest.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> !l.startsWith("WARNING")).findFirst().orElse("");
    }

    @Test
    void withoutTheVectorModuleTheScalarKernelsRunAndGiveTheSameProduct() throws Exception {
        assertThat(child(List.of())).isEqualTo("scalar 19.0 22.0 43.0 50.0");
    }

    @Test
    void withTheVectorModuleTheVectorKernelsAreChosenUnlessScalarIsAsked() throws Exception {
        assertThat(child(List.of("--add-modules", "jdk.incubator.vector"))).startsWith("vector").endsWith(" 19.0 22.0 43.0 50.0");
        assertThat(child(List.of("--add-modules", "jdk.incubator.vector", "-Drecur.kernels=scalar"))).startsWith("scalar ");
    }
}
