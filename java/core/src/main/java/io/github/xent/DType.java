package io.github.xent;

/** Element types of tensors; needed only to describe a {@link java.nio.ByteBuffer}'s contents. */
public enum DType {
    FLOAT32(4, 1),
    FLOAT64(8, 2),
    INT32(4, 3),
    INT64(8, 4);

    final int bytes;
    /** The value of {@code enum xent_dtype} in xent.h. */
    final int code;

    DType(int bytes, int code) {
        this.bytes = bytes;
        this.code = code;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }
}
