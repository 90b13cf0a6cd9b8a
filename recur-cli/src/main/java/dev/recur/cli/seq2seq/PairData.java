package dev.recur.cli.seq2seq;

import dev.recur.data.InvalidDataException;
import dev.recur.data.Pairs;
import dev.recur.task.seq2seq.Unit;
import dev.recur.tensor.InvalidOptionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** How {@code recur seq2seq} reads pairs: the bundled sets, CMUdict's stress marks, and over-long sources. Mixed in. */
public final class PairData {
    static final List<String> BUNDLED = List.of("cmudict", "bible-es-en");
    private static final Pattern STRESS = Pattern.compile("(?<=[A-Z])[0-2](?=\\s|$)");

    @Option(names = "--keep-stress", description = "cmudict: keep the vowels' stress digits (AH0, OW1); by default they are removed.")
    boolean keepStress;

    @Option(names = "--max-source", paramLabel = "N", defaultValue = "250",
            description = "A source longer than N symbols is an error naming its line (default: ${DEFAULT-VALUE}); see --truncate.")
    int maxSource;

    @Option(names = "--truncate", description = "Cut sources longer than --max-source to N symbols, with a warning, instead of refusing them.")
    boolean truncate;

    /** True when the pairs of {@code data} have CMUdict's stress digits removed. */
    boolean stripsStress(String data) {
        return data.equals("cmudict") && !keepStress;
    }

    /** Reads a file of pairs, without stress digits when {@code strip} (dropping pairs that then repeat). */
    static List<Pairs.Pair> read(Path file, boolean strip) throws IOException {
        List<Pairs.Pair> pairs = Pairs.read(file);
        if (!strip) return pairs;
        var seen = new LinkedHashSet<String>();
        var out = new ArrayList<Pairs.Pair>();
        for (Pairs.Pair p : pairs) {
            String target = STRESS.matcher(p.target()).replaceAll("");
            if (seen.add(p.source() + '\t' + target)) out.add(new Pairs.Pair(p.source(), target, p.line()));
        }
        return out;
    }

    /**
     * Checks each source's length in symbols ({@code split}): longer than --max-source is an error naming the file
     * and line, or with --truncate a cut (reported once on standard error). Returns the pairs to use.
     */
    List<Pairs.Pair> limit(List<Pairs.Pair> pairs, Path file, Unit.Side side) {
        if (maxSource < 1) throw new InvalidOptionException("--max-source must be at least 1, got " + maxSource);
        var out = new ArrayList<Pairs.Pair>(pairs.size());
        int cut = 0;
        for (Pairs.Pair p : pairs) {
            List<String> symbols = side.split(p.source());
            if (symbols.size() <= maxSource) {
                out.add(p);
            } else if (truncate) {
                cut++;
                out.add(new Pairs.Pair(side.join(symbols.subList(0, maxSource)), p.target(), p.line()));
            } else {
                throw InvalidDataException.at(file, p.line(), "the source has " + symbols.size() + " symbols, more than --max-source "
                        + maxSource + "; raise --max-source, or cut long sources with --truncate");
            }
        }
        if (cut > 0) System.err.printf("warning: %s: %,d sources longer than %d symbols were cut to %d (--truncate)%n", file, cut, maxSource, maxSource);
        return out;
    }

    /** The same for lines to translate (no targets); {@code name} is how messages name the input. */
    List<String> limitLines(List<String> lines, String name, Unit.Side side) {
        var pairs = new ArrayList<Pairs.Pair>(lines.size());
        for (int i = 0; i < lines.size(); i++) pairs.add(new Pairs.Pair(lines.get(i), "", i + 1));
        return limit(pairs, Path.of(name), side).stream().map(Pairs.Pair::source).toList();
    }
}
