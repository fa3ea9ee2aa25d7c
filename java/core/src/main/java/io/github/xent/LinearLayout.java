package io.github.xent;

/**
 * Byte offsets of the members of {@code xent_linear_problem} (xent.h), one 8-byte slot each;
 * {@link #check()} compares them with the loaded library's, as {@link ProblemLayout} does.
 */
final class LinearLayout {
    private LinearLayout() {}

    static final int ABI = 0;
    static final int RANK = 8;
    static final int DIMS = 16;
    static final int CLASSES = DIMS + 8 * Batch.MAX_RANK;
    static final int WEIGHT_LAYOUT = CLASSES + 8;
    static final int REDUCTION = WEIGHT_LAYOUT + 8;
    static final int DTYPE = REDUCTION + 8;
    static final int TARGET_DTYPE = DTYPE + 8;
    static final int IGNORE_INDEX = TARGET_DTYPE + 8;
    static final int INDEX_BASE = IGNORE_INDEX + 8;
    static final int THREADS = INDEX_BASE + 8;
    static final int BLOCK_ROWS = THREADS + 8;
    static final int ACCUMULATE = BLOCK_ROWS + 8;
    static final int HIDDEN_COUNT = ACCUMULATE + 8;
    static final int WEIGHT_COUNT = HIDDEN_COUNT + 8;
    static final int BIAS_COUNT = WEIGHT_COUNT + 8;
    static final int TARGET_COUNT = BIAS_COUNT + 8;
    static final int CLASS_WEIGHTS_COUNT = TARGET_COUNT + 8;
    static final int SAMPLE_WEIGHTS_COUNT = CLASS_WEIGHTS_COUNT + 8;
    static final int GRAD_OUTPUT_COUNT = SAMPLE_WEIGHTS_COUNT + 8;
    static final int LOSS_OUT_COUNT = GRAD_OUTPUT_COUNT + 8;
    static final int LSE_OUT_COUNT = LOSS_OUT_COUNT + 8;
    static final int GRAD_HIDDEN_COUNT = LSE_OUT_COUNT + 8;
    static final int GRAD_WEIGHT_COUNT = GRAD_HIDDEN_COUNT + 8;
    static final int GRAD_BIAS_COUNT = GRAD_WEIGHT_COUNT + 8;
    static final int LABEL_SMOOTHING = GRAD_BIAS_COUNT + 8;
    static final int SCALE = LABEL_SMOOTHING + 8;
    static final int GRAD_OUTPUT_SCALAR = SCALE + 8;
    static final int Z_LOSS = GRAD_OUTPUT_SCALAR + 8;
    static final int SOFTCAP = Z_LOSS + 8;
    static final int SIZE = SOFTCAP + 8;

    static final Object[][] FIELDS = {
        {"linear.abi_version", ABI}, {"linear.rank", RANK}, {"linear.dims", DIMS}, {"linear.classes", CLASSES},
        {"linear.weight_layout", WEIGHT_LAYOUT}, {"linear.reduction", REDUCTION}, {"linear.dtype", DTYPE},
        {"linear.target_dtype", TARGET_DTYPE}, {"linear.ignore_index", IGNORE_INDEX}, {"linear.index_base", INDEX_BASE},
        {"linear.threads", THREADS}, {"linear.block_rows", BLOCK_ROWS}, {"linear.accumulate", ACCUMULATE},
        {"linear.hidden_count", HIDDEN_COUNT}, {"linear.weight_count", WEIGHT_COUNT}, {"linear.bias_count", BIAS_COUNT},
        {"linear.target_count", TARGET_COUNT}, {"linear.class_weights_count", CLASS_WEIGHTS_COUNT},
        {"linear.sample_weights_count", SAMPLE_WEIGHTS_COUNT}, {"linear.grad_output_count", GRAD_OUTPUT_COUNT},
        {"linear.loss_out_count", LOSS_OUT_COUNT}, {"linear.lse_out_count", LSE_OUT_COUNT},
        {"linear.grad_hidden_count", GRAD_HIDDEN_COUNT}, {"linear.grad_weight_count", GRAD_WEIGHT_COUNT},
        {"linear.grad_bias_count", GRAD_BIAS_COUNT}, {"linear.label_smoothing", LABEL_SMOOTHING}, {"linear.scale", SCALE},
        {"linear.grad_output_scalar", GRAD_OUTPUT_SCALAR}, {"linear.z_loss", Z_LOSS}, {"linear.softcap", SOFTCAP},
    };

    /** Throws, naming the first disagreement, if the loaded library's layout is not this one. */
    static void check() {
        String library = "native xent library " + XentNative.xent_version();
        if (XentNative.xent_linear_problem_size() != SIZE) {
            throw new IllegalStateException(library + " has a " + XentNative.xent_linear_problem_size()
                    + "-byte linear problem; this binding expects " + SIZE);
        }
        for (Object[] field : FIELDS) {
            long offset = XentNative.xent_field_offset((String) field[0]);
            if (offset != (Integer) field[1]) {
                throw new IllegalStateException(library + " has " + field[0] + " at byte " + offset + "; this binding writes it at "
                        + field[1]);
            }
        }
    }
}
