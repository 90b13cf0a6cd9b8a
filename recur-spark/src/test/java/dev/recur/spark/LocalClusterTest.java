package dev.recur.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.tensor.Tensor;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** Spark runs Recur's classes in-process ({@code local[2]}) and in separate executor JVMs ({@code local-cluster}). */
class LocalClusterTest {

    /** The sum of a tensor built on the worker, and the worker's process id, for partition {@code p}. */
    private static Tuple2<Double, Long> work(int p) {
        Tensor t = Tensor.full(p + 1, 4, 8);
        double sum = 0;
        for (int i = 0; i < t.size(); i++) sum += t.at(i);
        return new Tuple2<>(sum, ProcessHandle.current().pid());
    }

    private static List<Tuple2<Double, Long>> run(SparkConf conf) {
        try (var sc = new JavaSparkContext(conf)) {
            return sc.parallelize(List.of(0, 1), 2).map(LocalClusterTest::work).collect();
        }
    }

    @Test
    void testJvmClassPathIsRealEntries() {
        String cp = System.getProperty("java.class.path");
        assertThat(cp.split(File.pathSeparator)).hasSizeGreaterThan(10)
                .anyMatch(e -> e.contains("spark-core_2.13"))
                .allMatch(e -> Path.of(e).isAbsolute());
    }

    @Test
    void localClusterRunsRecurInSeparateJvms() {
        SparkConf conf = LocalSpark.conf("local-cluster[2,1,1024]", "recur-local-cluster-test")
                .set("spark.executor.memory", "512m");
        assertThat(conf.get("spark.executor.extraJavaOptions")).contains("-Dlog4j2.configurationFile=");
        long self = ProcessHandle.current().pid();

        List<Tuple2<Double, Long>> results = run(conf);

        assertThat(results).extracting(Tuple2::_1).containsExactly(32.0, 64.0);
        assertThat(results).extracting(Tuple2::_2).doesNotContain(self);
    }

    @Test
    void localRunsRecurInThisJvm() {
        SparkConf conf = LocalSpark.conf("local[2]", "recur-local-test");
        assertThat(conf.contains("spark.executor.extraClassPath")).isFalse();

        List<Tuple2<Double, Long>> results = run(conf);

        assertThat(results).extracting(Tuple2::_1).containsExactly(32.0, 64.0);
        assertThat(results).extracting(Tuple2::_2).containsOnly(ProcessHandle.current().pid());
    }

    @Test
    void executorClassPathIsAbsolute() {
        String cwd = Path.of("").toAbsolutePath().toString();
        assertThat(LocalSpark.absoluteClassPath("lib/a.jar" + File.pathSeparator + File.pathSeparator + "/x/b.jar"))
                .isEqualTo(cwd + "/lib/a.jar" + File.pathSeparator + "/x/b.jar");
        assertThat(LocalSpark.isLocalCluster("local-cluster[2,1,1024]")).isTrue();
        assertThat(LocalSpark.isLocalCluster("local[2]")).isFalse();
        assertThat(LocalSpark.isLocalCluster("spark://host:7077")).isFalse();
    }

    @Test
    void localClusterWithoutSparkHomeIsOneLine() {
        assertThatThrownBy(() -> LocalSpark.checkSparkHome(null, "local-cluster[2,1,1024]"))
                .hasMessageStartingWith("master local-cluster[2,1,1024] needs SPARK_HOME");
        assertThatThrownBy(() -> LocalSpark.checkSparkHome("/nonexistent", "local-cluster[2,1,1024]"))
                .hasMessage("master local-cluster[2,1,1024]: SPARK_HOME /nonexistent has no jars/ directory "
                        + "(an empty one will do)");
    }
}
