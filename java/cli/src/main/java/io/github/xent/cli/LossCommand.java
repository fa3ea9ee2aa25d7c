package io.github.xent.cli;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.DType;
import io.github.xent.InputKind;
import io.github.xent.LossResult;
import io.github.xent.Reduction;
import io.github.xent.TargetKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xent loss}: the loss and gradient of NumPy arrays, to check xent against another framework
 * on the user's own data without writing Java.
 */
@Command(name = "loss", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = "xent loss --input=X.npy --target=T.npy [OPTIONS]",
        header = "Loss and gradient of .npy files, to check xent against a framework.",
        description = {"Computes the loss of --input against --target (.npy files in C order) and, with "
                + "--grad-out, its gradient with respect to the input. Prints one JSON line: loss, z_loss (the "
                + "z-loss part of loss), accuracy, count, weight_sum, backend.",
                "Outputs are float64 .npy files: the loss as a 0-d array (mean, sum) or one value per position "
                + "(none), the gradient in the input's shape. They are written all or none, never over an input."},
        footer = {"", "Examples:",
                "  xent loss --input logits.npy --target labels.npy",
                "  xent loss --input logits.npy --target labels.npy --class-axis -1 \\",
                "      --label-smoothing 0.1 --grad-out grad.npy",
                "  xent loss --input logits.npy --target labels.npy --z-loss 1e-4 \\",
                "      --softcap 30",
                "  xent loss --input p.npy --target t.npy --target-kind binary \\",
                "      --input-kind probabilities --reduction none --loss-out l.npy"})
