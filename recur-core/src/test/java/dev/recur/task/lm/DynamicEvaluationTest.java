package dev.recur.task.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.autograd.Variable;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DynamicEvaluationTest {
    private static final String ALPHABET = "abcdefgh \n";

    private static LanguageModel untrained() {
        var vocab = Vocabulary.build(Tokenizer.CHAR.split(ALPHABET), 0);
        return new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 8, 16, 1, 0f), vocab, new Rng(4));
    }

    /** A phrase of random letters said over and over: nothing a static model knows, everything an adapting one can learn. */
    private static int[] refrain(LanguageModel lm, int length) {
        var rng = new Rng(9);
        var phrase = new StringBuilder();
        for (int i = 0; i < 23; i++) phrase.append(ALPHABET.charAt(rng.nextInt(8)));
        var text = new StringBuilder();
        while (text.length() < length) text.append(phrase).append(' ');
        return Tokenizer.CHAR.encode(text.substring(0, length), lm.vocabulary());
    }

    private static List<float[]> weights(LanguageModel lm) {
        var copies = new ArrayList<float[]>();
        for (Variable p : lm.parameters()) copies.add(p.value().toArray());
        return copies;
    }

    @Test
    void withoutAStepItIsTheStaticScore() {
        var lm = untrained();
        int[] ids = refrain(lm, 3000);
        var fixed = LanguageModelTraining.evaluate(lm, ids, 4, 16);
        var dynamic = DynamicEvaluation.evaluate(lm, ids, 4, 16, 0f, 0f);
        assertThat(dynamic.tokens()).isEqualTo(fixed.tokens());
        assertThat(dynamic.natsPerToken()).isCloseTo(fixed.natsPerToken(), Offset.offset(1e-5));
    }

    @Test
    void adaptsToTheTextItReadsAndLeavesTheWeightsAsTheyWere() {
        var lm = untrained();
        int[] ids = refrain(lm, 6000);
        List<float[]> before = weights(lm);
        double fixed = LanguageModelTraining.evaluate(lm, ids, 4, 16).natsPerToken();
        double dynamic = DynamicEvaluation.evaluate(lm, ids, 4, 16, 0.01f, 0f).natsPerToken();
        assertThat(dynamic).as("static %.3f nats per character", fixed).isLessThan(fixed - 0.5);
        List<float[]> after = weights(lm);
        for (int i = 0; i < before.size(); i++) assertThat(after.get(i)).containsExactly(before.get(i));
        assertThat(lm.training()).isTrue();
    }

    @Test
    void aFullDecayForgetsWhatEachStepLearned() {
        var lm = untrained();
        int[] ids = refrain(lm, 6000);
        double free = DynamicEvaluation.evaluate(lm, ids, 4, 16, 0.01f, 0f).natsPerToken();
        double pinned = DynamicEvaluation.evaluate(lm, ids, 4, 16, 0.01f, 1f).natsPerToken();
        double fixed = LanguageModelTraining.evaluate(lm, ids, 4, 16).natsPerToken();
        // With λ = 1 each chunk is read by the trained weights moved by the previous chunk's step only.
        assertThat(pinned).isGreaterThan(free + 0.3).isLessThan(fixed);
    }

    @Test
    void aRateThatOverflowsTheWeightsIsReportedAndTheWeightsAreRestored() {
        var lm = untrained();
        int[] ids = refrain(lm, 3000);
        List<float[]> before = weights(lm);
        assertThatThrownBy(() -> DynamicEvaluation.evaluate(lm, ids, 4, 16, 3e38f, 0f))
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("lower learning rate");
        List<float[]> after = weights(lm);
        for (int i = 0; i < before.size(); i++) assertThat(after.get(i)).containsExactly(before.get(i));
        assertThatThrownBy(() -> DynamicEvaluation.evaluate(lm, ids, 4, 16, 0.1f, 1.5f)).hasMessageContaining("decay");
    }
}
