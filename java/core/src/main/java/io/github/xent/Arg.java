package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * One validated tensor argument of a call: its buffer, element type and first element.
 * Reused across calls (one set per thread), so it allocates nothing.
 */
final class Arg {
    final String name;
    Buffer buffer;
    DType dtype;
    /** Index of the first element, in the buffer's own units (bytes for a ByteBuffer). */
    int position;

    Arg(String name) {
        this.name = name;
    }

    boolean present() {
        return buffer != null;
    }

    void clear() {
        buffer = null;
        dtype = null;
    }

    /** The type a buffer's class implies, or null for a ByteBuffer (whose type must be given). */
    static DType typeOf(Buffer buffer) {
        if (buffer instanceof FloatBuffer) return DType.FLOAT32;
        if (buffer instanceof DoubleBuffer) return DType.FLOAT64;
        if (buffer instanceof IntBuffer) return DType.INT32;
        if (buffer instanceof LongBuffer) return DType.INT64;
        return null;
    }

    /**
     * Validates {@code buffer} as this argument: direct, native order, aligned, writable when it is an
     * output, holding exactly {@code count} elements of {@code dtype}.
     */
    void bind(Buffer buffer, DType dtype, long count, boolean output, Call call) {
        if (!buffer.isDirect()) {
            throw Call.error(name, "is a heap buffer; xent works in place on direct buffers "
                    + "(ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())), or use the array overloads, which copy");
        }
        ByteOrder order = orderOf(buffer);
        if (order != ByteOrder.nativeOrder()) {
            throw Call.error(name, "byte order is " + order + ", but native order is " + ByteOrder.nativeOrder()
                    + "; create it with .order(ByteOrder.nativeOrder())");
        }
        if (output && buffer.isReadOnly()) throw Call.error(name, "is read-only");
        long elements = buffer.remaining();
        int bytes = dtype.bytes();
        if (buffer instanceof ByteBuffer) {
            if (buffer.position() % bytes != 0) {
                throw Call.error(name, "byte position " + buffer.position() + " is not a multiple of " + bytes
                        + " (the size of " + dtype + "), so its elements would be misaligned");
            }
            if (buffer.remaining() % bytes != 0) {
                throw Call.error(name, "holds " + buffer.remaining() + " bytes, not a whole number of " + dtype + " elements");
            }
            elements = buffer.remaining() / bytes;
        }
        if (elements != count) {
            throw Call.error(name, "holds " + elements + " elements (its remaining()), but shape " + call.shapeText()
                    + " needs " + count);
        }
        this.buffer = buffer;
        this.dtype = dtype;
        this.position = buffer.position();
    }

    private static ByteOrder orderOf(Buffer buffer) {
        if (buffer instanceof ByteBuffer) return ((ByteBuffer) buffer).order();
        if (buffer instanceof FloatBuffer) return ((FloatBuffer) buffer).order();
        if (buffer instanceof DoubleBuffer) return ((DoubleBuffer) buffer).order();
        if (buffer instanceof IntBuffer) return ((IntBuffer) buffer).order();
        if (buffer instanceof LongBuffer) return ((LongBuffer) buffer).order();
        throw Call.error("buffer", "type " + buffer.getClass().getSimpleName() + " is not supported");
    }

    /** Byte offset of the first element from the buffer's base address. */
    long byteOffset() {
        return buffer instanceof ByteBuffer ? position : (long) position * dtype.bytes();
    }

    // Element access for the pure-Java backend; i counts elements from the first one.

    double getDouble(long i) {
        int at = (int) i;
        switch (dtype) {
            case FLOAT32:
                return buffer instanceof ByteBuffer ? ((ByteBuffer) buffer).getFloat(position + 4 * at)
                        : ((FloatBuffer) buffer).get(position + at);
            case FLOAT64:
                return buffer instanceof ByteBuffer ? ((ByteBuffer) buffer).getDouble(position + 8 * at)
                        : ((DoubleBuffer) buffer).get(position + at);
            default:
                return getLong(i);
        }
    }

    long getLong(long i) {
        int at = (int) i;
        switch (dtype) {
            case INT32:
                return buffer instanceof ByteBuffer ? ((ByteBuffer) buffer).getInt(position + 4 * at)
                        : ((IntBuffer) buffer).get(position + at);
            case INT64:
                return buffer instanceof ByteBuffer ? ((ByteBuffer) buffer).getLong(position + 8 * at)
                        : ((LongBuffer) buffer).get(position + at);
            default:
                return (long) getDouble(i);
        }
    }

    /** Stores v, rounded to this argument's float type. */
    void putDouble(long i, double v) {
        int at = (int) i;
        if (dtype == DType.FLOAT32) {
            if (buffer instanceof ByteBuffer) ((ByteBuffer) buffer).putFloat(position + 4 * at, (float) v);
            else ((FloatBuffer) buffer).put(position + at, (float) v);
        } else {
            if (buffer instanceof ByteBuffer) ((ByteBuffer) buffer).putDouble(position + 8 * at, v);
            else ((DoubleBuffer) buffer).put(position + at, v);
        }
    }
}
