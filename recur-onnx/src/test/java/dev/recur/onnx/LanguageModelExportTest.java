package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.autograd.Tape;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.RecurrentState;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.onnx.Ort.Longs;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exported language models run in ONNX Runtime and give {@link LanguageModel#forward}'s logits and final states to
 * 1e-5 relative ({@link Close}), on a padded batch and step by step through h_n → h0 as generation runs.
 * V=7, embed 5, H=4, 2 layers, T=5, B=3.
 */
class LanguageModelExportTest {
    private static final int T = 5, B = 3, LAYERS = 2, H = 4;
    private static final Vocabulary VOCABULARY = Vocabulary.of(List.of(Vocabulary.UNKNOWN, " ", "a", "b", "c", "d", "e"));

    static LanguageModel model(CellType cell, long seed) {
        var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, cell, 5, H, LAYERS, 0f), VOCABULARY, new Rng(seed));
        lm.train(false);
        return lm;
    }

    static ModelProto export(LanguageModel lm, Inputs inputs) {
        return TaskExport.languageModel(lm, lm.configJson().toString(), inputs, 17);
    }

    static int[] randomIds(Rng rng, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(VOCABULARY.size());
        return ids;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void paddedBatchWithGivenStateGivesRecursLogitsAndStates(CellType cell) throws Exception {
        var rng = new Rng(21);
        LanguageModel lm = model(cell, 1);
        int[] ids = randomIds(rng, T * B);
        int[] lengths = {3, 5, 1};
        RecurrentState zero = lm.zeroState(B);
        Tensor h = Tensor.randn(rng, zero.h().value().shape());
        RecurrentState state = zero.c() == null ? RecurrentState.of(h) : RecurrentState.of(h, Tensor.randn(rng, zero.c().value().shape()));

        Map<String, Tensor> ort = Ort.run(export(lm, Inputs.ALL), feeds(ids, T, new long[] {3, 5, 1}, state));
        LanguageModel.Output recur;
        try (var off = Tape.noGrad()) {
            recur = lm.forward(ids, Lengths.of(lengths), state);
        }
        assertClose("logits", ort.get("logits"), recur.logits().value());
        assertClose("h_n", ort.get("h_n"), recur.state().h().value());
        if (cell == CellType.LSTM) assertClose("c_n", ort.get("c_n"), recur.state().c().value());
        else assertThat(ort).doesNotContainKey("c_n");
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void generationStepsChainedThroughHnGiveRecursSteps(CellType cell) throws Exception {
        var rng = new Rng(22);
        LanguageModel lm = model(cell, 2);
        ModelProto onnx = export(lm, Inputs.ALL);
        RecurrentState ortState = lm.zeroState(B), recurState = lm.zeroState(B);
        for (int step = 0; step < 4; step++) {
            int[] ids = randomIds(rng, B);
            Map<String, Tensor> ort = Ort.run(onnx, feeds(ids, 1, new long[] {1, 1, 1}, ortState));
            LanguageModel.Output recur = lm.step(ids, recurState);
            assertClose("logits at step " + step, ort.get("logits").reshape(B, VOCABULARY.size()), recur.logits().value());
            assertClose("h_n at step " + step, ort.get("h_n"), recur.state().h().value());
            if (cell == CellType.LSTM) assertClose("c_n at step " + step, ort.get("c_n"), recur.state().c().value());
            ortState = cell == CellType.LSTM ? RecurrentState.of(ort.get("h_n"), ort.get("c_n")) : RecurrentState.of(ort.get("h_n"));
            recurState = recur.state();
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void tokensOnlyGraphRunsFullLengthsFromZeroState(CellType cell) throws Exception {
        var rng = new Rng(23);
        LanguageModel lm = model(cell, 3);
        int[] ids = randomIds(rng, T * B);
        ModelProto onnx = export(lm, Inputs.INPUT);
        assertThat(onnx.getGraph().getInputList()).extracting(ValueInfoProto::getName).containsExactly("tokens");
        assertThat(onnx.getMetadataProps(0).getValue()).contains("\"type\":\"language_model\"", "\"vocabulary\":[\"<unk>\"");

        Map<String, Tensor> ort = Ort.run(onnx, Map.of("tokens", Longs.of(ids, T, B)));
        LanguageModel.Output recur;
        try (var off = Tape.noGrad()) {
            recur = lm.forward(ids, T, B, null);
        }
        assertClose("logits", ort.get("logits"), recur.logits().value());
        assertClose("h_n", ort.get("h_n"), recur.state().h().value());
    }

    static Map<String, Object> feeds(int[] ids, int steps, long[] lengths, RecurrentState state) {
        var feeds = new LinkedHashMap<String, Object>();
        feeds.put("tokens", Longs.of(ids, steps, lengths.length));
        feeds.put("lengths", Longs.vector(lengths));
        feeds.put("h0", state.h().value());
        if (state.c() != null) feeds.put("c0", state.c().value());
        return feeds;
    }
}
