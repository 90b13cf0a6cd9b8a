package dev.recur.cli.tag;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.DataFiles;
import dev.recur.task.Models;
import dev.recur.task.tag.TagTraining;
import dev.recur.task.tag.TaggedSentence;
import dev.recur.task.tag.Tagger;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Token accuracy, accuracy on unknown words and span precision, recall and F1 of a tagger.",
        footer = {"%nA bundled data set name evaluates its test split; a CoNLL file is evaluated whole. Unknown words",
                "are those outside the model's word vocabulary. Spans are scored with conlleval's exact-match rules",
                "when the tags are BIO, IOB or BIOES. Tags the model never saw count as errors.",
                "%nExamples:",
                "  recur tag eval --model pos.safetensors --data brown-pos",
                "  recur tag eval --model ner.safetensors --data test.conll --json"})
public final class TagEvalCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "A tagger written by `recur tag train`.")
    Path model;

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set (its test split) or a CoNLL file.")
    String data;

    @Option(names = "--tag-column", paramLabel = "N", defaultValue = "-1", description = "The column of the tag; -1 = the last (default: ${DEFAULT-VALUE}).")
    int tagColumn;

    @Option(names = "--json", description = "Print one JSON object on stdout, and nothing else.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tagger tagger = Models.open(model, Tagger.class);
        DataFiles files = DataFiles.resolve(data, null, null, TagTrainCommand.BUNDLED);
        Path source = TagTrainCommand.BUNDLED.contains(data) && files.test() != null ? files.test() : files.train();
        var scores = TagTraining.score(tagger, TaggedSentence.read(source, tagColumn), tagger.encoder()::knows);
        if (json) System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(scores.toJson()));
        else System.out.println(scores);
        return 0;
    }
}
