package io.github.xent.dl4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The labels of a xent head as class indices, which the fused form takes: (M, 1) indices as
 * LossSparseMCXENT's, or (M, nOut) one-hot rows as LossMCXENT's, read in one pass (a row of zeros
 * is an example that does not count, as it scores 0 under LossMCXENT). Soft rows cannot be
 * indices: {@link #indices} returns null, and the head takes its unfused path.
 */
final class Labels {
    private Labels() {}

    /** int64 class indices, one per row (the ignore index for a row of zeros); null when a row is soft. */
    static INDArray indices(INDArray labels, long nOut, long ignoreIndex) {
        if (labels.rank() != 2 || labels.size(1) != nOut && labels.size(1) != 1 || nOut == 1 && labels.size(1) != 1) {
            throw new IllegalArgumentException("labels: shape " + Arrays.toString(labels.shape()) + ", expected (" + labels.size(0)
                    + ", " + nOut + ") one-hot rows or (" + labels.size(0) + ", 1) class indices");
        }
        if (!labels.dataType().isFPType() && !labels.dataType().isIntType()) {
            throw new IllegalArgumentException("labels: data type " + labels.dataType() + ", expected numbers");
        }
        long rows = labels.size(0);
        INDArray out = Nd4j.createUninitialized(DataType.LONG, rows);
        java.nio.LongBuffer idx = Nd4jArrays.bytes(out, "labels").asLongBuffer();
        if (labels.size(1) == 1 && nOut != 1) {
            INDArray d = Nd4jArrays.asContiguous(labels, DataType.DOUBLE);
            DoubleBuffer v = Nd4jArrays.bytes(d, "labels").asDoubleBuffer();
            for (int r = 0; r < rows; r++) {
                double x = v.get(r);
                if (x != Math.rint(x) || Math.abs(x) > 1e18) {
                    throw new IllegalArgumentException("labels: " + x + " at row " + r + " is not a class index");
                }
                idx.put(r, (long) x);
            }
            return out;
        }
        INDArray f = Nd4jArrays.asContiguous(labels, labels.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT);
        if (f.length() * f.dataType().width() > Integer.MAX_VALUE) {  // one NIO view reads them
            throw new IllegalArgumentException("labels: " + f.length() + " one-hot elements, more than this reads at once; "
                    + "pass (" + rows + ", 1) class indices, which a " + nOut + "-class head needs anyway");
        }
        int cols = (int) nOut;
        if (f.dataType() == DataType.DOUBLE) {
            DoubleBuffer v = Nd4jArrays.bytes(f, "labels").asDoubleBuffer();
            for (int r = 0; r < rows; r++) {
                long cls = oneHot(v, r * cols, cols, ignoreIndex);
                if (cls == SOFT) return null;
                idx.put(r, cls);
            }
        } else {
            FloatBuffer v = Nd4jArrays.bytes(f, "labels").asFloatBuffer();
            for (int r = 0; r < rows; r++) {
                long cls = oneHot(v, r * cols, cols, ignoreIndex);
                if (cls == SOFT) return null;
                idx.put(r, cls);
            }
        }
        return out;
    }

    private static final long SOFT = Long.MIN_VALUE;

    /** The class of a one-hot row; the ignore index for a row of zeros; SOFT otherwise. */
    private static long oneHot(FloatBuffer v, int first, int cols, long ignoreIndex) {
        long hot = -1;
        for (int c = 0; c < cols; c++) {
            float x = v.get(first + c);
            if (x == 0f) continue;
            if (x != 1f || hot >= 0) return SOFT;
            hot = c;
        }
        return hot >= 0 ? hot : ignoreIndex;
    }

    private static long oneHot(DoubleBuffer v, int first, int cols, long ignoreIndex) {
        long hot = -1;
        for (int c = 0; c < cols; c++) {
            double x = v.get(first + c);
            if (x == 0) continue;
            if (x != 1 || hot >= 0) return SOFT;
            hot = c;
        }
        return hot >= 0 ? hot : ignoreIndex;
    }
}
