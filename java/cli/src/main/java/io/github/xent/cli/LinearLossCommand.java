package io.github.xent.cli;

import static io.github.xent.cli.LossCommand.direct;
import static io.github.xent.cli.LossCommand.expectShape;
import static io.github.xent.cli.LossCommand.json;
import static io.github.xent.cli.LossCommand.parse;
import static io.github.xent.cli.LossCommand.values;

import io.github.xent.BackendKind;
import io.github.xent.DType;
import io.github.xent.LinearBatch;
import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Reduction;
import io.github.xent.WeightLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xent linear-loss}: the fused linear + cross-entropy of NumPy arrays, with PyTorch's
 * {@code linear_cross_entropy} names, to check xent against a framework without writing Java.
 */
@Command(name = "linear-loss", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = "xent linear-loss --input=H.npy --linear-weight=W.npy --target=Y.npy ...",
        header = "Fused linear + cross-entropy of .npy files: h W^T + b, then the loss.",
        description = {"Computes the cross-entropy of the logits --input @ --linear-weight^T (+ --linear-bias) "
                + "against --target without storing them, and the gradients asked for. Prints one JSON line: "
                + "loss, z_loss, accuracy, count, weight_sum, backend.",
                "Outputs are float64 .npy files, written all or none, never over an input."},
        footer = {"", "Examples:",
                "  xent linear-loss --input h.npy --linear-weight w.npy --target y.npy \\",
                "      --grad-out gh.npy --grad-linear-weight-out gw.npy",
                "  xent linear-loss --input h.npy --linear-weight w.npy --linear-bias b.npy \\",
                "      --target y.npy --z-loss 1e-4 --softcap 30 --lse-out lse.npy"})
