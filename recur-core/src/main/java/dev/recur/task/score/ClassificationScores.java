package dev.recur.task.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.train.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How well predicted class labels match gold ones, over N examples and K classes, as scikit-learn's
 * {@code classification_report(gold, predicted, zero_division=0)} reports it. For class k, with tp its correct
 * predictions:
 * <pre>
 * precision_k = tp / (examples predicted k)      0 when nothing is predicted k
 * recall_k    = tp / (examples of gold class k)  0 when no example is of class k (support 0)
 * F1_k        = 2 · precision_k · recall_k / (precision_k + recall_k)      0 when both are 0
 * accuracy    = (correct predictions) / N
 * macro F1    = the unweighted mean of F1_k over the classes that occur, as gold or as predicted label
 * </pre>
 * A class that occurs neither way is listed with zeros but left out of macro F1, as scikit-learn leaves out labels
 * absent from both {@code y_true} and {@code y_pred}. The confusion matrix has gold classes as rows and predicted
 * classes as columns, as {@code sklearn.metrics.confusion_matrix}.
 * <pre>
 * var s = ClassificationScores.of(List.of("neg", "pos"), new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 1});
 * s.accuracy()            // 0.75
 * s.classes().get(1)      // pos: precision 2/3, recall 1, F1 0.8, support 2
 * s.macroF1()             // (2/3 + 0.8) / 2 = 0.7333
 * s.confusion()           // [[1, 1], [0, 2]]
 * </pre>
 */
public final class ClassificationScores {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which value {@link #toMetrics} makes primary, the one that picks the best model. */
    public enum Primary {
        ACCURACY("accuracy"), MACRO_F1("macro_f1");

        private final String key;

        Primary(String key) {
            this.key = key;
        }

        /** The name in metrics and JSON: "accuracy" or "macro_f1". */
        public String key() {
            return key;
        }
    }

    /**
     * One class's scores.
     *
     * @param name      the class label, e.g. "pos"
     * @param precision the fraction of examples predicted as this class that are of it, 0 when none is predicted
     * @param recall    the fraction of examples of this class predicted as it, 0 when there are none
     * @param f1        the harmonic mean of precision and recall, 0 when both are 0
     * @param support   the number of examples of this class
     */
    public record ClassScore(String name, double precision, double recall, double f1, long support) {}

    private final List<String> names;
    private final long[][] confusion;   // [gold, predicted]
    private final long examples;
    private final List<ClassScore> classes;

    private ClassificationScores(List<String> names, long[][] confusion) {
        this.names = List.copyOf(names);
        this.confusion = confusion;
        long n = 0;
        for (long[] row : confusion) for (long c : row) n += c;
        this.examples = n;
        var scores = new ArrayList<ClassScore>();
        for (int k = 0; k < names.size(); k++) scores.add(score(k));
        this.classes = List.copyOf(scores);
    }

    /**
     * Scores over examples whose gold and predicted labels are class indices into {@code names}.
     *
     * @throws IllegalArgumentException when the arrays differ in length, are empty, or hold an index outside [0, K)
     */
    public static ClassificationScores of(List<String> names, int[] gold, int[] predicted) {
        if (gold.length != predicted.length)
            throw new IllegalArgumentException(gold.length + " gold labels but " + predicted.length + " predicted");
        if (gold.length == 0) throw new IllegalArgumentException("no examples to score");
        if (Set.copyOf(names).size() != names.size()) throw new IllegalArgumentException("class names must differ, got " + names);
        var confusion = new long[names.size()][names.size()];
        for (int i = 0; i < gold.length; i++) {
            confusion[checkClass(names, "gold", i, gold[i])][checkClass(names, "predicted", i, predicted[i])]++;
        }
        return new ClassificationScores(names, confusion);
    }

    private static int checkClass(List<String> names, String side, int example, int k) {
        if (k < 0 || k >= names.size())
            throw new IllegalArgumentException("example " + example + ": " + side + " class " + k + " is not in [0, " + names.size() + ") " + names);
        return k;
    }

    private ClassScore score(int k) {
        long tp = confusion[k][k], support = 0, predictedK = 0;
        for (int j = 0; j < names.size(); j++) {
            support += confusion[k][j];
            predictedK += confusion[j][k];
        }
        double precision = predictedK == 0 ? 0 : (double) tp / predictedK;
        double recall = support == 0 ? 0 : (double) tp / support;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassScore(names.get(k), precision, recall, f1, support);
    }

    /** N, the number of examples scored. */
    public long examples() {
        return examples;
    }

    /** The fraction of examples whose predicted class is the gold one. */
    public double accuracy() {
        long correct = 0;
        for (int k = 0; k < names.size(); k++) correct += confusion[k][k];
        return (double) correct / examples;
    }

    /** The mean F1 over the classes that occur as gold or predicted label (see the class comment). */
    public double macroF1() {
        double sum = 0;
        int counted = 0;
        for (int k = 0; k < names.size(); k++) {
            if (classes.get(k).support() > 0 || predictedCount(k) > 0) {
                sum += classes.get(k).f1();
                counted++;
            }
        }
        return sum / counted;   // at least one class occurs, as there is at least one example
    }

    private long predictedCount(int k) {
        long n = 0;
        for (long[] row : confusion) n += row[k];
        return n;
    }

    /** Every class's scores, in class index order. */
    public List<ClassScore> classes() {
        return classes;
    }

    /** The class names by index. */
    public List<String> names() {
        return names;
    }

    /** A copy of the confusion matrix: [gold][predicted] example counts. */
    public long[][] confusion() {
        var copy = new long[confusion.length][];
        for (int k = 0; k < confusion.length; k++) copy[k] = confusion[k].clone();
        return copy;
    }

    /** Accuracy and macro F1 for the trainer, higher being better, {@code primary} first. */
    public Metrics toMetrics(Primary primary) {
        var other = primary == Primary.ACCURACY ? Primary.MACRO_F1 : Primary.ACCURACY;
        return Metrics.higher(primary.key(), value(primary)).with(other.key(), value(other));
    }

    private double value(Primary p) {
        return p == Primary.ACCURACY ? accuracy() : macroF1();
    }

    /**
     * The report as {@code recur classify eval --json} prints it:
     * <pre>
     * {"examples": 4, "accuracy": 0.75, "macro_f1": 0.733,
     *  "classes": {"neg": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2}, "pos": {...}},
     *  "confusion": {"labels": ["neg", "pos"], "matrix": [[1, 1], [0, 2]]}}
     * </pre>
     */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode().put("examples", examples).put("accuracy", accuracy()).put("macro_f1", macroF1());
        ObjectNode byClass = json.putObject("classes");
        for (ClassScore c : classes) {
            byClass.putObject(c.name()).put("precision", c.precision()).put("recall", c.recall()).put("f1", c.f1()).put("support", c.support());
        }
        ObjectNode matrix = json.putObject("confusion");
        ArrayNode labels = matrix.putArray("labels");
        names.forEach(labels::add);
        ArrayNode rows = matrix.putArray("matrix");
        for (long[] row : confusion) {
            ArrayNode r = rows.addArray();
            for (long c : row) r.add(c);
        }
        return json;
    }

    /** "accuracy 0.7500, macro F1 0.7333 over 4 examples and 2 classes". */
    @Override
    public String toString() {
        return String.format("accuracy %.4f, macro F1 %.4f over %d examples and %d classes", accuracy(), macroF1(), examples, names.size());
    }
}
