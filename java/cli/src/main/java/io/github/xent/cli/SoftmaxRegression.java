package io.github.xent.cli;

import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.SplittableRandom;

/**
 * Softmax regression, logits = x W + b, trained by mini-batch SGD. xent computes the loss and
 * dL/dlogits in one fused call, in place in the logits buffer; the rest is two small loops.
 * Features are standardised with the training set's mean and deviation.
 */
final class SoftmaxRegression {
    /** Reports progress within an epoch: steps done, steps in all. */
    interface StepListener {
        void step(long done, long total);
    }

    private final Dataset train;
    private final int dims, classes;
    private final float[] mean, scale;
    private final float[] weights;  // dims x classes, row-major
    private final float[] bias;

    SoftmaxRegression(Dataset train, long seed) {
        this.train = train;
        this.dims = train.dims();
        this.classes = train.classes;
        mean = new float[dims];
        scale = new float[dims];
        for (float[] x : train.features) for (int f = 0; f < dims; f++) mean[f] += x[f] / train.rows();
        for (float[] x : train.features) {
            for (int f = 0; f < dims; f++) scale[f] += (x[f] - mean[f]) * (x[f] - mean[f]) / train.rows();
        }
        for (int f = 0; f < dims; f++) scale[f] = scale[f] > 1e-12f ? (float) (1 / Math.sqrt(scale[f])) : 1f;
        weights = new float[dims * classes];
        bias = new float[classes];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < weights.length; i++) weights[i] = (float) (0.01 * (random.nextDouble() - 0.5));
    }

    /** What one epoch of training saw: mean loss over its rows, and its arg-max hits. */
    record Epoch(double loss, long correct, long count) {
        double accuracy() {
            return (double) correct / count;
        }
    }

    /** One pass of SGD over the training set in order. */
    Epoch trainEpoch(CrossEntropyLoss loss, int batchSize, double learningRate, StepListener listener) {
        FloatBuffer logits = floats(batchSize * classes);
        IntBuffer targets = ByteBuffer.allocateDirect(4 * batchSize).order(ByteOrder.nativeOrder()).asIntBuffer();
        float[] x = new float[batchSize * dims];
        Batch batch = new Batch();
        LossResult step = new LossResult();
        double lossSum = 0;
        long correct = 0, count = 0, steps = (train.rows() + batchSize - 1) / batchSize;
        for (int first = 0, s = 0; first < train.rows(); first += batchSize, s++) {
            int rows = Math.min(batchSize, train.rows() - first);
            logits.clear().limit(rows * classes);
            targets.clear().limit(rows);
            forward(train, first, rows, x, logits);
            for (int r = 0; r < rows; r++) targets.put(r, train.labels[first + r]);
            // Loss and gradient in one call; the gradient overwrites the logits (in place).
            loss.compute(batch.shape(rows, classes).input(logits).target(targets).gradInput(logits), step);
            lossSum += step.loss() * rows;
            correct += step.correct();
            count += step.count();
            update(x, rows, logits, learningRate);
            listener.step(s + 1, steps);
        }
        return new Epoch(lossSum / train.rows(), correct, count);
    }

    /** The loss and accuracy of the model on a dataset (forward only). */
    LossResult evaluate(CrossEntropyLoss loss, Dataset data) {
        FloatBuffer logits = floats(data.rows() * classes);
        IntBuffer targets = ByteBuffer.allocateDirect(4 * data.rows()).order(ByteOrder.nativeOrder()).asIntBuffer();
        forward(data, 0, data.rows(), new float[data.rows() * dims], logits);
        for (int r = 0; r < data.rows(); r++) targets.put(r, data.labels[r]);
        return loss.compute(new Batch().shape(data.rows(), classes).input(logits).target(targets));
    }

    /** Standardises rows [first, first + rows) into x and writes their logits. */
    private void forward(Dataset data, int first, int rows, float[] x, FloatBuffer logits) {
        for (int r = 0; r < rows; r++) {
            float[] raw = data.features[first + r];
            for (int f = 0; f < dims; f++) x[r * dims + f] = (raw[f] - mean[f]) * scale[f];
            for (int c = 0; c < classes; c++) {
                float z = bias[c];
                for (int f = 0; f < dims; f++) z += x[r * dims + f] * weights[f * classes + c];
                logits.put(r * classes + c, z);
            }
        }
    }

    /** W -= lr * x^T g, b -= lr * sum g, with g = dL/dlogits (already divided by the batch size). */
    private void update(float[] x, int rows, FloatBuffer grad, double learningRate) {
        float lr = (float) learningRate;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < classes; c++) {
                float g = lr * grad.get(r * classes + c);
                if (g == 0) continue;
                bias[c] -= g;
                for (int f = 0; f < dims; f++) weights[f * classes + c] -= g * x[r * dims + f];
            }
        }
    }

    private static FloatBuffer floats(int count) {
        return ByteBuffer.allocateDirect(4 * count).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

}
