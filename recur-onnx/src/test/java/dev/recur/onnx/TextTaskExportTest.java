package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.autograd.Tape;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.nn.Pooling;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.onnx.Ort.Longs;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.ClassifierConfig;
import dev.recur.task.score.TagScheme;
import dev.recur.task.tag.Tagger;
import dev.recur.task.tag.TaggerConfig;
import dev.recur.task.text.EncoderConfig;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exported classifiers and taggers run in ONNX Runtime and give Recur's results to 1e-5 relative ({@link Close})
 * on a padded batch with unsorted lengths (3, 5, 1), with unknown words and, with a character encoder, words of
 * different lengths: a classifier's logits, probabilities and attention for every pooling, a tagger's emissions,
 * and Viterbi over the exported CRF scores gives the tagger's own tags.
 */
class TextTaskExportTest {
    private static final Vocabulary WORDS = Vocabulary.of(List.of(Vocabulary.UNKNOWN, "the", "cat", "sat", "on", "mat"));
    private static final Vocabulary CHARS = Vocabulary.of(List.of(Vocabulary.UNKNOWN, "t", "h", "e", "c", "a", "s", "o", "n", "m"));
    private static final List<List<String>> SENTENCES = List.of(
            List.of("the", "cat", "sat"),
            List.of("on", "the", "mat", "dogs", "Cat"),
            List.of("mat"));
    private static final long[] LENGTHS = {3, 5, 1};
    private static final int T = 5, B = 3;

    record Encoder(CellType cell, int directions, boolean chars) {
        EncoderConfig config() {
            return new EncoderConfig(Tokenizer.WORD, 5, chars ? 3 : 0, chars ? 2 : 0, cell, 4, 2, directions, 0f, false);
        }

        TextEncoder build(Rng rng) {
            return new TextEncoder(config(), WORDS, chars ? CHARS : null, rng);
        }

        @Override
        public String toString() {
            return config().describe();
        }
    }

    static List<Encoder> encoders() {
        var all = new ArrayList<Encoder>();
        for (CellType cell : CellType.values())
            for (int d = 1; d <= 2; d++)
                for (boolean chars : new boolean[] {false, true}) all.add(new Encoder(cell, d, chars));
        return all;
    }

    record ClassifierCase(Encoder encoder, Pooling pooling) {
        @Override
        public String toString() {
            return encoder + ", " + pooling.name().toLowerCase();
        }
    }

