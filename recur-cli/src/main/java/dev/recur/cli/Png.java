package dev.recur.cli;

import dev.recur.io.AtomicWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes charts as one PNG, stacked one above the other, atomically (a reader never sees half a file); creates the folder. */
public final class Png {
    private Png() {}

    public static void write(Path file, Chart<?, ?> chart) throws IOException {
        write(file, List.of(chart));
    }

    public static void write(Path file, List<? extends Chart<?, ?>> charts) throws IOException {
        Path target = file.toAbsolutePath();
        if (target.getParent() != null) Files.createDirectories(target.getParent());
        AtomicWrite.path(target, temp -> {   // the temporary name keeps the .png, which XChart would otherwise add
            if (charts.size() == 1) BitmapEncoder.saveBitmap(charts.get(0), temp.toString(), BitmapEncoder.BitmapFormat.PNG);
            else BitmapEncoder.saveBitmap(new ArrayList<Chart>(charts), charts.size(), 1, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
        });
    }
}