final class LinearLossCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "H.npy",
            description = "Hidden states (..., D): float32 or float64.")
    Path input;

    @Option(names = "--linear-weight", required = true, paramLabel = "W.npy",
            description = "The projection: (V, D), or (D, V) with --weight-layout dv.")
    Path linearWeight;

    @Option(names = "--linear-bias", paramLabel = "B.npy", description = "The projection's bias, V values.")
    Path linearBias;

    @Option(names = "--target", required = true, paramLabel = "Y.npy",
            description = "int32 or int64 class indices, one per position of --input.")
    Path target;

    @Option(names = "--weight", paramLabel = "CW.npy", description = "Class weights, one per class.")
    Path weight;

    @Option(names = "--sample-weight", paramLabel = "S.npy", description = "One weight per position.")
    Path sampleWeight;

    @Option(names = "--reduction", defaultValue = "mean", paramLabel = "R",
            description = "mean, sum or none (default: ${DEFAULT-VALUE}).")
    String reduction;

    @Option(names = "--ignore-index", paramLabel = "N", description = "Targets equal to N are excluded (default: -100).")
    Long ignoreIndex;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "F",
            description = "Label smoothing in [0, 1] (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--z-loss", defaultValue = "0", paramLabel = "F",
            description = "z-loss weight: adds F * lse^2 per position (default: 0, off).")
    double zLoss;

    @Option(names = "--softcap", defaultValue = "0", paramLabel = "F",
            description = "Soft-caps each logit x to F * tanh(x / F) (default: 0, off).")
    double softcap;

    @Option(names = "--index-base", defaultValue = "0", paramLabel = "0|1",
            description = "1 for 1-based class indices (default: ${DEFAULT-VALUE}).")
    int indexBase;

    @Option(names = "--weight-layout", defaultValue = "vd", paramLabel = "vd|dv",
            description = "vd: (V, D) as nn.Linear, and a DL4J W's bytes; dv: (D, V) "
                    + "row-major (default: ${DEFAULT-VALUE}).")
    String weightLayout;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
            description = "Multiplies the loss and its gradients (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--grad-output", paramLabel = "G.npy",
            description = "Upstream gradient: one value (mean, sum) or one per position (none).")
    Path gradOutput;

    @Option(names = "--loss-out", paramLabel = "L.npy", description = "Writes the loss to this file.")
    Path lossOut;

    @Option(names = "--grad-out", paramLabel = "GH.npy", description = "Writes dL/d(input) to this file.")
    Path gradOut;

    @Option(names = "--grad-linear-weight-out", paramLabel = "GW.npy",
            description = "Writes dL/d(linear weight), in its layout, to this file.")
    Path gradWeightOut;

    @Option(names = "--grad-linear-bias-out", paramLabel = "GB.npy", description = "Writes dL/d(linear bias) to this file.")
    Path gradBiasOut;

    @Option(names = "--lse-out", paramLabel = "LSE.npy",
            description = "Writes each position's log-sum-exp of its logits (after the soft-cap).")
    Path lseOut;

    @Option(names = "--block-rows", defaultValue = "0", paramLabel = "N",
            description = "Positions per block of logits; 0: automatic (default).")
    int blockRows;

    @Option(names = "--backend", defaultValue = "AUTO", paramLabel = "B", description = "native, java or auto (default: auto).")
    String backend;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Threads, BLAS's included; 0: all (the default).")
    int threads;

    @Override
    public Integer call() throws Exception {
        Reduction reduce = parse(Reduction.class, reduction, "--reduction");
        WeightLayout layout = parse(WeightLayout.class, weightLayout, "--weight-layout");
        LinearCrossEntropyLoss.Builder builder = LinearCrossEntropyLoss.builder().reduction(reduce).weightLayout(layout)
                .labelSmoothing(labelSmoothing).zLoss(zLoss).softcap(softcap).indexBase(indexBase).scale(scale)
                .blockRows(blockRows).threads(threads).backend(parse(BackendKind.class, backend, "--backend"));
        if (ignoreIndex != null) builder.ignoreIndex(ignoreIndex);
        builder.build();  // the options checked together before any file is read

        try (OutputFiles outputs = new OutputFiles().input("--input", input).input("--linear-weight", linearWeight)
                .input("--linear-bias", linearBias).input("--target", target).input("--weight", weight)
                .input("--sample-weight", sampleWeight).input("--grad-output", gradOutput)) {
            outputs.plan("--loss-out", lossOut);
            outputs.plan("--grad-out", gradOut);
            outputs.plan("--grad-linear-weight-out", gradWeightOut);
            outputs.plan("--grad-linear-bias-out", gradBiasOut);
            outputs.plan("--lse-out", lseOut);

            Npy.Array h = Npy.read(input, "--input");
            if (h.dtype != DType.FLOAT32 && h.dtype != DType.FLOAT64) {
                throw new Main.UserException("--input " + input + ": dtype " + h.dtype + ", expected float32 or float64");
            }
            if (h.shape.length == 0) throw new Main.UserException("--input " + input + ": a 0-d array has no hidden size");
            if (h.count() == 0) throw new Main.UserException("--input " + input + ": shape " + h.shapeText() + " has no elements");
            long d = h.shape[h.shape.length - 1];
            long[] positions = Arrays.copyOf(h.shape, h.shape.length - 1);

            Npy.Array w = Npy.read(linearWeight, "--linear-weight").as(h.dtype);
            if (w.shape.length != 2) {
                throw new Main.UserException("--linear-weight " + linearWeight + ": shape " + w.shapeText() + ", expected 2 dimensions");
            }
            boolean vd = layout == WeightLayout.VD;
            long v = vd ? w.shape[0] : w.shape[1];
            long[] wShape = vd ? new long[] {v, d} : new long[] {d, v};
            if (!Arrays.equals(w.shape, wShape)) {
                throw new Main.UserException("--linear-weight " + linearWeight + ": shape " + w.shapeText() + ", expected "
                        + (vd ? "(V, " + d + ")" : "(" + d + ", V)") + ": a " + (vd ? "(V, D)" : "(D, V)")
                        + " weight (--weight-layout " + weightLayout + ") for --input's hidden size D = " + d);
            }

            if (v == 0) throw new Main.UserException("--linear-weight " + linearWeight + ": shape " + w.shapeText() + " has no classes");

            Npy.Array y = Npy.read(target, "--target");
            if (y.dtype != DType.INT32 && y.dtype != DType.INT64) {
                throw new Main.UserException("--target " + target + ": class indices must be int32 or int64, not " + y.dtype);
            }
            expectShape("--target", target, y, positions, "one class index per position of --input");
            Blame blame = new Blame().of("classWeights", "--weight", weight).of("sampleWeights", "--sample-weight", sampleWeight)
                    .of("gradOutput", "--grad-output", gradOutput).of("target", "--target", target)
                    .of("shape", "--input", input).of("hidden", "--input", input).of("weight", "--linear-weight", linearWeight)
                    .of("classes", "--linear-weight", linearWeight).of("bias", "--linear-bias", linearBias);
            if (weight != null) {
                Npy.Array cw = Npy.read(weight, "--weight");
                expectShape("--weight", weight, cw, new long[] {v}, "one weight per class");
                double[] classWeights = new double[(int) cw.count()];
                for (int i = 0; i < classWeights.length; i++) classWeights[i] = cw.get(i);
                builder.classWeights(classWeights);
            }
            LinearCrossEntropyLoss loss = blame.on(builder::build);

            LinearBatch batch = new LinearBatch().shape(h.shape).classes(v).hidden(h.data, h.dtype).weight(w.data)
                    .target(y.data, y.dtype);
            if (linearBias != null) {
                Npy.Array b = Npy.read(linearBias, "--linear-bias").as(h.dtype);
                expectShape("--linear-bias", linearBias, b, new long[] {v}, "one bias per class");
                batch.bias(b.data);
            }
            if (sampleWeight != null) {
                Npy.Array s = Npy.read(sampleWeight, "--sample-weight").as(h.dtype);
                expectShape("--sample-weight", sampleWeight, s, positions, "one weight per position of --input");
                batch.sampleWeights(s.data);
            }
            long m = LossCommand.count(positions);
            if (gradOutput != null) {
                Npy.Array g = Npy.read(gradOutput, "--grad-output").as(h.dtype);
                if (reduce == Reduction.NONE) {
                    expectShape("--grad-output", gradOutput, g, positions, "one value per position of --input");
                    batch.gradOutput(g.data);
                } else {
                    if (g.count() != 1) {
                        throw new Main.UserException("--grad-output " + gradOutput + ": a " + reduction
                                + " loss takes one value, got shape " + g.shapeText());
                    }
                    batch.gradOutput(g.get(0));
                }
            }
            int bytes = h.dtype.bytes();
            ByteBuffer losses = reduce == Reduction.NONE ? direct(m * bytes) : null;
            ByteBuffer lse = lseOut != null ? direct(m * bytes) : null;
            ByteBuffer gh = gradOut != null ? direct(h.count() * bytes) : null;
            ByteBuffer gw = gradWeightOut != null ? direct(w.count() * bytes) : null;
            ByteBuffer gb = gradBiasOut != null ? direct(v * bytes) : null;
            if (gb != null && linearBias == null) {
                throw new Main.UserException("--grad-linear-bias-out: there is no --linear-bias to differentiate");
            }
            batch.lossOut(losses).lseOut(lse).gradHidden(gh).gradWeight(gw).gradBias(gb);

            LossResult r = blame.on(() -> loss.compute(batch));
            if (lossOut != null) {
                if (losses == null) outputs.write("--loss-out", new long[0], new double[] {r.loss()});
                else outputs.write("--loss-out", positions, values(losses, h.dtype));
            }
            if (gh != null) outputs.write("--grad-out", h.shape, values(gh, h.dtype));
            if (gw != null) outputs.write("--grad-linear-weight-out", wShape, values(gw, h.dtype));
            if (gb != null) outputs.write("--grad-linear-bias-out", new long[] {v}, values(gb, h.dtype));
            if (lse != null) outputs.write("--lse-out", positions, values(lse, h.dtype));
            outputs.commit();
            System.out.printf(Locale.ROOT, "{\"loss\": %s, \"z_loss\": %s, \"accuracy\": %s, \"count\": %d, \"weight_sum\": %s, "
                    + "\"backend\": \"%s\"}%n", json(r.loss()), json(r.zLoss()), json(r.accuracy()), r.count(),
                    json(r.weightSum()), loss.backend().name().toLowerCase(Locale.ROOT));
        }
        return 0;
    }
}
