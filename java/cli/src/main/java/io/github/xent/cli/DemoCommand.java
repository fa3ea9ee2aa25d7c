package io.github.xent.cli;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Xent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xent demo}: trains a softmax-regression classifier with xent's fused loss and gradient,
 * then times native xent against the pure-Java backend on an LLM-sized batch.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Trains a classifier on the embedded digits, then times native xent.",
        description = {"Trains a softmax-regression classifier on the embedded UCI digits (or --data) with "
                + "xent's fused loss and gradient, then times native xent against the pure-Java backend, "
                + "and the fused linear head against GEMMs around plain xent, with the peak memory of each."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "CSV", description = "CSV: features, then an integer label, per line (.gz too). Default: the embedded digits.")
    Path data;

    @Option(names = "--epochs", defaultValue = "30", paramLabel = "N", description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"--learning-rate", "--lr"}, defaultValue = "0.5", paramLabel = "F", description = "SGD step size (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Rows per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--label-smoothing", defaultValue = "0.0", paramLabel = "F", description = "Label smoothing of the training loss (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F", description = "Held-out share of the rows (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Native threads per call; 0: all (the default).")
    int threads;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the shuffle and the initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "AUTO", paramLabel = "B", description = "Backend for training: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    BackendKind backend;

    @Option(names = "--no-bench", description = "Skips the timings (native against pure Java; the fused linear head).")
    boolean noBench;

    @Option(names = "--bench-shape", defaultValue = "4096x32000", paramLabel = "ROWSxCLASSES",
            description = "Batch of the timing, rows x classes (default: ${DEFAULT-VALUE}, an LLM vocabulary).")
    String benchShape;

    @Option(names = "--head-shape", defaultValue = "2048x256x32000", paramLabel = "MxDxV",
            description = "Shape of the timing of the fused linear head (default: ${DEFAULT-VALUE}).")
    String headShape;

    @Option(names = "--bench-repeats", defaultValue = "3", paramLabel = "N", description = "Timed native runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int benchRepeats;

    @Override
    public Integer call() throws Exception {
        check(epochs >= 1, "--epochs must be >= 1");
        check(batchSize >= 1, "--batch-size must be >= 1");
        check(learningRate > 0 && Double.isFinite(learningRate), "--learning-rate must be > 0");
        check(testFraction > 0 && testFraction < 1, "--test-fraction must be in (0, 1)");
        check(benchRepeats >= 1, "--bench-repeats must be >= 1");
        PrintStream out = System.out;
        out.println(new Main.Version().getVersion()[0]);

        Dataset all = data == null ? Dataset.digits() : Dataset.read(data);
        Dataset[] split = all.split(testFraction, seed);
        out.printf(Locale.ROOT, "data: %s: %d rows, %d features, %d classes; %d for training, %d held out%n",
                all.source, all.rows(), all.dims(), all.classes, split[0].rows(), split[1].rows());
        CrossEntropyLoss loss = CrossEntropyLoss.builder().labelSmoothing(labelSmoothing).threads(threads)
                .backend(backend).build();
        out.println("loss: " + loss);

        SoftmaxRegression model = new SoftmaxRegression(split[0], seed);
        Progress progress = new Progress(System.err);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            int e = epoch;
            SoftmaxRegression.Epoch r = model.trainEpoch(loss, batchSize, learningRate,
                    (done, total) -> progress.show(String.format(Locale.ROOT, "epoch %3d/%d", e, epochs), done, total));
            progress.clear();
            out.printf(Locale.ROOT, "epoch %3d/%d  loss %.4f  train accuracy %.4f%n", epoch, epochs, r.loss(), r.accuracy());
        }
        LossResult test = model.evaluate(CrossEntropyLoss.builder().threads(threads).backend(backend).build(), split[1]);
        out.printf(Locale.ROOT, "held-out: loss %.4f  accuracy %.4f (%d of %d)%n", test.loss(), test.accuracy(),
                test.correct(), test.count());

        if (!noBench) {
            new SpeedComparison(benchShape, benchRepeats, threads, out, progress).run();
            new LinearHeadComparison(headShape, benchRepeats, threads, out, progress).run();
        }
        return 0;
    }

    static void check(boolean ok, String message) {
        if (!ok) throw new Main.UserException(message);
    }
}
