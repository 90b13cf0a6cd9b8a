package dev.recur.onnx;

import dev.recur.io.ModelFormatException;
import dev.recur.nn.Recurrent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An ONNX file of RNN, GRU or LSTM nodes as a Recur recurrent stack ({@link RecurrentImport}, which says what is
 * accepted); anything else is a one-line {@link ModelFormatException} naming the file, node and operator.
 * <pre>
 * Recurrent lstm = OnnxImport.read(Path.of("lstm.onnx"));
 * RecurrentModelFile.write(Path.of("lstm.safetensors"), lstm);
 * </pre>
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** The stack {@code onnx} holds, in evaluation mode. */
    public static Recurrent read(Path onnx) throws IOException {
        return RecurrentImport.of(String.valueOf(onnx), OnnxModelReader.read(onnx)).recurrent();
    }
}
