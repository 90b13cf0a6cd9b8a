package dev.recur.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * The {@link SparkConf} of a Recur run, with what a {@code local-cluster[N,C,MB]} master needs when there is no Spark
 * installation, only Spark's jars on this JVM's class path.
 *
 * <p>A local-cluster master starts its workers inside this JVM, and each worker launches executors as separate JVMs with
 * {@code $SPARK_HOME/jars/*} and {@code spark.executor.extraClassPath} on their class path. So the driver's environment
 * must name a {@code SPARK_HOME} whose {@code jars/} directory exists (it may be empty: {@code ./recur} and the build
 * provide one), and the executors get this JVM's class path, with absolute entries because they run in the worker's
 * work directory. Other masters ({@code local[N]}, {@code spark://}, {@code yarn}, {@code k8s://}) are left alone.
 */
public final class LocalSpark {

    /** Spark's log4j2 configuration in the executors of a local cluster: warnings and errors only. */
    public static final String QUIET_LOG4J2 = "dev/recur/spark/log4j2-quiet.properties";

    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[.*]");

    private LocalSpark() {}

    /** Whether {@code master} starts a cluster of executor JVMs inside this process. */
    public static boolean isLocalCluster(String master) {
        return LOCAL_CLUSTER.matcher(master.strip()).matches();
    }

    /**
     * A configuration for {@code master}: the app name, the web UI off, and for a local-cluster master the executors'
     * class path, Scala version and quiet logging. Settings made later append to {@code spark.executor.extraJavaOptions}
     * rather than replace it.
     *
     * @throws IllegalStateException for a local-cluster master when {@code SPARK_HOME} is unset or has no {@code jars/}
     */
    public static SparkConf conf(String master, String appName) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName).set("spark.ui.enabled", "false");
        if (!isLocalCluster(master)) return conf;
        checkSparkHome(System.getenv("SPARK_HOME"), master);
        conf.set("spark.executor.extraClassPath", absoluteClassPath(System.getProperty("java.class.path")));
        conf.set("spark.executorEnv.SPARK_SCALA_VERSION", scalaVersion());
        conf.set("spark.executor.extraJavaOptions", String.join(" ", executorLogging()));
        return conf;
    }

    /** Throws the one-line error for a local-cluster master without a usable Spark home. */
    static void checkSparkHome(String sparkHome, String master) {
        if (sparkHome == null || sparkHome.isBlank()) {
            throw new IllegalStateException("master " + master + " needs SPARK_HOME: a directory with a jars/ "
                    + "subdirectory (./recur sets it to recur-bench/target/spark-home)");
        }
        if (!Files.isDirectory(Path.of(sparkHome, "jars"))) {
            throw new IllegalStateException("master " + master + ": SPARK_HOME " + sparkHome
                    + " has no jars/ directory (an empty one will do)");
        }
    }

    /** The class path {@code cp} with every entry absolute, empty entries dropped. */
    static String absoluteClassPath(String cp) {
        List<String> entries = new ArrayList<>();
        for (String entry : cp.split(Pattern.quote(File.pathSeparator))) {
            if (entry.isBlank()) continue;
            entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String scalaVersion() {
        String version = System.getenv("SPARK_SCALA_VERSION");
        if (version != null && !version.isBlank()) return version;
        String full = scala.util.Properties.versionNumberString();   // e.g. 2.13.18
        return full.substring(0, full.lastIndexOf('.'));
    }

    /**
     * The executors' logging options: Spark's log4j2 at WARN, and this JVM's SLF4J settings (provider, verbosity) and
     * simple-logger levels, so that executors log like the driver whichever providers their class path holds.
     */
    static List<String> executorLogging() {
        List<String> options = new ArrayList<>();
        options.add("-Dlog4j2.configurationFile=" + QUIET_LOG4J2);
        for (String name : System.getProperties().stringPropertyNames().stream().sorted().toList()) {
            if (name.startsWith("slf4j.") || name.startsWith("org.slf4j.simpleLogger.")) {
                String value = System.getProperty(name);
                if (!value.isEmpty() && value.chars().noneMatch(Character::isWhitespace)) {
                    options.add("-D" + name + "=" + value);
                }
            }
        }
        return options;
    }
}
