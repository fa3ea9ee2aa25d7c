package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Native against the pure-Java reference on seeded random problems: shapes of rank 1 to 4, both
 * class axes, both float types, both index types, every option, typed and raw buffers at nonzero
 * positions, in-place gradients and 0 to 3 threads. A failing case names its seed; rerun it with
 * {@code -Dxent.seed=N}.
 */
class DifferentialTest {
    static final int CASES = Integer.getInteger("xent.cases", 1200);

    @TestFactory
    Stream<DynamicTest> nativeMatchesJava() {
        List<DynamicTest> tests = new ArrayList<>();
        Integer only = Integer.getInteger("xent.seed");
        for (int seed = 1; seed <= CASES; seed++) {
            if (only != null && seed != only) continue;
            Problem p = Problem.random(seed);
            tests.add(DynamicTest.dynamicTest("seed " + seed + ": " + p, () -> {
                Outcome expected = run(p, BackendKind.JAVA);
                for (Isa isa : Isas.available()) {  // every native kernel path this CPU has
                    Isas.with(isa, () -> compare(p, expected, isa));
                }
            }));
        }
        return tests.stream();
    }

    /**
     * The native backend computes calls of at most NativeBackend.JAVA_MAX_ELEMENTS elements (and JAVA_MAX_POSITIONS positions) with the
     * Java backend's code (a JNI crossing costs more than their work): the very same numbers.
     */
    @TestFactory
    Stream<DynamicTest> theSmallestNativeCallsAreTheJavaBackends() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int seed = 1; tests.size() < 200; seed++) {
            Problem p = Problem.random(seed);
            if (p.input.length > NativeBackend.JAVA_MAX_ELEMENTS || p.positions > NativeBackend.JAVA_MAX_POSITIONS) continue;
            tests.add(DynamicTest.dynamicTest("seed " + seed + ": " + p, () -> {
                Outcome expected = run(p, BackendKind.JAVA), actual = run(p, BackendKind.NATIVE);
                assertEquals(expected.result.loss(), actual.result.loss(), "loss");
                assertEquals(expected.result.weightSum(), actual.result.weightSum(), "weightSum");
                assertEquals(expected.result.count(), actual.result.count(), "count");
                assertEquals(expected.result.correct(), actual.result.correct(), "correct");
                assertEquals(Arrays.toString(expected.grad), Arrays.toString(actual.grad), "gradient");
                assertEquals(Arrays.toString(expected.losses), Arrays.toString(actual.losses), "losses");
            }));
        }
        return tests.stream();
    }

    /** One random problem: options, shape and data, built from a seed. */
    static final class Problem {
        final int seed;
        TargetKind targetKind;
        InputKind inputKind;
        long[] shape;
        int classAxis;
        Reduction reduction;
        DType dtype, targetType;
        Tensors.Kind kind;
        int offset;
        double[] input, target, classWeights, sampleWeights, lengths, gradOutput;
        double labelSmoothing, scale, gradOutputScalar = 1.0, zLoss, softcap;
        long ignoreIndex;
        int indexBase, threads;
        boolean inPlace, backward;
        long positions, classes;

        Problem(int seed) {
            this.seed = seed;
        }

        static Problem random(int seed) {
            SplittableRandom r = new SplittableRandom(seed);
            Problem p = new Problem(seed);
            int rank = 1 + r.nextInt(4);
            p.classAxis = r.nextBoolean() ? 1 : -1;
            boolean large = r.nextInt(12) == 0;  // big enough for the parallel path
            p.shape = new long[rank];
            for (int d = 0; d < rank; d++) p.shape[d] = 1 + r.nextInt(d == 0 ? 6 : 5);
            int axis = rank == 1 ? 0 : (p.classAxis == 1 ? 1 : rank - 1);
            // Short class axes (one vector, or a few), a few hundred (rows of one chunk), or long ones.
            int span = r.nextInt(8) == 0 ? 700 : r.nextBoolean() ? 12 : 60;
            p.shape[axis] = large ? 2000 + r.nextInt(2000) : 1 + r.nextInt(span);
            if (large && rank > 1) p.shape[0] = 8 + r.nextInt(8);
            long elements = 1;
            for (long d : p.shape) elements *= d;
            int kind = r.nextInt(10);
            p.targetKind = kind < 5 ? TargetKind.INDEX : kind < 8 ? TargetKind.PROBABILITIES : TargetKind.BINARY;
            p.inputKind = InputKind.values()[r.nextInt(p.targetKind == TargetKind.BINARY ? 2 : 3)];
            p.classes = p.targetKind == TargetKind.BINARY ? 1 : p.shape[axis];
            p.positions = elements / p.classes;
            boolean binary = p.targetKind == TargetKind.BINARY, index = p.targetKind == TargetKind.INDEX;

            p.reduction = Reduction.values()[r.nextInt(3)];
            p.dtype = r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
            p.targetType = !index ? p.dtype : r.nextBoolean() ? DType.INT32 : DType.INT64;
            p.kind = r.nextInt(3) == 0 ? Tensors.Kind.BYTES : Tensors.Kind.TYPED;
            p.offset = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
            p.indexBase = r.nextInt(4) == 0 && index ? 1 : 0;  // (an error for other targets)
            p.ignoreIndex = r.nextInt(4) == 0 ? p.indexBase + r.nextInt((int) p.classes) : -100;
            p.labelSmoothing = !binary && r.nextInt(3) == 0 ? r.nextDouble() : 0.0;
            p.scale = r.nextInt(5) == 0 ? 0.1 + 3 * r.nextDouble() : 1.0;
            boolean classLogits = !binary && p.inputKind == InputKind.LOGITS;
            p.zLoss = classLogits && r.nextInt(4) == 0 ? 0.1 * r.nextDouble() : 0.0;
            p.softcap = classLogits && r.nextInt(4) == 0 ? 5 + 25 * r.nextDouble() : 0.0;
            p.threads = r.nextInt(4);
            p.inPlace = r.nextInt(5) == 0;
            p.backward = p.inPlace || r.nextInt(5) != 0;

            p.input = new double[(int) elements];
            double spread = 0.5 + 6 * r.nextDouble();
            for (int i = 0; i < p.input.length; i++) p.input[i] = spread * gaussian(r);
            if (p.inputKind != InputKind.LOGITS) {
                // Probabilities: a softmax over the class axis (a sigmoid for binary), sometimes 0 or 1.
                double[] probabilities = binary ? sigmoid(p.input) : softmax(p.input, p.shape, axis);
                for (int i = 0; i < p.input.length; i++) {
                    double q = r.nextInt(40) == 0 ? r.nextInt(2) : probabilities[i];
                    p.input[i] = p.inputKind == InputKind.PROBABILITIES ? q : Math.log(q);
                }
            }
            for (int i = 0; i < p.input.length; i++) p.input[i] = round(p.dtype, p.input[i]);
            if (index) {
                p.target = new double[(int) p.positions];
                for (int i = 0; i < p.target.length; i++) {
                    p.target[i] = r.nextInt(6) == 0 ? p.ignoreIndex : p.indexBase + r.nextInt((int) p.classes);
                }
            } else {
                double[] raw = new double[(int) elements];
                for (int i = 0; i < raw.length; i++) raw[i] = 3 * gaussian(r);
                p.target = binary ? sigmoid(raw) : softmax(raw, p.shape, axis);
                if (binary && r.nextBoolean()) for (int i = 0; i < raw.length; i++) p.target[i] = Math.rint(p.target[i]);
                for (int i = 0; i < raw.length; i++) p.target[i] = round(p.dtype, p.target[i]);
            }
            if (!binary && r.nextInt(3) == 0) {
                p.classWeights = new double[(int) p.classes];
                for (int c = 0; c < p.classes; c++) p.classWeights[c] = round(p.dtype, 2 * r.nextDouble());
            }
            if (r.nextInt(5) == 0) {
                p.sampleWeights = new double[(int) p.positions];
                for (int i = 0; i < p.sampleWeights.length; i++) p.sampleWeights[i] = round(p.dtype, 3 * r.nextDouble());
            }
            if (rank == 3 && !binary && r.nextInt(3) == 0) {
                long steps = p.positions / p.shape[0];
                p.lengths = new double[(int) p.shape[0]];
                for (int n = 0; n < p.lengths.length; n++) p.lengths[n] = r.nextInt((int) steps + 1);
            }
            if (p.reduction == Reduction.NONE && r.nextBoolean()) {
                p.gradOutput = new double[(int) p.positions];
                for (int i = 0; i < p.gradOutput.length; i++) p.gradOutput[i] = round(p.dtype, 2 * r.nextDouble() - 0.5);
            } else if (p.reduction != Reduction.NONE && r.nextInt(3) == 0) {
                p.gradOutputScalar = 2 * r.nextDouble() - 0.5;
            }
            return p;
        }

        static double[] sigmoid(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
            return y;
        }

        /** Softmax along the class axis of a row-major tensor. */
        static double[] softmax(double[] x, long[] shape, int axis) {
            long classes = shape[axis], inner = 1;
            for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
            double[] y = new double[x.length];
            for (long start = 0; start < x.length; start++) {
                if ((start / inner) % classes != 0) continue;  // visit each position once, at its class 0
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (long c = 0; c < classes; c++) max = Math.max(max, x[(int) (start + c * inner)]);
                for (long c = 0; c < classes; c++) sum += Math.exp(x[(int) (start + c * inner)] - max);
                for (long c = 0; c < classes; c++) y[(int) (start + c * inner)] = Math.exp(x[(int) (start + c * inner)] - max) / sum;
            }
            return y;
        }

        static double gaussian(SplittableRandom r) {
            double u = r.nextDouble(1e-300, 1.0), v = r.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }

        static double round(DType dtype, double v) {
            return dtype == DType.FLOAT32 ? (float) v : v;
        }

        CrossEntropyLoss loss(BackendKind backend) {
            CrossEntropyLoss.Builder b = CrossEntropyLoss.builder().backend(backend).classAxis(classAxis)
                    .targetKind(targetKind).inputKind(inputKind).reduction(reduction).indexBase(indexBase)
                    .labelSmoothing(labelSmoothing).scale(scale).zLoss(zLoss).softcap(softcap).threads(threads);
            if (classWeights != null) b.classWeights(classWeights);
            if (targetKind == TargetKind.INDEX) b.ignoreIndex(ignoreIndex);
            return b.build();
        }

        @Override
        public String toString() {
            return targetKind + "/" + inputKind + " " + Arrays.toString(shape) + " axis " + classAxis + " " + dtype + "/" + targetType + " "
                    + reduction + (classWeights != null ? " weights" : "") + (labelSmoothing > 0 ? " smoothing" : "")
                    + (zLoss > 0 ? " z-loss " + zLoss : "") + (softcap > 0 ? " softcap " + softcap : "")
                    + (sampleWeights != null ? " sample-weights" : "") + (lengths != null ? " lengths" : "")
                    + (gradOutput != null ? " grad-output" : "") + (inPlace ? " in-place" : backward ? "" : " forward-only")
                    + " " + kind + (offset > 0 ? "+" + offset : "") + " threads " + threads;
        }
    }

    /** The outputs of one run. */
    static final class Outcome {
        LossResult result;
        double[] grad, losses;
    }

    static Outcome run(Problem p, BackendKind backend) {
        Tensors.T input = Tensors.of(p.dtype, p.input, p.kind, p.offset);
        Tensors.T target = Tensors.of(p.targetType, p.target, p.kind, p.offset);
        // Index targets count per position, float targets per element.
        Batch batch = new Batch().shape(p.shape).input(input.buffer, input.declared()).target(target.buffer, target.declared());
        // Secondary buffers are typed views: a raw ByteBuffer input already covers the other kind.
        if (p.sampleWeights != null) batch.sampleWeights(Tensors.of(p.dtype, p.sampleWeights, Tensors.Kind.TYPED, p.offset).buffer);
        if (p.lengths != null) batch.lengths(Tensors.of(p.seed % 2 == 0 ? DType.INT32 : DType.INT64, p.lengths).buffer);
        Tensors.T losses = null;
        if (p.reduction == Reduction.NONE) {
            losses = Tensors.output(p.dtype, (int) p.positions, Tensors.Kind.TYPED, p.offset);
            batch.lossOut(losses.buffer);
            if (p.gradOutput != null) batch.gradOutput(Tensors.of(p.dtype, p.gradOutput).buffer);
        } else {
            batch.gradOutput(p.gradOutputScalar);
        }
        Tensors.T grad = null;
        if (p.inPlace) {
            grad = input;
            batch.gradInput(input.buffer);
        } else if (p.backward) {
            grad = Tensors.output(p.dtype, p.input.length, p.kind, p.offset);
            batch.gradInput(grad.buffer);
        }
        Outcome o = new Outcome();
        o.result = p.loss(backend).compute(batch);
        o.grad = grad == null ? null : grad.toArray();
        o.losses = losses == null ? null : losses.toArray();
        return o;
    }

    static void compare(Problem p, Outcome expected, Isa isa) {
        Outcome actual = run(p, BackendKind.NATIVE);
        double tol = p.dtype == DType.FLOAT32 ? 1e-6 : 1e-12;
        String on = " (" + isa + ")";
        Close.scalar("loss" + on, expected.result.loss(), actual.result.loss(), tol);
        Close.scalar("weightSum" + on, expected.result.weightSum(), actual.result.weightSum(), 1e-12);
        Close.scalar("zLoss" + on, expected.result.zLoss(), actual.result.zLoss(), tol);
        assertEquals(expected.result.count(), actual.result.count(), "count" + on);
        assertEquals(expected.result.correct(), actual.result.correct(), "correct" + on);
        if (expected.losses != null) Close.arrays("lossOut" + on, expected.losses, actual.losses, tol);
        if (expected.grad != null) {
            Close.arrays("gradInput" + on, expected.grad, actual.grad, tol, gradientUnit(p, expected.result));
        }
    }

    /** The largest factor a gradient element's terms carry: |scale * g| * max w * max s / divisor. */
    static double gradientUnit(Problem p, LossResult r) {
        double g = Math.abs(p.gradOutputScalar);
        if (p.gradOutput != null) for (double v : p.gradOutput) g = Math.max(g, Math.abs(v));
        double unit = p.scale * g * max(p.classWeights) * max(p.sampleWeights);
        return p.reduction == Reduction.MEAN && r.weightSum() > 0 ? unit / r.weightSum() : unit;
    }

    static double max(double[] a) {
        if (a == null) return 1.0;
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
