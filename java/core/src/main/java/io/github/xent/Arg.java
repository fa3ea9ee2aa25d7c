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
    /** Elements the call uses. */
    long count;
    /** Index of the first element, in the buffer's own units (bytes for a ByteBuffer). */
    int position;
    /** A pointer's first element: its address() + position() * sizeof(). */
    long pointerAddress;
    /** The first element's native address, once {@link Call} has resolved it; 0 if unknown. */
    long address;

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
        address = 0;
    }

    /** Bytes from the first element to the end of the last. */
    long bytes() {
        return count * dtype.bytes();
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

    /**
     * Validates a buffer (see the other overload) or a pointer as this argument. Only a ByteBuffer or
     * BytePointer takes {@code dtype} as given: any other buffer or pointer holds its own class's
     * type, and must hold {@code dtype}.
     */
    void bind(Object source, DType dtype, long count, boolean output, ShapeText call) {
        if (!(source instanceof ByteBuffer || source instanceof BytePointer)) {
            DType own = typeOf(source);
            if (own == null) {
                throw Call.error(name, "is a " + source.getClass().getSimpleName() + "; pass a FloatBuffer, DoubleBuffer, "
                        + "IntBuffer or LongBuffer (or the Pointer of the same type), or a ByteBuffer or BytePointer with its DType");
            }
            if (own != dtype) {
                throw Call.error(name, "is a " + source.getClass().getSimpleName() + " (" + own + "), but " + dtype
                        + " is required; only a ByteBuffer or BytePointer takes a declared dtype");
            }
        }
        this.count = count;
        if (source instanceof Pointer) bindPointer((Pointer) source, dtype, count, call);
        else bind((Buffer) source, dtype, count, output, call);
    }

    /**
     * A pointer holds the elements from its position() to its limit() (in its own units: bytes for
     * a BytePointer), at an address aligned to the element size.
     */
    private void bindPointer(Pointer p, DType dtype, long count, ShapeText call) {
        // Each read once: another thread may be moving them.
        long address = p.address(), position = p.position(), limit = p.limit(), capacity = p.capacity();
        if (address == 0) throw Call.error(name, "is a null or deallocated Pointer");
        long size = p.sizeof();
        if (position < 0) throw Call.error(name, "position() is " + position + ", must be >= 0");
        if (limit <= position) {
            throw Call.error(name, "has no elements between position() " + position + " and limit() " + limit
                    + "; set its limit() to the end of the data");
        }
        // capacity() 0 means unknown (a pointer made from a bare address): then the caller vouches
        // for limit(). A known capacity bounds it.
        if (capacity > 0 && limit > capacity) {
            throw Call.error(name, "limit() " + limit + " is past its capacity() " + capacity
                    + ", the end of its allocation");
        }
        long bytes, first;
        try {
            bytes = Math.multiplyExact(limit - position, size);
            first = Math.addExact(address, Math.multiplyExact(position, size));
            Math.addExact(first, bytes);
        } catch (ArithmeticException e) {
            throw Call.error(name, "position() " + position + " and limit() " + limit + " of " + size
                    + "-byte elements at 0x" + Long.toHexString(address) + " overflow the address space");
        }
        if (bytes % dtype.bytes() != 0) {
            throw Call.error(name, "holds " + bytes + " bytes, not a whole number of " + dtype + " elements");
        }
        long elements = bytes / dtype.bytes();
        if (elements != count) {
            throw Call.error(name, "holds " + elements + " elements (limit() - position()), but shape " + call.shapeText()
                    + " needs " + count);
        }
        if (first % dtype.bytes() != 0) {
            throw Call.error(name, "address 0x" + Long.toHexString(first) + " is not aligned to its "
                    + dtype.bytes() + "-byte " + dtype + " elements");
        }
        this.pointer = p;
        this.buffer = null;
        this.dtype = dtype;
        this.pointerAddress = first;
    }

    /**
     * Validates {@code buffer} as this argument: direct, native order, aligned, writable when it is an
     * output, holding exactly {@code count} elements of {@code dtype}.
     */
    void bind(Buffer buffer, DType dtype, long count, boolean output, ShapeText call) {
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
        // Position and limit are read once, so what is checked is what is used, whatever another
        // thread does to them meanwhile. (A buffer keeps position <= limit <= capacity itself.)
        int position = buffer.position(), remaining = buffer.limit() - position;
        if (remaining < 0) throw Call.error(name, "changed its position() or limit() while being read");
        long elements = remaining;
        int bytes = dtype.bytes();
        if (buffer instanceof ByteBuffer) {
            if (position % bytes != 0) {
                throw Call.error(name, "byte position " + position + " is not a multiple of " + bytes
                        + " (the size of " + dtype + "), so its elements would be misaligned");
            }
            if (remaining % bytes != 0) {
                throw Call.error(name, "holds " + remaining + " bytes, not a whole number of " + dtype + " elements");
            }
            elements = remaining / bytes;
        }
        if (elements != count) {
            throw Call.error(name, "holds " + elements + " elements (its remaining()), but shape " + call.shapeText()
                    + " needs " + count);
        }
        this.buffer = buffer;
        this.pointer = null;
        this.dtype = dtype;
        this.position = position;
    }

    private static ByteOrder orderOf(Buffer buffer) {  // (bind() admits these five classes only)
        if (buffer instanceof ByteBuffer) return ((ByteBuffer) buffer).order();
        if (buffer instanceof FloatBuffer) return ((FloatBuffer) buffer).order();
        if (buffer instanceof DoubleBuffer) return ((DoubleBuffer) buffer).order();
        if (buffer instanceof IntBuffer) return ((IntBuffer) buffer).order();
        return ((LongBuffer) buffer).order();
    }

    /**
     * The resolved address must be aligned to the element size, for every backend: the native one
     * needs it, and the Java one must not accept what the native one refuses (a FloatBuffer viewing
     * a ByteBuffer from byte 1, say).
     */
    void checkAligned() {
        if ((address & (dtype.bytes() - 1)) != 0) {  // sizes are powers of two: no division per call
            throw Call.error(name, "address 0x" + Long.toHexString(address) + " is not aligned to its "
                    + dtype.bytes() + "-byte " + dtype + " elements");
        }
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
