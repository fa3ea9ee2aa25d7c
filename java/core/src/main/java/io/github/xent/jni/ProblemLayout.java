package io.github.xent.jni;

/**
 * Byte offsets of the members of {@code xent_problem} and {@code xent_result}, as declared in
 * {@code xent.h}: every member is one 8-byte slot. {@link #check()} compares the sizes with the
 * loaded library's, so a header change that is not mirrored here fails at load, not silently.
 */
public final class ProblemLayout {
    private ProblemLayout() {}

    public static final int ABI_VERSION = 1;
    public static final int MAX_RANK = 8;

    public static final int ABI = 0;
    public static final int RANK = 8;
    public static final int DIMS = 16;
    public static final int CLASS_AXIS = DIMS + 8 * MAX_RANK;
    public static final int TARGET_KIND = CLASS_AXIS + 8;
    public static final int INPUT_KIND = TARGET_KIND + 8;
    public static final int REDUCTION = INPUT_KIND + 8;
    public static final int DTYPE = REDUCTION + 8;
    public static final int TARGET_DTYPE = DTYPE + 8;
    public static final int LENGTHS_DTYPE = TARGET_DTYPE + 8;
    public static final int IGNORE_INDEX = LENGTHS_DTYPE + 8;
    public static final int INDEX_BASE = IGNORE_INDEX + 8;
    public static final int THREADS = INDEX_BASE + 8;
    public static final int INPUT_COUNT = THREADS + 8;
    public static final int TARGET_COUNT = INPUT_COUNT + 8;
    public static final int CLASS_WEIGHTS_COUNT = TARGET_COUNT + 8;
    public static final int SAMPLE_WEIGHTS_COUNT = CLASS_WEIGHTS_COUNT + 8;
    public static final int LENGTHS_COUNT = SAMPLE_WEIGHTS_COUNT + 8;
    public static final int GRAD_OUTPUT_COUNT = LENGTHS_COUNT + 8;
    public static final int LOSS_OUT_COUNT = GRAD_OUTPUT_COUNT + 8;
    public static final int GRAD_INPUT_COUNT = LOSS_OUT_COUNT + 8;
    public static final int LABEL_SMOOTHING = GRAD_INPUT_COUNT + 8;
    public static final int SCALE = LABEL_SMOOTHING + 8;
    public static final int GRAD_OUTPUT_SCALAR = SCALE + 8;
    public static final int PROBLEM_SIZE = GRAD_OUTPUT_SCALAR + 8;

    public static final int RESULT_LOSS = 0;
    public static final int RESULT_WEIGHT_SUM = 8;
    public static final int RESULT_COUNT = 16;
    public static final int RESULT_CORRECT = 24;
    public static final int RESULT_SIZE = 32;

    /** Enum values of xent.h. */
    public static final int FLOAT32 = 1, FLOAT64 = 2, INT32 = 3, INT64 = 4;

    /** Throws if the loaded library disagrees with this layout. */
    public static void check() {
        if (XentNative.xent_abi_version() != ABI_VERSION
                || XentNative.xent_problem_size() != PROBLEM_SIZE
                || XentNative.xent_result_size() != RESULT_SIZE) {
            throw new IllegalStateException("native xent library " + XentNative.xent_version()
                    + " has ABI " + XentNative.xent_abi_version() + " with a " + XentNative.xent_problem_size()
                    + "-byte problem; this binding expects ABI " + ABI_VERSION + " with " + PROBLEM_SIZE + " bytes");
        }
    }
}
