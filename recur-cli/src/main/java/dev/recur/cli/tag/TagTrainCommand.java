package dev.recur.cli.tag;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.DataOptions;
import dev.recur.cli.EncoderOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.DataFiles;
import dev.recur.task.Models;
import dev.recur.task.score.TagScheme;
import dev.recur.task.tag.TagTraining;
import dev.recur.task.tag.TaggedSentence;
import dev.recur.task.tag.Tagger;
import dev.recur.task.tag.TaggerConfig;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a sequence tagger: a BiLSTM over the words (with a character BiLSTM per word), then a softmax or a CRF.",
        footer = {"%n--data is a bundled data set (brown-pos, brown-names) or a CoNLL file: one token per line, the token",
                "first and the tag last (or --tag-column), a blank line between sentences, -DOCSTART- lines skipped.",
                "Without --valid and --test a file is split 90/5/5 by a hash of each sentence.",
                "%nWith tags that mark spans (BIO, IOB or BIOES) the head is a CRF whose decoding never makes an invalid",
                "transition, and validation reports span F1 (conlleval's rules); otherwise a softmax and accuracy.",
                "%nExamples:",
                "  recur tag train --data brown-pos --time 15m --out pos.safetensors",
                "  recur tag train --data ner.conll --valid dev.conll --test test.conll --time 30m",
                "  recur tag train --data brown-names --head softmax --char-embed 0"})
public final class TagTrainCommand implements Callable<Integer> {
    static final List<String> BUNDLED = List.of("brown-pos", "brown-names");

    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Mixin
    EncoderOptions encoder;

    @Mixin
    DataOptions input;

    @Option(names = "--tag-column", paramLabel = "N", defaultValue = "-1",
            description = "The column of the tag, counted from 0; -1 = the last (default: ${DEFAULT-VALUE}).")
    int tagColumn;

    @Option(names = "--head", paramLabel = "auto|softmax|crf", defaultValue = "auto",
            description = "auto: a CRF when the tags mark spans (BIO, IOB, BIOES), else a softmax (default: ${DEFAULT-VALUE}).")
    String head;

    @Override
    public Integer call() throws Exception {
        training.plan();
        encoder.defaults(100, 25, 128, 0.3f);
        var head = parseHead();
        DataFiles files = input.files(BUNDLED);
        var parts = files.parts(TaggedSentence.read(files.train(), tagColumn), s -> String.join(" ", s.tokens()), f -> TaggedSentence.read(f, tagColumn));
        List<TaggedSentence> trainSet = parts.train(), validSet = parts.valid(), testSet = parts.test();
        say("%s: %,d training, %,d validation, %,d test sentences", files.name(), trainSet.size(), validSet.size(), testSet.size());
        var known = trainSet.stream().flatMap(s -> s.tags().stream()).collect(java.util.stream.Collectors.toSet());
        if (known.size() < 2) throw new dev.recur.data.InvalidDataException(files.train() + ": the training sentences have only the tag " + known + "; a tagger needs two or more");
        for (var part : List.of(validSet, testSet)) {
            var unseen = part.stream().flatMap(s -> s.tags().stream()).filter(t -> !known.contains(t)).toList();
            if (!unseen.isEmpty()) say("%,d %s tokens have tags never seen in training (%s); they count as errors", unseen.size(),
                    part == validSet ? "validation" : "test", String.join(", ", new java.util.TreeSet<>(unseen)));
        }
        Tagger model = training.resume != null ? Models.open(training.resume, Tagger.class) : newModel(trainSet, head);
        var task = new TagTraining(model, trainSet, validSet, testSet, encoder.batch, common.seed);
        say("%s, tags %s, %,d parameters", model, model.scheme().name(), model.parameterCount());
        var display = new TrainingOptions.Display("tok", 1, model.config().head() == TaggerConfig.Head.CRF ? "negative log-likelihood per token"
                : "cross-entropy (nats per token)", "tagger on " + files.name(), TagTrainCommand::describe, step -> null);
        training.train(task, training.files(files.name() + "-tagger.safetensors"), display, common.quiet);
        var scores = task.testScores();
        if (scores != null) System.out.println("test: " + scores);
        return 0;
    }

    private TaggerConfig.Head parseHead() {
        return switch (head.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> null;
            case "softmax" -> TaggerConfig.Head.SOFTMAX;
            case "crf" -> TaggerConfig.Head.CRF;
            default -> throw new dev.recur.tensor.InvalidOptionException("--head must be auto, softmax or crf, got \"" + head + "\"");
        };
    }

    private Tagger newModel(List<TaggedSentence> trainSet, TaggerConfig.Head chosen) {
        var config = encoder.config();
        var tokens = trainSet.stream().map(TaggedSentence::tokens).toList();
        var vocabularies = TextEncoder.vocabularies(config, tokens, encoder.vocabSize, encoder.minCount);
        var gold = trainSet.stream().map(TaggedSentence::tags).toList();
        TagScheme scheme = TagScheme.detect(gold);
        var tags = gold.stream().flatMap(List::stream).distinct().sorted().toList();
        var head = chosen != null ? chosen : scheme.hasSpans() ? TaggerConfig.Head.CRF : TaggerConfig.Head.SOFTMAX;
        var rng = new Rng(common.seed);
        return new Tagger(new TaggerConfig(config, head), new TextEncoder(config, vocabularies.get("words"), vocabularies.get("chars"), rng), tags, scheme, rng);
    }

    static String describe(Metrics m) {
        return m.values().containsKey("f1") ? String.format("span F1 %.4f, accuracy %.4f", m.get("f1"), m.get("accuracy"))
                : String.format("accuracy %.4f", m.get("accuracy"));
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
