package dev.recur.task.seq2seq;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.task.score.Bleu;
import dev.recur.task.score.Chrf;
import dev.recur.task.score.EditDistance;
import dev.recur.train.Metrics;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequence-to-sequence model's outputs scored against their references: corpus BLEU-4 (sacreBLEU's defaults),
 * chrF, sequence accuracy (an output equal to one of its references) and the token error rate (edit distance
 * over the closest reference's length; tokens are words, or characters when the target side is characters).
 */
public record SequenceScores(int sentences, Bleu bleu, Chrf chrf, EditDistance edits) {

    public static SequenceScores of(List<String> outputs, List<List<String>> references, boolean characters) {
        var hyp = new ArrayList<List<String>>();
        var refs = new ArrayList<List<List<String>>>();
        for (int i = 0; i < outputs.size(); i++) {
            hyp.add(tokens(outputs.get(i), characters));
            refs.add(references.get(i).stream().map(r -> tokens(r, characters)).toList());
        }
        return new SequenceScores(outputs.size(), Bleu.corpus(outputs, references), Chrf.corpus(outputs, references), EditDistance.corpus(hyp, refs));
    }

    private static List<String> tokens(String line, boolean characters) {
        if (characters) return line.strip().codePoints().mapToObj(Character::toString).toList();
        String s = line.strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    public double tokenErrorRate() {
        return edits.tokenErrorRate();
    }

    public double sequenceAccuracy() {
        return edits.sequenceAccuracy();
    }

    /** As validation metrics, {@code primary} first: "bleu", "chrf" or "sequence_accuracy" (higher), or "token_error_rate" (lower). */
    public Metrics toMetrics(String primary) {
        Metrics m = primary.equals("token_error_rate") ? Metrics.lower(primary, tokenErrorRate()) : Metrics.higher(primary, value(primary));
        for (String name : List.of("bleu", "chrf", "sequence_accuracy", "token_error_rate")) if (!name.equals(primary)) m = m.with(name, value(name));
        return m;
    }

    private double value(String name) {
        return switch (name) {
            case "bleu" -> bleu.score();
            case "chrf" -> chrf.score();
            case "sequence_accuracy" -> sequenceAccuracy();
            case "token_error_rate" -> tokenErrorRate();
            default -> throw new IllegalArgumentException("unknown metric " + name);
        };
    }

    /** {"sentences", "bleu", "chrf", "sequence_accuracy", "token_error_rate"}: BLEU and chrF on 0–100, the rest fractions. */
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("sentences", sentences).put("bleu", bleu.score()).put("chrf", chrf.score())
                .put("sequence_accuracy", sequenceAccuracy()).put("token_error_rate", tokenErrorRate());
    }

    @Override
    public String toString() {
        return String.format("BLEU %.2f, chrF %.2f, sequence accuracy %.2f%%, token error rate %.2f%% (%,d sentences)", bleu.score(),
                chrf.score(), 100 * sequenceAccuracy(), 100 * tokenErrorRate(), sentences);
    }
}
