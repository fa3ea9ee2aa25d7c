package io.github.xent.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** A classification dataset from CSV: features, then an integer label 0..K-1, per line. */
final class Dataset {
    final float[][] features;
    final int[] labels;
    final int classes;
    final String source;

    private Dataset(float[][] features, int[] labels, int classes, String source) {
        this.features = features;
        this.labels = labels;
        this.classes = classes;
        this.source = source;
    }

    int rows() {
        return labels.length;
    }

    int dims() {
        return features[0].length;
    }

    /** The embedded UCI digits (see DIGITS-NOTICE.txt). */
    static Dataset digits() throws IOException {
        try (InputStream in = Dataset.class.getResourceAsStream("digits.csv.gz")) {
            if (in == null) throw new IOException("the embedded digits.csv.gz is missing from the jar");
            return read(new GZIPInputStream(in), "embedded UCI handwritten digits (CC BY 4.0)");
        }
    }

    /** A CSV file, gzipped if its name ends in .gz. */
    static Dataset read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new Main.UserException("--data: no such file: " + file);
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return read(in, file.toString());
        }
    }

    private static Dataset read(InputStream in, String source) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int width = -1, lineNumber = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] cells = line.split(",");
            if (width < 0) {
                width = cells.length;
                if (width < 2) throw new Main.UserException(source + ":" + lineNumber + ": need features and a label");
                if (!isNumber(cells[0])) continue;  // a header line
            }
            if (cells.length != width) {
                throw new Main.UserException(source + ":" + lineNumber + ": " + cells.length + " columns, expected " + width);
            }
            float[] x = new float[width - 1];
            try {
                for (int i = 0; i < x.length; i++) x[i] = Float.parseFloat(cells[i].trim());
                double label = Double.parseDouble(cells[width - 1].trim());
                if (label != Math.rint(label) || label < 0 || label > 1_000_000) {
                    throw new Main.UserException(source + ":" + lineNumber + ": label " + cells[width - 1].trim()
                            + " is not a class index 0, 1, 2, ...");
                }
                labels.add((int) label);
            } catch (NumberFormatException e) {
                throw new Main.UserException(source + ":" + lineNumber + ": not a number: " + e.getMessage());
            }
            rows.add(x);
        }
        if (rows.size() < 2) throw new Main.UserException(source + ": needs at least 2 rows, has " + rows.size());
        int[] y = new int[labels.size()];
        int max = 0;
        for (int i = 0; i < y.length; i++) max = Math.max(max, y[i] = labels.get(i));
        return new Dataset(rows.toArray(new float[0][]), y, max + 1, source);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Shuffles with a seed and splits off the last {@code testFraction} as a held-out set. */
    Dataset[] split(double testFraction, long seed) {
        int[] order = new int[rows()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int test = Math.max(1, (int) Math.round(rows() * testFraction));
        return new Dataset[] {subset(order, 0, rows() - test), subset(order, rows() - test, rows())};
    }

    private Dataset subset(int[] order, int from, int to) {
        float[][] x = new float[to - from][];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            x[i - from] = features[order[i]];
            y[i - from] = labels[order[i]];
        }
        return new Dataset(x, y, classes, source);
    }
}