    static Stream<ClassifierCase> classifiers() {
        return encoders().stream().flatMap(e -> Stream.of(Pooling.values()).map(p -> new ClassifierCase(e, p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("classifiers")
    void classifierGivesRecursLogitsProbabilitiesAndAttention(ClassifierCase c) throws Exception {
        var rng = new Rng(c.hashCode());
        var config = new ClassifierConfig(c.encoder().config(), c.pooling(), 3, 100);
        var classifier = new Classifier(config, c.encoder().build(rng), List.of("x", "y", "z"), rng);
        classifier.train(false);

        ModelProto onnx = TaskExport.classifier(classifier, classifier.configJson().toString(), Inputs.ALL, 17);
        Map<String, Tensor> ort = Ort.run(onnx, feeds(classifier.encoder(), c.encoder().chars()));
        Classifier.Output recur;
        try (var off = Tape.noGrad()) {
            recur = classifier.forward(SENTENCES);
        }

        assertClose("logits", ort.get("logits"), recur.logits().value());
        try (var off = Tape.noGrad()) {
            assertClose("probabilities", ort.get("probabilities"), recur.logits().softmax().value());
        }
        if (c.pooling() == Pooling.ATTENTION) assertClose("attention", ort.get("attention"), recur.attention().weights());
        else assertThat(ort).doesNotContainKey("attention");
    }

    record TaggerCase(Encoder encoder, TaggerConfig.Head head, TagScheme scheme) {
        @Override
        public String toString() {
            return encoder + ", " + head.name().toLowerCase() + ", " + scheme.name().toLowerCase();
        }
    }

    static Stream<TaggerCase> taggers() {
        var cases = new ArrayList<TaggerCase>();
        for (Encoder e : List.of(new Encoder(CellType.LSTM, 2, true), new Encoder(CellType.GRU, 1, false), new Encoder(CellType.RNN, 2, false))) {
            cases.add(new TaggerCase(e, TaggerConfig.Head.SOFTMAX, TagScheme.NONE));
            cases.add(new TaggerCase(e, TaggerConfig.Head.CRF, TagScheme.NONE));
            cases.add(new TaggerCase(e, TaggerConfig.Head.CRF, TagScheme.BIO));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("taggers")
    void taggerGivesRecursEmissionsAndCrfScoresThatDecodeToItsTags(TaggerCase c) throws Exception {
        var rng = new Rng(c.hashCode());
        List<String> tags = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
        var tagger = new Tagger(new TaggerConfig(c.encoder().config(), c.head()), c.encoder().build(rng), tags, c.scheme(), rng);
        tagger.train(false);
        if (c.head() == TaggerConfig.Head.CRF) {   // larger transition scores, so that the BIO constraints decide some paths
            for (var p : tagger.namedParameters().entrySet()) {
                if (p.getKey().startsWith("crf.")) for (int i = 0; i < p.getValue().value().size(); i++) p.getValue().value().data()[p.getValue().value().offset() + i] *= 20;
            }
        }

        ModelProto onnx = TaskExport.tagger(tagger, tagger.configJson().toString(), Inputs.ALL, 17);
        Map<String, Tensor> ort = Ort.run(onnx, feeds(tagger.encoder(), c.encoder().chars()));

        assertClose("emissions", ort.get("emissions"), emissions(tagger));
        if (c.head() == TaggerConfig.Head.SOFTMAX) {
            assertThat(ort.keySet()).containsExactly("emissions");
            return;
        }
        assertThat(ort.keySet()).containsExactly("emissions", "transitions", "start_transitions", "end_transitions");
        int[][] expected = tagger.predictIndices(SENTENCES);
        for (int b = 0; b < B; b++) {
            assertThat(viterbi(ort, b, (int) LENGTHS[b])).as("sentence %d", b).containsExactly(expected[b]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {14, 15, 16, 17})
    void everyOpsetFrom14To17RunsTheSame(int opset) throws Exception {
        var rng = new Rng(7);
        var encoder = new Encoder(CellType.LSTM, 2, true);
        var classifier = new Classifier(new ClassifierConfig(encoder.config(), Pooling.ATTENTION, 3, 100), encoder.build(rng), List.of("x", "y"), rng);
        classifier.train(false);

        ModelProto onnx = TaskExport.classifier(classifier, classifier.configJson().toString(), Inputs.ALL, opset);
        assertThat(onnx.getOpsetImport(0).getVersion()).isEqualTo(opset);
        Map<String, Tensor> ort = Ort.run(onnx, feeds(classifier.encoder(), true));
        try (var off = Tape.noGrad()) {
            Classifier.Output recur = classifier.forward(SENTENCES);
            assertClose("logits", ort.get("logits"), recur.logits().value());
            assertClose("attention", ort.get("attention"), recur.attention().weights());
        }
    }

    @Test
    void tokensAloneAreRefusedForTextTasks() {
        var rng = new Rng(5);
        var encoder = new Encoder(CellType.GRU, 1, false);
        var classifier = new Classifier(new ClassifierConfig(encoder.config(), Pooling.MEAN, 3, 100), encoder.build(rng), List.of("x", "y"), rng);
        assertThatThrownBy(() -> TaskExport.classifier(classifier, "{}", Inputs.INPUT, 17))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("--inputs input applies to recurrent stacks and language models; the graph of a text classifier needs lengths"
                        + " (for an unpadded batch, T for every sequence)");
    }

    @Test
    void inputAndOutputNamesAndDynamicAxes() {
        var rng = new Rng(6);
        var encoder = new Encoder(CellType.LSTM, 2, true);
        var classifier = new Classifier(new ClassifierConfig(encoder.config(), Pooling.ATTENTION, 3, 100), encoder.build(rng), List.of("x", "y"), rng);
        var graph = TaskExport.classifier(classifier, classifier.configJson().toString(), Inputs.ALL, 17).getGraph();
        assertThat(graph.getInputList()).extracting(ValueInfoProto::getName).containsExactly("tokens", "lengths", "chars", "char_lengths");
        assertThat(graph.getOutputList()).extracting(ValueInfoProto::getName).containsExactly("logits", "probabilities", "attention");
        assertThat(graph.getInput(0).getType().getTensorType().getShape().getDimList()).extracting(d -> d.getDimParam()).containsExactly("T", "B");
    }

    /** The tagger's emissions as Recur computes them: its encoder's outputs through its emissions layer. */
    private static Tensor emissions(Tagger tagger) {
        Tensor out;
        try (var off = Tape.noGrad()) {
            out = tagger.encoder().forward(SENTENCES).outputs().value();
        }
        Tensor w = tagger.stateDict().get("emissions.weight"), bias = tagger.stateDict().get("emissions.bias");
        int k = w.dim(0), h = w.dim(1), rows = out.size() / h;
        Tensor e = Tensor.zeros(out.dim(0), out.dim(1), k);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                float s = bias.at(j);
                for (int i = 0; i < h; i++) s += out.at(r * h + i) * w.at(j * h + i);
                e.data()[r * k + j] = s;
            }
        }
        return e;
    }

    /** Viterbi over ONNX Runtime's emissions and CRF scores for sentence b, as a caller would run it. */
    private static int[] viterbi(Map<String, Tensor> ort, int b, int n) {
        Tensor e = ort.get("emissions"), trans = ort.get("transitions");
        int k = trans.dim(0);
        double[] score = new double[k];
        int[][] back = new int[n][k];
        for (int j = 0; j < k; j++) score[j] = ort.get("start_transitions").at(j) + e.at(b * k + j);
        for (int t = 1; t < n; t++) {
            double[] next = new double[k];
            for (int j = 0; j < k; j++) {
                int best = 0;
                for (int i = 1; i < k; i++) if (score[i] + trans.at(i * k + j) > score[best] + trans.at(best * k + j)) best = i;
                back[t][j] = best;
                next[j] = score[best] + trans.at(best * k + j) + e.at((t * B + b) * k + j);
            }
            score = next;
        }
        int last = 0;
        for (int j = 1; j < k; j++) if (score[j] + ort.get("end_transitions").at(j) > score[last] + ort.get("end_transitions").at(last)) last = j;
        int[] path = new int[n];
        path[n - 1] = last;
        for (int t = n - 1; t > 0; t--) path[t - 1] = back[t][path[t]];
        return path;
    }

    /** tokens, lengths and (with a character encoder) each position's characters, time-major, padding one character long. */
    static Map<String, Object> feeds(TextEncoder encoder, boolean chars) {
        int[] ids = new int[T * B];
        for (int b = 0; b < B; b++) for (int t = 0; t < LENGTHS[b]; t++) ids[t * B + b] = encoder.wordId(SENTENCES.get(b).get(t));
        var feeds = new LinkedHashMap<String, Object>();
        feeds.put("tokens", Longs.of(ids, T, B));
        feeds.put("lengths", Longs.vector(LENGTHS));
        if (chars) {
            int n = T * B, c = 1;
            for (List<String> s : SENTENCES) for (String w : s) c = Math.max(c, Math.min(TextEncoder.MAX_WORD_CHARS, w.codePointCount(0, w.length())));
            int[] charIds = new int[c * n];
            long[] charLengths = new long[n];
            java.util.Arrays.fill(charLengths, 1);
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LENGTHS[b]; t++) {
                    int[] cps = SENTENCES.get(b).get(t).codePoints().limit(TextEncoder.MAX_WORD_CHARS).toArray();
                    charLengths[t * B + b] = cps.length;
                    for (int j = 0; j < cps.length; j++) charIds[j * n + t * B + b] = CHARS.id(new String(cps, j, 1));
                }
            }
            feeds.put("chars", Longs.of(charIds, c, n));
            feeds.put("char_lengths", Longs.vector(charLengths));
        }
        return feeds;
    }
}
