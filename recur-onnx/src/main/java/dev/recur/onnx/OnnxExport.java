package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.io.AtomicWrite;
import dev.recur.io.ModelFormatException;
import dev.recur.nn.Recurrent;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.classify.Classifier;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.tag.Tagger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Any Recur model file as ONNX, as far as Recur exports it: bare RNN, LSTM and GRU stacks ({@link RecurrentExport}),
 * language models, text classifiers and sequence taggers ({@link TaskExport}), and sequence-to-sequence models as an
 * encoder and a decoder graph ({@link Seq2SeqExport}, through {@link #files}), forecasters' and anomaly detectors'
 * networks ({@link ForecastExport}, {@link AnomalyExport}); any other kind is refused with a one-line
 * {@link ModelFormatException}.
 * <pre>
 * ModelProto onnx = OnnxExport.of(Models.open(Path.of("lstm.safetensors")), RecurrentExport.Inputs.ALL, 17);
 * OnnxExport.write(Path.of("lstm.onnx"), onnx);
 * </pre>
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** The ONNX model of an opened model file; its recur.config goes into the metadata unchanged. */
    public static ModelProto of(Models.Opened model, RecurrentExport.Inputs inputs, int opset) {
        String config = model.config().toString();
        if (model.model() instanceof Recurrent rnn) return RecurrentExport.model(String.valueOf(model.file()), rnn, config, inputs, opset);
        if (model.model() instanceof LanguageModel lm) return TaskExport.languageModel(lm, config, inputs, opset);
        if (model.model() instanceof Classifier classifier) return TaskExport.classifier(classifier, config, inputs, opset);
        if (model.model() instanceof Tagger tagger) return TaskExport.tagger(tagger, config, inputs, opset);
        if (model.model() instanceof Forecaster f) return ForecastExport.forecaster(f, config, inputs, opset);
        if (model.model() instanceof AnomalyDetector d) return AnomalyExport.detector(d, config, inputs, opset);
        if (model.model() instanceof Seq2Seq) {
            throw new ModelFormatException(model.file(), "a sequence-to-sequence model exports as two graphs, an encoder and a decoder;"
                    + " use OnnxExport.files or Seq2SeqExport.graphs");
        }
        throw new ModelFormatException(model.file(), "this is " + model.kind().noun() + "; its ONNX export is not available yet"
                + " (Recur exports bare RNN, LSTM and GRU stacks, language models, text classifiers, sequence taggers,"
                + " sequence-to-sequence models, forecasters and anomaly detectors)");
    }

    /**
     * The files an export to {@code out} writes, in order, with their models: {@code out} alone, or for a
     * sequence-to-sequence model {@link Seq2SeqExport#encoderFile} and {@link Seq2SeqExport#decoderFile} of {@code out}
     * (g2p.onnx → g2p.encoder.onnx and g2p.decoder.onnx).
     */
    public static Map<Path, ModelProto> files(Models.Opened model, Path out, RecurrentExport.Inputs inputs, int opset) {
        var files = new LinkedHashMap<Path, ModelProto>();
        if (model.model() instanceof Seq2Seq s2s) {
            Seq2SeqExport.Graphs graphs = Seq2SeqExport.graphs(s2s, model.config().toString(), inputs, opset);
            files.put(Seq2SeqExport.encoderFile(out), graphs.encoder());
            files.put(Seq2SeqExport.decoderFile(out), graphs.decoder());
        } else {
            files.put(out, of(model, inputs, opset));
        }
        return files;
    }

    /**
     * Writes {@code model} to a temporary file beside {@code file}, syncs it and moves it over {@code file}
     * atomically; on failure the temporary file is deleted and an existing {@code file} is left as it was.
     */
    public static void write(Path file, ModelProto model) throws IOException {
        AtomicWrite.channel(file, channel -> {
            OutputStream out = Channels.newOutputStream(channel);   // closing it would close the channel before it is synced
            model.writeTo(out);
            out.flush();
        });
    }
}
