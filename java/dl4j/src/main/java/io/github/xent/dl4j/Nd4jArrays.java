package io.github.xent.dl4j;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ND4J arrays as JavaCPP pointers to their own memory: read at each call, never cached. */
final class Nd4jArrays {
    private Nd4jArrays() {}

    /** Whether a rank-2 array's elements lie row after row (row-major) with nothing between them. */
    static boolean contiguous(INDArray a) {
        if (a.rank() != 2) return false;
        long rows = a.size(0), cols = a.size(1);
        return (rows <= 1 || a.stride(0) == cols) && (cols <= 1 || a.stride(1) == 1);
    }

    /** {@code a} itself when it is contiguous and of this type; else a contiguous copy of that type. */
    static INDArray asContiguous(INDArray a, DataType type) {
        INDArray typed = a.dataType() == type ? a : a.castTo(type);
        return contiguous(typed) ? typed : typed.dup('c');
    }

    /** A pointer to the elements of a contiguous FLOAT, DOUBLE or LONG array, bounded by its length. */
    static Pointer pointer(INDArray a, String name) {
        Pointer base = a.data().addressPointer();
        long address = base == null ? 0 : base.address(), n = a.length();
        if (address == 0) {
            throw new IllegalArgumentException(name + ": the array of shape " + Arrays.toString(a.shape()) + " has no native memory (closed?)");
        }
        if (a.dataType() == DataType.LONG) return new LongAt(address, n);
        return a.dataType() == DataType.DOUBLE ? new DoubleAt(address, n) : new FloatAt(address, n);
    }

    /** The elements of a contiguous FLOAT, DOUBLE or LONG array as a native-order NIO view (at most 2^31 - 1 bytes). */
    static java.nio.ByteBuffer bytes(INDArray a, String name) {
        return pointer(a, name).asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
    }

    /**
     * {@code e} with its argument renamed as the caller knows it ({@code names}: pairs of the
     * library's prefix and the caller's), or {@code e} itself when no prefix matches.
     */
    static IllegalArgumentException rename(IllegalArgumentException e, String[][] names) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        for (String[] name : names) {
            if (message.startsWith(name[0])) return new IllegalArgumentException(name[1] + message.substring(name[0].length()), e);
        }
        return e;
    }

    /** A pointer at an address that ND4J owns, viewing exactly n elements. */
    static final class FloatAt extends FloatPointer {
        FloatAt(long address, long n) {
            this.address = address;
            this.capacity = n;
            this.limit = n;
        }
    }

    static final class LongAt extends LongPointer {
        LongAt(long address, long n) {
            this.address = address;
            this.capacity = n;
            this.limit = n;
        }
    }

    static final class DoubleAt extends DoublePointer {
        DoubleAt(long address, long n) {
            this.address = address;
            this.capacity = n;
            this.limit = n;
        }
    }
}
