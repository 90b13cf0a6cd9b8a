package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.data.Conll;
import dev.recur.train.Metrics;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaggingScoresTest {
    // Two sentences, 7 tokens; "Smith" and "Zurich" are unknown. Every tag but Bob's is right: 6 of 7.
    // Unknown: Smith right, Zurich right → 2 of 2. Chunks: gold PER 0..2, PER 0..1 (2nd sentence), LOC 2..3;
    // predicted PER 0..2, ORG 0..1, LOC 2..3 → 2 of 3 correct: precision = recall = F1 = 2/3.
    static final String CORPUS = """
            Ann B-PER B-PER
            Smith I-PER I-PER
            spoke O O

            Bob B-PER B-ORG
            visited O O
            Zurich B-LOC B-LOC
            today O O
            """;
    static final Set<String> TRAINING_WORDS = Set.of("Ann", "spoke", "Bob", "visited", "today");

    static TaggingScores score(TagScheme scheme, String conll, Set<String> known) {
        var tokens = Conll.parse(conll, 0, 1).stream().map(Conll.Sentence::tokens).toList();
        return TaggingScores.of(scheme, tokens, SpanScoresTest.gold(conll), SpanScoresTest.predicted(conll), known::contains);
    }

    @Test
    void tokenAccuracyOverallAndOnUnknownWords() {
        var s = score(TagScheme.BIO, CORPUS, TRAINING_WORDS);
        assertThat(s.tokens()).isEqualTo(7);
        assertThat(s.accuracy()).isCloseTo(6.0 / 7, within(1e-12));   // only Bob's tag is wrong
        assertThat(s.unknownTokens()).isEqualTo(2);
        assertThat(s.unknownAccuracy()).hasValue(1.0);
        assertThat(s.spans()).get().extracting(SpanScores::total).isEqualTo(new SpanScores.Counts(3, 3, 2));
    }

    @Test
    void jsonHasTheFormOfTagEval() {
        var json = score(TagScheme.BIO, CORPUS, TRAINING_WORDS).toJson();
        assertThat(json.fieldNames()).toIterable().containsExactly("tokens", "accuracy", "unknown_accuracy", "spans");
        assertThat(json.get("tokens").asLong()).isEqualTo(7);
        assertThat(json.get("unknown_accuracy").asDouble()).isEqualTo(1.0);
        assertThat(json.get("spans").fieldNames()).toIterable().containsExactly("precision", "recall", "f1");
        assertThat(json.get("spans").get("f1").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void plainTagsHaveNoSpansAndEveryKnownWordNoUnknownAccuracy() {
        String pos = """
                The DT DT
                cat NN NN
                sat VBD NN
                """;
        var s = score(TagScheme.NONE, pos, Set.of("The", "cat", "sat"));
        assertThat(s.spans()).isEmpty();
        assertThat(s.unknownAccuracy()).isEmpty();
        assertThat(s.toJson().toString()).isEqualTo("{\"tokens\":3,\"accuracy\":0.6666666666666666,\"unknown_accuracy\":null}");
        Metrics m = s.toMetrics();
        assertThat(m.primary()).isEqualTo("accuracy");
        assertThat(m.values()).containsOnlyKeys("accuracy");
    }

    @Test
    void metricsMakeSpanF1PrimaryWhenThereAreSpans() {
        Metrics m = score(TagScheme.BIO, CORPUS, TRAINING_WORDS).toMetrics();
        assertThat(m.primary()).isEqualTo("f1");
        assertThat(m.better()).isEqualTo(Metrics.Better.HIGHER);
        assertThat(m.values().keySet()).containsExactly("f1", "precision", "recall", "accuracy", "unknown_accuracy");
        assertThat(m.value()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void corporaThatDoNotLineUpAreRejected() {
        assertThatThrownBy(() -> TaggingScores.of(TagScheme.BIO, List.of(List.of("a", "b")), List.of(List.of("O")), List.of(List.of("O")), w -> true))
                .hasMessage("sentence 0 (from 0): 2 tokens but 1 gold tags");
        assertThatThrownBy(() -> TaggingScores.of(TagScheme.BIO, List.of(List.of()), List.of(List.of()), List.of(List.of()), w -> true))
                .hasMessage("no tokens to score");
    }
}
