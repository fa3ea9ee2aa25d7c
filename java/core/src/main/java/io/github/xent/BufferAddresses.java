package io.github.xent;

import io.github.xent.jni.BufferAddress;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Native addresses of direct buffers, when JavaCPP's JNI helper can load: it comes with xent's
 * platform jar. Without it (no native library for this platform) the pure-Java backend needs no
 * address, and {@link Call} recognises an overlap only as the same buffer object.
 */
final class BufferAddresses {
    private static final boolean AVAILABLE = probe();

    private BufferAddresses() {}

    private static boolean probe() {
        try {
            return BufferAddress.base(ByteBuffer.allocateDirect(8)) != 0;
        } catch (Throwable t) {  // UnsatisfiedLinkError, NoClassDefFoundError: no JavaCPP natives
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** The address of element 0 of a direct buffer. */
    static long base(Buffer buffer) {
        return BufferAddress.base(buffer);
    }
}
