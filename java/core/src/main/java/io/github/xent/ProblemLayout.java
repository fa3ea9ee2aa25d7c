package io.github.xent;

/**
 * Byte offsets of the members of {@code xent_problem} and {@code xent_result}, as declared in
 * {@code xent.h}: every member is one 8-byte slot. {@link #check()} compares every offset, the ABI
 * version and the two sizes with the loaded library's ({@code xent_field_offset}), so a header
 * change that is not mirrored here fails at load, not silently.
 */
final class ProblemLayout {
    private ProblemLayout() {}

    static final int ABI_VERSION = 3;
    static final int MAX_RANK = 8;

    static final int ABI = 0;
    static final int RANK = 8;
    static final int DIMS = 16;
    static final int CLASS_AXIS = DIMS + 8 * MAX_RANK;
    static final int TARGET_KIND = CLASS_AXIS + 8;
    static final int INPUT_KIND = TARGET_KIND + 8;
    static final int REDUCTION = INPUT_KIND + 8;
    static final int DTYPE = REDUCTION + 8;
    static final int TARGET_DTYPE = DTYPE + 8;
    static final int LENGTHS_DTYPE = TARGET_DTYPE + 8;
    static final int IGNORE_INDEX = LENGTHS_DTYPE + 8;
    static final int INDEX_BASE = IGNORE_INDEX + 8;
    static final int THREADS = INDEX_BASE + 8;
    static final int INPUT_COUNT = THREADS + 8;
    static final int TARGET_COUNT = INPUT_COUNT + 8;
    static final int CLASS_WEIGHTS_COUNT = TARGET_COUNT + 8;
    static final int SAMPLE_WEIGHTS_COUNT = CLASS_WEIGHTS_COUNT + 8;
    static final int LENGTHS_COUNT = SAMPLE_WEIGHTS_COUNT + 8;
    static final int GRAD_OUTPUT_COUNT = LENGTHS_COUNT + 8;
    static final int LOSS_OUT_COUNT = GRAD_OUTPUT_COUNT + 8;
    static final int GRAD_INPUT_COUNT = LOSS_OUT_COUNT + 8;
    static final int LABEL_SMOOTHING = GRAD_INPUT_COUNT + 8;
    static final int SCALE = LABEL_SMOOTHING + 8;
    static final int GRAD_OUTPUT_SCALAR = SCALE + 8;
    static final int Z_LOSS = GRAD_OUTPUT_SCALAR + 8;
    static final int SOFTCAP = Z_LOSS + 8;
    static final int PROBLEM_SIZE = SOFTCAP + 8;

    static final int RESULT_LOSS = 0;
    static final int RESULT_WEIGHT_SUM = 8;
    static final int RESULT_COUNT = 16;
    static final int RESULT_CORRECT = 24;
    static final int RESULT_Z_LOSS = 32;
    static final int RESULT_SIZE = 40;

    /** Every offset above with the member's name in xent.h, as xent_field_offset() takes it. */
    static final Object[][] FIELDS = {
        {"problem.abi_version", ABI}, {"problem.rank", RANK}, {"problem.dims", DIMS},
        {"problem.class_axis", CLASS_AXIS}, {"problem.target_kind", TARGET_KIND}, {"problem.input_kind", INPUT_KIND},
        {"problem.reduction", REDUCTION}, {"problem.dtype", DTYPE}, {"problem.target_dtype", TARGET_DTYPE},
        {"problem.lengths_dtype", LENGTHS_DTYPE}, {"problem.ignore_index", IGNORE_INDEX},
        {"problem.index_base", INDEX_BASE}, {"problem.threads", THREADS}, {"problem.input_count", INPUT_COUNT},
        {"problem.target_count", TARGET_COUNT}, {"problem.class_weights_count", CLASS_WEIGHTS_COUNT},
        {"problem.sample_weights_count", SAMPLE_WEIGHTS_COUNT}, {"problem.lengths_count", LENGTHS_COUNT},
        {"problem.grad_output_count", GRAD_OUTPUT_COUNT}, {"problem.loss_out_count", LOSS_OUT_COUNT},
        {"problem.grad_input_count", GRAD_INPUT_COUNT}, {"problem.label_smoothing", LABEL_SMOOTHING},
        {"problem.scale", SCALE}, {"problem.grad_output_scalar", GRAD_OUTPUT_SCALAR}, {"problem.z_loss", Z_LOSS},
        {"problem.softcap", SOFTCAP},
        {"result.loss", RESULT_LOSS}, {"result.weight_sum", RESULT_WEIGHT_SUM}, {"result.count", RESULT_COUNT},
        {"result.correct", RESULT_CORRECT}, {"result.z_loss", RESULT_Z_LOSS},
    };

    /** Throws, naming the first disagreement, if the loaded library's layout is not this one. */
    static void check() {
        String library = "native xent library " + XentNative.xent_version();
        if (XentNative.xent_abi_version() != ABI_VERSION) {
            throw new IllegalStateException(library + " has ABI " + XentNative.xent_abi_version() + "; this binding expects "
                    + ABI_VERSION);
        }
        if (XentNative.xent_problem_size() != PROBLEM_SIZE || XentNative.xent_result_size() != RESULT_SIZE) {
            throw new IllegalStateException(library + " has a " + XentNative.xent_problem_size() + "-byte problem and a "
                    + XentNative.xent_result_size() + "-byte result; this binding expects " + PROBLEM_SIZE + " and " + RESULT_SIZE);
        }
        for (Object[] field : FIELDS) {
            long offset = XentNative.xent_field_offset((String) field[0]);
            if (offset != (Integer) field[1]) {
                throw new IllegalStateException(library + " has " + field[0] + " at byte " + offset + "; this binding writes it at "
                        + field[1]);
            }
        }
        LinearLayout.check();
    }
}
