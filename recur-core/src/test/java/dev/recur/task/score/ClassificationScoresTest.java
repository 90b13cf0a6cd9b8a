package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.train.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationScoresTest {
    static final List<String> NAMES = List.of("neg", "neu", "pos", "spam", "other");
    // 12 examples. "spam" is predicted once but never gold; "other" occurs neither way.
    static final int[] GOLD = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2};
    static final int[] PREDICTED = {0, 0, 1, 2, 1, 1, 0, 2, 2, 2, 3, 1};

    /*
     * Expected values by hand, from the confusion matrix (rows gold, columns predicted):
     *          neg neu pos spam other
     *   neg  [  2   1   1   0    0 ]   support 4
     *   neu  [  1   2   0   0    0 ]   support 3
     *   pos  [  0   1   3   1    0 ]   support 5
     *   spam [  0   0   0   0    0 ]   support 0
     *   other[  0   0   0   0    0 ]   support 0
     * neg:  precision 2/3 (column sum 3), recall 2/4, F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7
     * neu:  precision 2/4, recall 2/3, F1 4/7;   pos: precision 3/4, recall 3/5, F1 2/3
     * spam: predicted once, never right: precision 0/1, recall 0/0 → 0, F1 0
     * accuracy 7/12; macro F1 over neg, neu, pos, spam (other occurs neither way) = (4/7 + 4/7 + 2/3 + 0) / 4 = 19/42.
     * scikit-learn 1.2.1 agrees: classification_report(GOLD, PREDICTED, labels=[0, 1, 2, 3], zero_division=0) prints
     * precision 0.666667 0.500000 0.750000 0.000000, recall 0.500000 0.666667 0.600000 0.000000, f1 0.571429 0.571429
     * 0.666667 0.000000, accuracy 0.583333, macro avg f1 0.452381; f1_score(GOLD, PREDICTED, average="macro",
     * zero_division=0) = 0.4523809523809524; confusion_matrix(GOLD, PREDICTED, labels=range(5)) the matrix above.
     */
    @Test
    void matchesScikitLearnsReport() {
        var s = ClassificationScores.of(NAMES, GOLD, PREDICTED);
        assertThat(s.examples()).isEqualTo(12);
        assertThat(s.accuracy()).isCloseTo(7.0 / 12, within(1e-12));
        assertThat(s.macroF1()).isCloseTo(19.0 / 42, within(1e-12));
        assertThat(s.classes()).extracting(ClassificationScores.ClassScore::name).containsExactlyElementsOf(NAMES);
        assertClass(s.classes().get(0), 2.0 / 3, 2.0 / 4, 4.0 / 7, 4);
        assertClass(s.classes().get(1), 2.0 / 4, 2.0 / 3, 4.0 / 7, 3);
        assertClass(s.classes().get(2), 3.0 / 4, 3.0 / 5, 2.0 / 3, 5);
        assertClass(s.classes().get(3), 0, 0, 0, 0);
        assertClass(s.classes().get(4), 0, 0, 0, 0);
        assertThat(s.confusion()).isDeepEqualTo(new long[][] {
                {2, 1, 1, 0, 0}, {1, 2, 0, 0, 0}, {0, 1, 3, 1, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}});
    }

    static void assertClass(ClassificationScores.ClassScore c, double precision, double recall, double f1, long support) {
        assertThat(c.precision()).as(c.name() + " precision").isCloseTo(precision, within(1e-12));
        assertThat(c.recall()).as(c.name() + " recall").isCloseTo(recall, within(1e-12));
        assertThat(c.f1()).as(c.name() + " f1").isCloseTo(f1, within(1e-12));
        assertThat(c.support()).as(c.name() + " support").isEqualTo(support);
    }

    @Test
    void theJavadocExample() {
        var s = ClassificationScores.of(List.of("neg", "pos"), new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 1});
        assertThat(s.accuracy()).isEqualTo(0.75);
        assertClass(s.classes().get(1), 2.0 / 3, 1, 0.8, 2);
        assertThat(s.macroF1()).isCloseTo((2.0 / 3 + 0.8) / 2, within(1e-12));
        assertThat(s.toString()).isEqualTo("accuracy 0.7500, macro F1 0.7333 over 4 examples and 2 classes");
    }

    @Test
    void jsonHasTheFormOfClassifyEval() {
        JsonNode json = ClassificationScores.of(NAMES, GOLD, PREDICTED).toJson();
        assertThat(json.fieldNames()).toIterable().containsExactly("examples", "accuracy", "macro_f1", "classes", "confusion");
        assertThat(json.get("examples").asLong()).isEqualTo(12);
        assertThat(json.get("macro_f1").asDouble()).isCloseTo(19.0 / 42, within(1e-12));
        assertThat(json.get("classes").fieldNames()).toIterable().containsExactlyElementsOf(NAMES);
        JsonNode pos = json.get("classes").get("pos");
        assertThat(pos.fieldNames()).toIterable().containsExactly("precision", "recall", "f1", "support");
        assertThat(pos.get("precision").asDouble()).isEqualTo(0.75);
        assertThat(pos.get("support").isIntegralNumber()).isTrue();
        assertThat(json.get("confusion").toString()).isEqualTo(
                "{\"labels\":[\"neg\",\"neu\",\"pos\",\"spam\",\"other\"],\"matrix\":[[2,1,1,0,0],[1,2,0,0,0],[0,1,3,1,0],[0,0,0,0,0],[0,0,0,0,0]]}");
    }

    @Test
    void metricsPutTheCallersChoiceFirst() {
        var s = ClassificationScores.of(NAMES, GOLD, PREDICTED);
        Metrics byF1 = s.toMetrics(ClassificationScores.Primary.MACRO_F1);
        assertThat(byF1.primary()).isEqualTo("macro_f1");
        assertThat(byF1.better()).isEqualTo(Metrics.Better.HIGHER);
        assertThat(byF1.values().keySet()).containsExactly("macro_f1", "accuracy");
        assertThat(byF1.get("accuracy")).isEqualTo(s.accuracy());
        Metrics byAccuracy = s.toMetrics(ClassificationScores.Primary.ACCURACY);
        assertThat(byAccuracy.primary()).isEqualTo("accuracy");
        assertThat(byAccuracy.value()).isEqualTo(s.accuracy());
    }

    @Test
    void badInputIsRejectedByName() {
        assertThatThrownBy(() -> ClassificationScores.of(NAMES, new int[] {0, 1}, new int[] {0}))
                .hasMessage("2 gold labels but 1 predicted");
        assertThatThrownBy(() -> ClassificationScores.of(NAMES, new int[0], new int[0])).hasMessage("no examples to score");
        assertThatThrownBy(() -> ClassificationScores.of(List.of("a", "b"), new int[] {0, 1}, new int[] {0, 2}))
                .hasMessage("example 1: predicted class 2 is not in [0, 2) [a, b]");
        assertThatThrownBy(() -> ClassificationScores.of(List.of("a", "a"), new int[] {0}, new int[] {0}))
                .hasMessage("class names must differ, got [a, a]");
    }
}
