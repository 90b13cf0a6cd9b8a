package dev.recur.spark.cli;

import dev.recur.cli.Recur;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class for {@code spark-submit}: {@code spark-submit --class dev.recur.spark.cli.Submit recur-spark.jar
 * TASK train [options]} runs {@code recur spark TASK train [options]} on the master spark-submit was given.
 */
public final class Submit {
    private Submit() {}

    public static void main(String[] args) {
        var all = new ArrayList<String>(List.of("spark"));
        all.addAll(List.of(args));
        System.exit(Recur.run(all.toArray(String[]::new)));
    }
}
