package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Pointer;

/**
 * Native addresses of direct buffers, through JavaCPP's JNI helper (no allocation), which comes
 * with xent's platform jar: Pointer's own class initialiser loads the library it lives in. Without
 * it (no native library for this platform) the pure-Java backend needs no address, and
 * {@link Call} recognises an overlap only as the same buffer object.
 */
final class BufferAddress extends Pointer {
    private static final boolean AVAILABLE = probe();

    private BufferAddress() {}

    private static boolean probe() {
        try {
            return base(ByteBuffer.allocateDirect(8)) != 0;
        } catch (Throwable t) {  // UnsatisfiedLinkError, NoClassDefFoundError: no JavaCPP natives
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** The address of element 0 of a direct buffer, ignoring its position; 0 for a heap buffer. */
    static long base(Buffer buffer) {
        return getDirectBufferAddress(buffer);
    }
}
