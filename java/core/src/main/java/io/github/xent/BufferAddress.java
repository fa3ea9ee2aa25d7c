package io.github.xent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Pointer;

/**
 * Native addresses of direct buffers, through JavaCPP's JNI helper (no allocation), which comes
 * with xent's platform jar: Pointer's own class initialiser loads the library it lives in. Without
 * it (no native library for this platform) the JDK gives them: {@code MemorySegment.ofBuffer} on
 * JDK 22 and later, {@code sun.misc.Unsafe} before (where it warns of nothing). So {@link Call}
 * sees every overlap and misalignment whichever backend runs: two views of one buffer are two
 * objects, and only their addresses tell where their bytes lie.
 */
final class BufferAddress extends Pointer {
    private static final boolean JAVACPP = probe();
    private static final boolean AVAILABLE = JAVACPP || JdkAddress.base(ByteBuffer.allocateDirect(8)) != 0;

    private BufferAddress() {}

    private static boolean probe() {
        try {
            return getDirectBufferAddress(ByteBuffer.allocateDirect(8)) != 0;
        } catch (Throwable t) {  // UnsatisfiedLinkError, NoClassDefFoundError: no JavaCPP natives
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** The address of element 0 of a direct buffer, ignoring its position; 0 for a heap buffer. */
    static long base(Buffer buffer) {
        return JAVACPP ? getDirectBufferAddress(buffer) : JdkAddress.base(buffer);
    }

    /** The JDK's own ways to a direct buffer's address, for when JavaCPP's natives are missing. */
    private static final class JdkAddress {
        /** JDK 22+: MemorySegment.ofBuffer(Buffer) and MemorySegment.address(); else null. */
        private static final MethodHandle OF_BUFFER, SEGMENT_ADDRESS;
        /** Before JDK 22: Unsafe.getLong(Object, long) bound to the Unsafe, and Buffer.address's offset. */
        private static final MethodHandle GET_LONG;
        private static final long ADDRESS_OFFSET;

        static {
            MethodHandle ofBuffer = null, segmentAddress = null, getLong = null;
            long offset = -1;
            try {
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                ofBuffer = lookup.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class));
                segmentAddress = lookup.findVirtual(segment, "address", MethodType.methodType(long.class));
            } catch (ReflectiveOperationException | RuntimeException notFinal) {  // JDK 17-21: preview or absent
                ofBuffer = segmentAddress = null;
                try {
                    Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                    Field the = unsafeClass.getDeclaredField("theUnsafe");
                    the.setAccessible(true);
                    Object unsafe = the.get(null);
                    offset = (long) unsafeClass.getMethod("objectFieldOffset", Field.class)
                            .invoke(unsafe, Buffer.class.getDeclaredField("address"));
                    getLong = MethodHandles.publicLookup()
                            .findVirtual(unsafeClass, "getLong", MethodType.methodType(long.class, Object.class, long.class))
                            .bindTo(unsafe);
                } catch (ReflectiveOperationException | RuntimeException none) {
                    getLong = null;
                }
            }
            OF_BUFFER = ofBuffer;
            SEGMENT_ADDRESS = segmentAddress;
            GET_LONG = getLong;
            ADDRESS_OFFSET = offset;
        }

        /** Element 0's address of a direct buffer; 0 for a heap buffer or when no way is open. */
        static long base(Buffer buffer) {
            if (!buffer.isDirect()) return 0;
            try {
                if (OF_BUFFER != null) {
                    // The segment starts at the buffer's position, in bytes of its element type.
                    long start = (long) SEGMENT_ADDRESS.invoke(OF_BUFFER.invoke(buffer));
                    return start - (long) buffer.position() * elementBytes(buffer);
                }
                return GET_LONG != null ? (long) GET_LONG.invoke((Object) buffer, ADDRESS_OFFSET) : 0;
            } catch (Throwable t) {
                return 0;
            }
        }

        private static int elementBytes(Buffer buffer) {
            if (buffer instanceof ByteBuffer) return 1;
            DType type = Arg.typeOf(buffer);
            if (type != null) return type.bytes();
            return buffer instanceof java.nio.ShortBuffer || buffer instanceof java.nio.CharBuffer ? 2 : 4;
        }
    }
}
