package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One validated tensor argument of a call: its NIO buffer or JavaCPP pointer, element type and
 * first element. Reused across calls (one set per thread), so it allocates nothing.
 */
final class Arg {
    /** How many tensor arguments a call has; each Arg has its own slot below that. */
    static final int SLOTS = 7;

    final String name;
    final int slot;
    Buffer buffer;
    /** Instead of a buffer: native memory of any size (NIO buffers stop at 2^31 - 1 elements). */
    Pointer pointer;
    DType dtype;
    /** Index of the first element, in the buffer's own units (bytes for a ByteBuffer). */
    int position;
    /** A pointer's first element: its address() + position() * sizeof(). */
    long pointerAddress;

    Arg(String name, int slot) {
        this.name = name;
        this.slot = slot;
    }

    boolean present() {
        return buffer != null || pointer != null;
    }

    /** What holds the data (to keep it reachable while native code uses its address). */
    Object source() {
        return buffer != null ? buffer : pointer;
    }

    void clear() {
        buffer = null;
        pointer = null;
        dtype = null;
    }

    /**
     * The type a buffer's or pointer's class implies, or null for a ByteBuffer or BytePointer (whose
     * type must be given).
     */
    static DType typeOf(Object source) {
        if (source instanceof FloatBuffer || source instanceof FloatPointer) return DType.FLOAT32;
        if (source instanceof DoubleBuffer || source instanceof DoublePointer) return DType.FLOAT64;
        if (source instanceof IntBuffer || source instanceof IntPointer) return DType.INT32;
        if (source instanceof LongBuffer || source instanceof LongPointer) return DType.INT64;
        return null;
    }

    /** Validates a buffer (see the other overload) or a pointer as this argument. */
    void bind(Object source, DType dtype, long count, boolean output, Call call) {
        if (source instanceof Pointer) bindPointer((Pointer) source, dtype, count, call);
        else bind((Buffer) source, dtype, count, output, call);
    }

    /**
     * A pointer holds the elements from its position() to its limit() (in its own units: bytes for
     * a BytePointer), at an address aligned to the element size.
     */
    private void bindPointer(Pointer p, DType dtype, long count, Call call) {
        boolean typed = typeOf(p) != null;
        if (!typed && !(p instanceof BytePointer)) {
            throw Call.error(name, "is a " + p.getClass().getSimpleName() + "; pass a FloatPointer, DoublePointer, "
                    + "IntPointer, LongPointer, or a BytePointer with its DType");
        }
        if (typed && typeOf(p) != dtype) throw Call.error(name, "is a " + p.getClass().getSimpleName() + ", not " + dtype);
        if (p.isNull()) throw Call.error(name, "is a null or deallocated Pointer");
        long size = p.sizeof();
        if (p.limit() <= p.position()) {
            throw Call.error(name, "has no elements between position() " + p.position() + " and limit() " + p.limit()
                    + "; set its limit() to the end of the data");
        }
        long bytes = (p.limit() - p.position()) * size;
        if (bytes % dtype.bytes() != 0) {
            throw Call.error(name, "holds " + bytes + " bytes, not a whole number of " + dtype + " elements");
        }
        long elements = bytes / dtype.bytes();
        if (elements != count) {
            throw Call.error(name, "holds " + elements + " elements (limit() - position()), but shape " + call.shapeText()
                    + " needs " + count);
        }
        long address = p.address() + p.position() * size;
        if (address % dtype.bytes() != 0) {
            throw Call.error(name, "address 0x" + Long.toHexString(address) + " is not aligned to its "
                    + dtype.bytes() + "-byte " + dtype + " elements");
        }
        this.pointer = p;
        this.buffer = null;
        this.dtype = dtype;
        this.pointerAddress = address;
    }

    /**
     * Validates {@code buffer} as this argument: direct, native order, aligned, writable when it is an
     * output, holding exactly {@code count} elements of {@code dtype}.
     */
    void bind(Buffer buffer, DType dtype, long count, boolean output, Call call) {
        if (count > Integer.MAX_VALUE) {
            throw Call.error(name, "shape " + call.shapeText() + " needs " + count + " elements, more than an NIO buffer "
                    + "holds (2^31 - 1); pass a JavaCPP Pointer (e.g. FloatPointer) instead");
        }
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
        this.pointer = null;
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

    // Element access for the pure-Java backend; i counts elements from the first one. Pointers
    // are read through JavaCPP (one JNI call per element: the reference backend is not fast).

    double getDouble(long i) {
        if (pointer != null) return pointerDouble(i);
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
        if (pointer != null) return pointerLong(i);
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
        if (pointer != null) {
            putPointerDouble(i, v);
            return;
        }
        int at = (int) i;
        if (dtype == DType.FLOAT32) {
            if (buffer instanceof ByteBuffer) ((ByteBuffer) buffer).putFloat(position + 4 * at, (float) v);
            else ((FloatBuffer) buffer).put(position + at, (float) v);
        } else {
            if (buffer instanceof ByteBuffer) ((ByteBuffer) buffer).putDouble(position + 8 * at, v);
            else ((DoubleBuffer) buffer).put(position + at, v);
        }
    }

    // Typed pointers index elements from their position; a BytePointer indexes bytes from its position.
    private double pointerDouble(long i) {
        switch (dtype) {
            case FLOAT32:
                return pointer instanceof BytePointer ? ((BytePointer) pointer).getFloat(4 * i) : ((FloatPointer) pointer).get(i);
            case FLOAT64:
                return pointer instanceof BytePointer ? ((BytePointer) pointer).getDouble(8 * i) : ((DoublePointer) pointer).get(i);
            default:
                return pointerLong(i);
        }
    }

    private long pointerLong(long i) {
        switch (dtype) {
            case INT32:
                return pointer instanceof BytePointer ? ((BytePointer) pointer).getInt(4 * i) : ((IntPointer) pointer).get(i);
            case INT64:
                return pointer instanceof BytePointer ? ((BytePointer) pointer).getLong(8 * i) : ((LongPointer) pointer).get(i);
            default:
                return (long) pointerDouble(i);
        }
    }

    private void putPointerDouble(long i, double v) {
        if (dtype == DType.FLOAT32) {
            if (pointer instanceof BytePointer) ((BytePointer) pointer).putFloat(4 * i, (float) v);
            else ((FloatPointer) pointer).put(i, (float) v);
        } else {
            if (pointer instanceof BytePointer) ((BytePointer) pointer).putDouble(8 * i, v);
            else ((DoublePointer) pointer).put(i, v);
        }
    }
}
