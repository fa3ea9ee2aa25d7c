package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Direct buffers for tests, in every form a caller may pass: typed views or raw ByteBuffers,
 * starting at position 0 or further in.
 */
final class Tensors {
    private Tensors() {}

    /** How a tensor is handed over. */
    enum Kind { TYPED, BYTES }

    /** A tensor of {@code count} elements, placed after {@code offset} unused ones. */
    static final class T {
        final Buffer buffer;
        final DType dtype;
        final Kind kind;

        T(Buffer buffer, DType dtype, Kind kind) {
            this.buffer = buffer;
            this.dtype = dtype;
            this.kind = kind;
        }

        /** The dtype to declare to Batch: needed for ByteBuffers only. */
        DType declared() {
            return kind == Kind.BYTES ? dtype : null;
        }

        int count() {
            return kind == Kind.BYTES ? buffer.remaining() / dtype.bytes() : buffer.remaining();
        }

        double get(int i) {
            int p = buffer.position();
            if (kind == Kind.BYTES) {
                ByteBuffer b = (ByteBuffer) buffer;
                switch (dtype) {
                    case FLOAT32: return b.getFloat(p + 4 * i);
                    case FLOAT64: return b.getDouble(p + 8 * i);
                    case INT32: return b.getInt(p + 4 * i);
                    default: return b.getLong(p + 8 * i);
                }
            }
            switch (dtype) {
                case FLOAT32: return ((FloatBuffer) buffer).get(p + i);
                case FLOAT64: return ((DoubleBuffer) buffer).get(p + i);
                case INT32: return ((IntBuffer) buffer).get(p + i);
                default: return ((LongBuffer) buffer).get(p + i);
            }
        }

        void set(int i, double v) {
            int p = buffer.position();
            if (kind == Kind.BYTES) {
                ByteBuffer b = (ByteBuffer) buffer;
                switch (dtype) {
                    case FLOAT32: b.putFloat(p + 4 * i, (float) v); break;
                    case FLOAT64: b.putDouble(p + 8 * i, v); break;
                    case INT32: b.putInt(p + 4 * i, (int) v); break;
                    default: b.putLong(p + 8 * i, (long) v); break;
                }
                return;
            }
            switch (dtype) {
                case FLOAT32: ((FloatBuffer) buffer).put(p + i, (float) v); break;
                case FLOAT64: ((DoubleBuffer) buffer).put(p + i, v); break;
                case INT32: ((IntBuffer) buffer).put(p + i, (int) v); break;
                default: ((LongBuffer) buffer).put(p + i, (long) v); break;
            }
        }

        double[] toArray() {
            double[] a = new double[count()];
            for (int i = 0; i < a.length; i++) a[i] = get(i);
            return a;
        }
    }

    static T allocate(DType dtype, int count, Kind kind, int offset) {
        ByteBuffer bytes = ByteBuffer.allocateDirect((count + offset) * dtype.bytes()).order(ByteOrder.nativeOrder());
        Buffer b;
        if (kind == Kind.BYTES) {
            b = bytes;
            b.position(offset * dtype.bytes());
        } else {
            switch (dtype) {
                case FLOAT32: b = bytes.asFloatBuffer(); break;
                case FLOAT64: b = bytes.asDoubleBuffer(); break;
                case INT32: b = bytes.asIntBuffer(); break;
                default: b = bytes.asLongBuffer(); break;
            }
            b.position(offset);
        }
        return new T(b, dtype, kind);
    }

    /**
     * An output: allocated like {@link #allocate}, every element NaN first, so that an element a
     * call fails to write (a fresh buffer's zeros would pass for a written 0) shows.
     */
    static T output(DType dtype, int count, Kind kind, int offset) {
        T t = allocate(dtype, count, kind, offset);
        for (int i = 0; i < count; i++) t.set(i, Double.NaN);
        return t;
    }

    static T of(DType dtype, double[] values, Kind kind, int offset) {
        T t = allocate(dtype, values.length, kind, offset);
        for (int i = 0; i < values.length; i++) t.set(i, values[i]);
        return t;
    }

    static T of(DType dtype, double[] values) {
        return of(dtype, values, Kind.TYPED, 0);
    }
}
