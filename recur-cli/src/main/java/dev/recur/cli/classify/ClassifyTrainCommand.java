package dev.recur.cli.classify;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.DataOptions;
import dev.recur.cli.EncoderOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.data.DataFiles;
import dev.recur.nn.Pooling;
import dev.recur.task.Models;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.ClassifierConfig;
import dev.recur.task.classify.ClassifyTraining;
import dev.recur.task.classify.LabelledText;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.train.Metrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a text classifier: a BiLSTM over the words, pooled, then a softmax over the labels.",
        footer = {"%n--data is a bundled data set (spam, sentiment), a .csv, .tsv or .jsonl file (optionally .gz) with",
                "columns text and label, or a folder with one subfolder of text files per label. Without --valid",
                "and --test a file is split 90/5/5 by a hash of each text (duplicates stay together).",
                "With --folds K it runs K-fold cross-validation (fold = example index mod K; every tenth of the",
                "other examples validates) with the budget for each fold, and reports the mean and standard deviation.",
                "%nExamples:",
                "  recur classify train --data spam --time 10m --out spam.safetensors",
                "  recur classify train --data reviews.csv --valid dev.csv --test test.csv --pooling attention",
                "  recur classify train --data sentiment --folds 10 --time 2m",
                "  recur classify train --data emails/ --class-weights balanced --epochs 5"})
public final class ClassifyTrainCommand implements Callable<Integer> {
    static final List<String> BUNDLED = List.of("spam", "sentiment");

    @Mixin
    CommonOptions common;

    @Mixin
    TrainingOptions training;

    @Mixin
    EncoderOptions encoder;

    @Mixin
    DataOptions input;

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text", description = "Column or field of the text (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--label-column", paramLabel = "NAME", defaultValue = "label", description = "Column or field of the label (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "0", description = "K-fold cross-validation; 0 = off (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--pooling", paramLabel = "MODE", defaultValue = "max",
            description = "last, mean, max or attention (additive attention; predict --attention shows its weights) (default: ${DEFAULT-VALUE}).")
    Pooling pooling;

    @Option(names = "--attention", paramLabel = "N", defaultValue = "64", description = "Hidden size of the attention (default: ${DEFAULT-VALUE}).")
    int attention;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "400", description = "Read at most the first N tokens of a text (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--class-weights", paramLabel = "none|balanced", defaultValue = "none",
            description = "balanced weights each label's loss inversely to its frequency, for imbalanced data (default: ${DEFAULT-VALUE}).")
    ClassWeights classWeights;

    enum ClassWeights { NONE, BALANCED }

    @Override
    public Integer call() throws Exception {
        training.plan();
        encoder.defaults(100, 0, 128, 0.3f);
        if (folds < 0 || folds == 1) throw new InvalidOptionException("--folds must be 0 (off) or at least 2, got " + folds);
        if (folds > 0 && (input.valid != null || input.test != null)) throw new InvalidOptionException("--folds cuts its own validation and test parts; leave out --valid and --test");
        if (folds > 0 && training.resume != null) throw new InvalidOptionException("--resume does not go with --folds");
        var config = new ClassifierConfig(encoder.config(), pooling, attention, maxTokens);
        DataFiles files = input.files(BUNDLED);
        List<LabelledText> all = LabelledText.read(files.train(), textColumn, labelColumn);
        if (folds > all.size()) throw new InvalidOptionException("--folds " + folds + " is more than the " + all.size() + " examples of " + files.train());
        if (folds > 0 && files.valid() != null) say("%s: cross-validating the training file alone; its validation and test files are not used", files.name());
        noteTruncated(config, all);
        if (folds > 0) return crossValidate(config, files, all);
        var parts = files.parts(all, LabelledText::text, this::read);
        List<LabelledText> trainSet = parts.train(), validSet = parts.valid(), testSet = parts.test();
        say("%s: %,d training, %,d validation, %,d test examples", files.name(), trainSet.size(), validSet.size(), testSet.size());
        var labels = trainSet.stream().map(LabelledText::label).collect(java.util.stream.Collectors.toSet());
        for (var part : List.of(validSet, testSet)) {
            var unseen = part.stream().map(LabelledText::label).filter(l -> !labels.contains(l)).distinct().sorted().toList();
            long count = part.stream().filter(t -> !labels.contains(t.label())).count();
            if (count > 0) say("%,d %s examples have labels never seen in training (%s); they count as errors", count, part == validSet ? "validation" : "test", String.join(", ", unseen));
        }
        var outcome = trainOne(config, trainSet, validSet, testSet, training.files(files.name() + "-classifier.safetensors"), files.name());
        outcome.ifPresent(m -> System.out.printf("test: %s%n", describe(m)));
        return 0;
    }

