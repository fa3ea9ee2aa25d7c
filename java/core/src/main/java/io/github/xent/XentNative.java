package io.github.xent;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * The JNI binding: one Java method per function of {@code native/include/xent.h}, nothing more.
 *
 * <p>Buffers cross with no copy, as raw addresses. The two structs are written and read through a
 * direct buffer laid out as the header documents (8-byte slots, {@link ProblemLayout}); that costs
 * one JNI crossing per call where per-field setters would cost one per field. Validation and
 * friendly types live in the facade ({@code io.github.xent}), never here.
 *
 * <p>On Windows the library is built with MinGW-w64 (native/cross/windows-jar.sh): its C++ and
 * thread runtime DLLs travel in the platform jar and are loaded first.
 */
@Properties({
    @Platform(include = "xent.h", link = "xent"),
    @Platform(value = "windows-x86_64", preload = {"libwinpthread-1", "libgcc_s_seh-1", "libstdc++-6"})
})
final class XentNative {
    static {
        Loader.load();
    }

    private XentNative() {}

    /** Status codes of {@code enum xent_status}. */
    public static final int XENT_OK = 0;
    public static final int XENT_ERR_ARGUMENT = 1;
    public static final int XENT_ERR_BUFFER = 2;
    public static final int XENT_ERR_TARGET = 3;
    public static final int XENT_ERR_UNSUPPORTED = 4;
    public static final int XENT_ERR_INTERNAL = 5;

    /**
     * {@code xent_compute}, with every pointer passed as an address (0 for NULL): JavaCPP would add
     * a generic buffer's position in bytes rather than elements, so the facade computes addresses
     * itself ({@link BufferAddress}) and must keep the buffers reachable for the call.
     */
    public static native int xent_compute(
            @Cast("const xent_problem*") long problem,
            @Cast("const void*") long input,
            @Cast("const void*") long target,
            @Cast("const void*") long classWeights,
            @Cast("const void*") long sampleWeights,
            @Cast("const void*") long lengths,
            @Cast("const void*") long gradOutput,
            @Cast("void*") long lossOut,
            @Cast("void*") long gradInput,
            @Cast("xent_result*") long result);

    /** {@code xent_linear_compute}, every pointer an address as for {@link #xent_compute}. */
    public static native int xent_linear_compute(
            @Cast("const xent_linear_problem*") long problem,
            @Cast("const void*") long hidden,
            @Cast("const void*") long weight,
            @Cast("const void*") long bias,
            @Cast("const void*") long target,
            @Cast("const void*") long classWeights,
            @Cast("const void*") long sampleWeights,
            @Cast("const void*") long gradOutput,
            @Cast("void*") long lossOut,
            @Cast("void*") long lseOut,
            @Cast("void*") long gradHidden,
            @Cast("void*") long gradWeight,
            @Cast("void*") long gradBias,
            @Cast("xent_result*") long result);

    public static native @Cast("const char*") String xent_blas_core();

    public static native @Cast("size_t") long xent_linear_problem_size();

    public static native @Cast("const char*") String xent_last_error();

    public static native @Cast("const char*") String xent_version();

    public static native int xent_abi_version();

    public static native @Cast("size_t") long xent_problem_size();

    public static native @Cast("size_t") long xent_result_size();

    public static native @Cast("int64_t") long xent_field_offset(@Cast("const char*") String name);

    public static native int xent_default_threads();

    public static native int xent_max_threads();

    public static native int xent_isa();

    public static native int xent_set_max_isa(int isa);

    public static native int xent_supported_isa();

    public static native @Cast("const char*") String xent_isa_name(int isa);
}
