package io.github.xent.jni;

import java.nio.Buffer;

import org.bytedeco.javacpp.Pointer;

/**
 * Native addresses of direct buffers, through JavaCPP's JNI helper (no allocation). Pointer's own
 * class initialiser loads the JNI library that helper lives in.
 */
public final class BufferAddress extends Pointer {
    private BufferAddress() {}

    /** The address of element 0 of a direct buffer, ignoring its position; 0 for a heap buffer. */
    public static long base(Buffer buffer) {
        return getDirectBufferAddress(buffer);
    }
}
