package dev.recur.cli.seq2seq;

import dev.recur.task.seq2seq.Search;
import picocli.CommandLine.Option;

/** Beam search's options, shared by {@code eval} and {@code translate}; mixed in. */
public final class DecodeOptions {
    @Option(names = "--beam", paramLabel = "K", defaultValue = "5", description = "Beam width; 1 = greedy decoding (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--length-penalty", paramLabel = "A", defaultValue = "0.6",
            description = "GNMT's length normalisation ((5 + |Y|) / 6)^A of beam scores; 0 = none (default: ${DEFAULT-VALUE}).")
    float lengthPenalty;

    @Option(names = "--max-ratio", paramLabel = "R", defaultValue = "2",
            description = "Outputs stop at R × source symbols + 10 (default: ${DEFAULT-VALUE}).")
    float maxRatio;

    Search.Options options(int nBest) {
        return new Search.Options(beam, nBest, beam == 1 ? 0f : lengthPenalty, maxRatio, 10);
    }
}