final class LossCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "The input: float32 or float64.")
    Path input;

    @Option(names = "--target", required = true, paramLabel = "T.npy",
            description = "int32 or int64 class indices (index); floats of the input's shape (probabilities, binary).")
    Path target;

    @Option(names = "--target-kind", defaultValue = "index", paramLabel = "KIND",
            description = "index, probabilities or binary (default: ${DEFAULT-VALUE}).")
    String targetKind;

    @Option(names = "--input-kind", defaultValue = "logits", paramLabel = "KIND",
            description = "logits, probabilities or log-probabilities (default: ${DEFAULT-VALUE}).")
    String inputKind;

    @Option(names = "--class-axis", defaultValue = "1", paramLabel = "1|-1",
            description = "1: (N, C, d...), as in PyTorch; -1: classes last (default: ${DEFAULT-VALUE}).")
    int classAxis;

    @Option(names = "--reduction", defaultValue = "mean", paramLabel = "R",
            description = "mean, sum or none (default: ${DEFAULT-VALUE}).")
    String reduction;

    @Option(names = "--ignore-index", paramLabel = "N", description = "Index targets equal to N are excluded (default: -100).")
    Long ignoreIndex;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "F",
            description = "Label smoothing in [0, 1] (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--index-base", paramLabel = "0|1", description = "1 for 1-based class indices, as in Mathematica (default: 0).")
    Integer indexBase;

    @Option(names = "--weight", paramLabel = "W.npy", description = "Class weights, one per class.")
    Path weight;

    @Option(names = "--sample-weight", paramLabel = "S.npy", description = "One weight per position (per element for binary).")
    Path sampleWeight;

    @Option(names = "--lengths", paramLabel = "L.npy", description = "Sequence lengths of an (N, T, C) or (N, C, T) input.")
    Path lengths;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
            description = "Multiplies the loss and its gradient (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--z-loss", defaultValue = "0", paramLabel = "F",
            description = "z-loss weight: adds F * lse^2 per position, logits input only (default: 0, off).")
    double zLoss;

    @Option(names = "--softcap", defaultValue = "0", paramLabel = "F",
            description = "Soft-caps each logit x to F * tanh(x / F), logits input only (default: 0, off).")
    double softcap;

    @Option(names = "--grad-output", paramLabel = "G.npy",
            description = "Upstream gradient: one value (mean, sum) or one per position (none).")
    Path gradOutput;

    @Option(names = "--loss-out", paramLabel = "L.npy", description = "Writes the loss to this file.")
    Path lossOut;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Computes the gradient and writes it to this file.")
    Path gradOut;

    @Option(names = "--backend", defaultValue = "AUTO", paramLabel = "B", description = "native, java or auto (default: auto).")
    String backend;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Native threads; 0: all (the default).")
    int threads;

    @Override
    public Integer call() throws Exception {
        TargetKind kind = parse(TargetKind.class, targetKind, "--target-kind");
        Reduction reduce = parse(Reduction.class, reduction, "--reduction");
        CrossEntropyLoss.Builder builder = CrossEntropyLoss.builder()
                .targetKind(kind)
                .inputKind(parse(InputKind.class, inputKind, "--input-kind"))
                .classAxis(classAxis).reduction(reduce).labelSmoothing(labelSmoothing)
                .zLoss(zLoss).softcap(softcap).scale(scale).threads(threads)
                .backend(parse(BackendKind.class, backend, "--backend"));
        if (ignoreIndex != null) builder.ignoreIndex(ignoreIndex);
        if (indexBase != null) builder.indexBase(indexBase);
        builder.build();  // the options checked together before any file is read

        try (OutputFiles outputs = new OutputFiles().input("--input", input).input("--target", target)
                .input("--weight", weight).input("--sample-weight", sampleWeight).input("--lengths", lengths)
                .input("--grad-output", gradOutput)) {
            outputs.plan("--loss-out", lossOut);
            outputs.plan("--grad-out", gradOut);

            Npy.Array x = Npy.read(input, "--input");
            if (x.dtype != DType.FLOAT32 && x.dtype != DType.FLOAT64) {
                throw new Main.UserException("--input " + input + ": dtype " + x.dtype + ", expected float32 or float64");
            }
            checkInputShape(x);
            int axis = x.shape.length == 1 ? 0 : classAxis == 1 ? 1 : x.shape.length - 1;
            long[] perPosition = kind == TargetKind.BINARY ? x.shape : without(x.shape, axis);

            Npy.Array t = Npy.read(target, "--target");
            if (kind == TargetKind.INDEX) {
                if (t.dtype != DType.INT32 && t.dtype != DType.INT64) {
                    throw new Main.UserException("--target " + target + ": index targets must be int32 or int64, not " + t.dtype);
                }
                expectShape("--target", target, t, perPosition, "one class index per position of --input");
            } else {
                t = t.as(x.dtype);
                expectShape("--target", target, t, x.shape, "the shape of --input");
            }
            Blame blame = new Blame().of("classWeights", "--weight", weight).of("sampleWeights", "--sample-weight", sampleWeight)
                    .of("lengths", "--lengths", lengths).of("gradOutput", "--grad-output", gradOutput)
                    .of("target", "--target", target).of("shape", "--input", input).of("input", "--input", input);
            if (weight != null) {
                Npy.Array w = Npy.read(weight, "--weight");
                double[] values = new double[(int) w.count()];
                for (int i = 0; i < values.length; i++) values[i] = w.get(i);
                builder.classWeights(values);
            }
            CrossEntropyLoss loss = blame.on(builder::build);

            Batch batch = new Batch().shape(x.shape).input(x.data, x.dtype).target(t.data, t.dtype);
            if (sampleWeight != null) {
                Npy.Array s = Npy.read(sampleWeight, "--sample-weight").as(x.dtype);
                expectShape("--sample-weight", sampleWeight, s, perPosition, "one weight per position of --input");
                batch.sampleWeights(s.data);
            }
            if (lengths != null) {
                Npy.Array l = Npy.read(lengths, "--lengths");
                if (l.dtype != DType.INT32 && l.dtype != DType.INT64) {
                    throw new Main.UserException("--lengths " + lengths + ": must be int32 or int64, not " + l.dtype);
                }
                batch.lengths(l.as(DType.INT64).data.asLongBuffer());
            }
            if (gradOutput != null) {
                Npy.Array g = Npy.read(gradOutput, "--grad-output").as(x.dtype);
                if (reduce == Reduction.NONE) {
                    expectShape("--grad-output", gradOutput, g, perPosition, "one value per position of --input");
                    batch.gradOutput(g.data);
                } else {
                    if (g.count() != 1) {
                        throw new Main.UserException("--grad-output " + gradOutput + ": a " + reduction
                                + " loss takes one value, got shape " + g.shapeText());
                    }
                    batch.gradOutput(g.get(0));
                }
            }
            ByteBuffer losses = null;
            if (reduce == Reduction.NONE) {
                losses = direct(count(perPosition) * x.dtype.bytes());
                batch.lossOut(losses);
            }
            ByteBuffer grad = null;
            if (gradOut != null) {
                grad = direct(x.count() * x.dtype.bytes());
                batch.gradInput(grad);
            }

            LossResult r = blame.on(() -> loss.compute(batch));

            if (lossOut != null) {
                if (losses == null) outputs.write("--loss-out", new long[0], new double[] {r.loss()});
                else outputs.write("--loss-out", perPosition, values(losses, x.dtype));
            }
            if (gradOut != null) outputs.write("--grad-out", x.shape, values(grad, x.dtype));
            outputs.commit();
            System.out.printf(Locale.ROOT, "{\"loss\": %s, \"z_loss\": %s, \"accuracy\": %s, \"count\": %d, \"weight_sum\": %s, "
                    + "\"backend\": \"%s\"}%n", json(r.loss()), json(r.zLoss()), json(r.accuracy()), r.count(),
                    json(r.weightSum()), loss.backend().name().toLowerCase(Locale.ROOT));
        }
        return 0;
    }

    /** What xent takes as an input, checked here so that a bad one is blamed on --input. */
    private void checkInputShape(Npy.Array x) {
        if (x.shape.length == 0) throw new Main.UserException("--input " + input + ": a 0-d array has no class axis");
        if (x.shape.length > Batch.MAX_DIMENSIONS) {
            throw new Main.UserException("--input " + input + ": " + x.shape.length + " dimensions; xent takes 1 to "
                    + Batch.MAX_DIMENSIONS);
        }
        for (long d : x.shape) {
            if (d == 0) throw new Main.UserException("--input " + input + ": shape " + x.shapeText() + " has no elements");
        }
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            StringBuilder names = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                names.append(names.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new Main.UserException(option + ": '" + value + "' is not one of " + names);
        }
    }

    static void expectShape(String option, Path file, Npy.Array a, long[] shape, String what) {
        if (!java.util.Arrays.equals(a.shape, shape)) {
            throw new Main.UserException(option + " " + file + ": shape " + a.shapeText() + ", expected "
                    + Npy.Array.shapeText(shape) + " (" + what + ")");
        }
    }

    static long[] without(long[] shape, int axis) {
        long[] out = new long[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) if (d != axis) out[j++] = shape[d];
        return out;
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    static double[] values(ByteBuffer b, DType dtype) {
        double[] v = new double[b.capacity() / dtype.bytes()];
        for (int i = 0; i < v.length; i++) v[i] = dtype == DType.FLOAT32 ? b.getFloat(4 * i) : b.getDouble(8 * i);
        return v;
    }

    /** A number as Python's json module writes it (NaN and Infinity included). */
    static String json(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
        return Double.toString(v);
    }
}