    private java.util.Optional<Metrics> trainOne(ClassifierConfig config, List<LabelledText> trainSet, List<LabelledText> validSet,
                                                 List<LabelledText> testSet, dev.recur.train.RunFiles runFiles, String name) throws Exception {
        Classifier model = training.resume != null ? Models.open(training.resume, Classifier.class) : newModel(config, trainSet);
        var task = new ClassifyTraining(model, trainSet, validSet, testSet, encoder.batch,
                classWeights == ClassWeights.BALANCED ? ClassifyTraining.balancedWeights(model.labels(), trainSet) : null, common.seed);
        say("%s, %,d parameters", model, model.parameterCount());
        var display = new TrainingOptions.Display("tok", 1, "cross-entropy (nats)", "classifier on " + name, ClassifyTrainCommand::describe, step -> null);
        return training.train(task, runFiles, display, common.quiet).test();
    }

    private Classifier newModel(ClassifierConfig config, List<LabelledText> trainSet) {
        var rng = new Rng(common.seed);
        var tokens = trainSet.stream().map(t -> Classifier.tokens(config, t.text())).toList();
        var vocabularies = TextEncoder.vocabularies(config.encoder(), tokens, encoder.vocabSize, encoder.minCount);
        var labels = trainSet.stream().map(LabelledText::label).distinct().sorted().toList();
        if (labels.size() < 2) throw new dev.recur.data.InvalidDataException(input.data + ": the training examples have only the label " + labels + "; a classifier needs two or more");
        return new Classifier(config, new TextEncoder(config.encoder(), vocabularies.get("words"), vocabularies.get("chars"), rng), labels, rng);
    }

    /** K folds: fold i tests, every tenth of the other examples validates, the rest trains; the mean and standard deviation of the test scores. */
    private Integer crossValidate(ClassifierConfig config, DataFiles files, List<LabelledText> all) throws Exception {
        String out = String.valueOf(training.files(files.name() + "-classifier.safetensors").model()).replaceAll("\\.safetensors$", "");
        double[] accuracy = new double[folds], macroF1 = new double[folds];
        for (int f = 0; f < folds; f++) {
            var parts = List.of(new ArrayList<LabelledText>(), new ArrayList<LabelledText>(), new ArrayList<LabelledText>());
            int others = 0;
            for (int i = 0; i < all.size(); i++) {
                if (i % folds == f) parts.get(2).add(all.get(i));
                else parts.get(others++ % 10 == 9 ? 1 : 0).add(all.get(i));
            }
            say("fold %d of %d: %,d training, %,d validation, %,d test examples", f + 1, folds, parts.get(0).size(), parts.get(1).size(), parts.get(2).size());
            requireExamples(parts.get(1), "validation (fold " + (f + 1) + ")");
            var runFiles = dev.recur.train.RunFiles.of(Path.of(out + ".fold" + (f + 1) + ".safetensors"), "fold.safetensors").prepare();
            Metrics m = trainOne(config, parts.get(0), parts.get(1), parts.get(2), runFiles, files.name() + " fold " + (f + 1)).orElseThrow();
            accuracy[f] = m.get("accuracy");
            macroF1[f] = m.get("macro_f1");
            System.out.printf("fold %d: %s%n", f + 1, describe(m));
        }
        System.out.printf("%d-fold cross-validation: accuracy %.4f ± %.4f, macro F1 %.4f ± %.4f%n", folds, mean(accuracy), std(accuracy),
                mean(macroF1), std(macroF1));
        return 0;
    }

    /** An empty part is refused before any training, naming what to give. */
    private void requireExamples(List<LabelledText> part, String what) {
        if (part.isEmpty()) {
            throw new dev.recur.data.InvalidDataException(input.data + ": too few examples to cut a " + what + " part from; give more examples, or --valid and --test files");
        }
    }

    /** Says once how many texts are longer than --max-tokens (they are read up to it). */
    private void noteTruncated(ClassifierConfig config, List<LabelledText> texts) {
        long longer = texts.stream().filter(t -> dev.recur.task.text.TextEncoder.tokens(config.encoder(), t.text()).size() > config.maxTokens()).count();
        if (longer > 0) say("%,d of %,d texts are longer than --max-tokens %d tokens; they are read up to it", longer, texts.size(), config.maxTokens());
    }

    private List<LabelledText> read(Path file) throws java.io.IOException {
        return LabelledText.read(file, textColumn, labelColumn);
    }

    static String describe(Metrics m) {
        return String.format("accuracy %.4f, macro F1 %.4f", m.get("accuracy"), m.get("macro_f1"));
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n − 1). */
    private static double std(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / Math.max(1, v.length - 1));
    }

    private void say(String format, Object... args) {
        if (!common.quiet) System.err.printf(format + "%n", args);
    }
}
