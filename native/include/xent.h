/*
 * xent.h — the one public C API of the xent cross-entropy library.
 *
 * Everything the library computes is defined in docs/semantics.md. This header is the whole
 * contract between the native library and its callers (the JavaCPP binding is one of them):
 * plain C types, integer status codes, and no exceptions across the boundary.
 *
 * Thread safety: every function may be called from any number of threads at once. The only
 * per-thread state is the message returned by xent_last_error().
 */
#ifndef XENT_H
#define XENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define XENT_API __declspec(dllexport)
#else
#  define XENT_API __attribute__((visibility("default")))
#endif

/* Bumped whenever xent_problem or xent_result change layout or meaning. */
#define XENT_ABI_VERSION 3

/* Highest tensor rank accepted: (N, C, d1, ..., d6). */
#define XENT_MAX_RANK 8

/* Element types. Inputs, class weights, probability targets, sample weights, upstream gradients
 * and both outputs share the input's float type; index targets and lengths are integers. */
enum xent_dtype {
    XENT_FLOAT32 = 1,
    XENT_FLOAT64 = 2,
    XENT_INT32 = 3,
    XENT_INT64 = 4
};

/* What the target holds (docs/semantics.md, "Target kinds"). */
enum xent_target_kind {
    XENT_TARGET_INDEX = 0,         /* one class index per position */
    XENT_TARGET_PROBABILITIES = 1, /* a distribution over the classes per position */
    XENT_TARGET_BINARY = 2         /* a probability per element; no class axis */
};

/* What the input holds (docs/semantics.md, "Input kinds"). */
enum xent_input_kind {
    XENT_INPUT_LOGITS = 0,
    XENT_INPUT_PROBABILITIES = 1,
    XENT_INPUT_LOG_PROBABILITIES = 2
};

enum xent_reduction {
    XENT_REDUCTION_NONE = 0,
    XENT_REDUCTION_SUM = 1,
    XENT_REDUCTION_MEAN = 2
};

/* Status codes. On anything but XENT_OK nothing has been written to any output. */
enum xent_status {
    XENT_OK = 0,
    XENT_ERR_ARGUMENT = 1,    /* an option or the shape is invalid */
    XENT_ERR_BUFFER = 2,      /* a buffer is missing, too small, or overlaps another */
    XENT_ERR_TARGET = 3,      /* a target value is out of range (the message gives position and value) */
    XENT_ERR_UNSUPPORTED = 4, /* allowed by the spec, not implemented by this build */
    XENT_ERR_INTERNAL = 5     /* out of memory or a bug; please report */
};

/*
 * The problem: shape, options and the capacity of every buffer.
 *
 * Every member is 8 bytes wide and there is no padding, so the struct is an array of 8-byte
 * slots in declaration order. The Java binding writes it through one direct buffer, which costs
 * a single JNI crossing per call instead of one per field; xent_problem_size() lets it check
 * the layout at load time.
 */
typedef struct xent_problem {
    int64_t abi_version;           /* must be XENT_ABI_VERSION */
    int64_t rank;                  /* 1 .. XENT_MAX_RANK */
    int64_t dims[XENT_MAX_RANK];   /* the input's shape; entries past rank are ignored */
    int64_t class_axis;            /* 1 (N, C, d1..dK) or -1 (..., C); same axis for rank <= 2 */
    int64_t target_kind;           /* enum xent_target_kind */
    int64_t input_kind;            /* enum xent_input_kind */
    int64_t reduction;             /* enum xent_reduction */
    int64_t dtype;                 /* XENT_FLOAT32 or XENT_FLOAT64: the input and every float buffer */
    int64_t target_dtype;          /* INDEX: XENT_INT32 or XENT_INT64; otherwise equal to dtype */
    int64_t lengths_dtype;         /* XENT_INT32 or XENT_INT64 when lengths are given */
    int64_t ignore_index;          /* INDEX only: positions with this target are excluded */
    int64_t index_base;            /* 0 or 1: the class of index value `index_base` is class 0 */
    int64_t threads;               /* 0: xent_max_threads(); else at most this many, <= xent_max_threads() */
    /* Capacities in elements, 0 where the buffer is absent (NULL). The library checks that each
     * given buffer holds at least what the problem needs and never touches anything past it. */
    int64_t input_count;
    int64_t target_count;
    int64_t class_weights_count;
    int64_t sample_weights_count;
    int64_t lengths_count;
    int64_t grad_output_count;
    int64_t loss_out_count;
    int64_t grad_input_count;
    double label_smoothing;        /* epsilon in [0, 1] */
    double scale;                  /* multiplies the loss and the gradient; 1 for none */
    double grad_output_scalar;     /* upstream gradient g of a SUM or MEAN loss; 1 for plain training */
    /* LOGITS input with INDEX or PROBABILITIES targets only (docs/semantics.md, "z-loss and logit
     * soft-cap"); 0 turns each off, and must be 0 for every other form. */
    double z_loss;                 /* lambda >= 0: each counted position adds lambda * s * lse^2 */
    double softcap;                /* c >= 0: every logit x is replaced by c * tanh(x / c) first */
} xent_problem;

/* What one call reports besides its outputs. */
typedef struct xent_result {
    double loss;       /* the reduced loss, z-loss included; for NONE, the sum of the per-position losses */
    double weight_sum; /* the MEAN divisor: sum of s * w_y (INDEX) or of s, over counted positions */
    int64_t count;     /* positions that count (not ignored, not past a sequence's length) */
    int64_t correct;   /* counted positions whose arg-max class is the target's */
    double z_loss;     /* the z-loss part of `loss`, reduced as it is (MEAN: over the counted s) */
} xent_result;

/*
 * Computes the loss of `input` against `target` and, when grad_input is not NULL, the gradient
 * of that loss with respect to the input, scaled by the upstream gradient, in the same sweep.
 *
 *   input           the input tensor, problem->dims, problem->dtype, row-major
 *   target          INDEX: one integer per position; PROBABILITIES, BINARY: the input's shape
 *   class_weights   C weights, or NULL for all 1
 *   sample_weights  one weight per position (per element for BINARY), or NULL for all 1
 *   lengths         one length per sequence of an (N, T, C) / (N, C, T) input, or NULL
 *   grad_output     NONE: one upstream gradient per position, or NULL for all 1;
 *                   SUM, MEAN: must be NULL (problem->grad_output_scalar is used)
 *   loss_out        NONE: receives the per-position losses; SUM, MEAN: must be NULL
 *   grad_input      receives dL/dinput (input's shape), or NULL for a forward pass only. It may be
 *                   the input itself (in place); any other overlap with an argument is an error.
 *   result          receives the reduced loss and the metrics; may be NULL
 *
 * Returns XENT_OK, or a status whose message xent_last_error() gives. Arguments are checked
 * before anything is written, so a failed call leaves every output as it was.
 */
XENT_API int xent_compute(const xent_problem* problem,
                          const void* input, const void* target,
                          const void* class_weights, const void* sample_weights,
                          const void* lengths, const void* grad_output,
                          void* loss_out, void* grad_input,
                          xent_result* result);

/* The weight of the fused linear form: (V, D) as PyTorch's nn.Linear keeps it, or (D, V) as DL4J's
 * dense layers do. Both row-major. */
enum xent_weight_layout {
    XENT_WEIGHT_VD = 0,
    XENT_WEIGHT_DV = 1
};

/*
 * The fused linear + cross-entropy problem (docs/semantics.md, "Fused linear + cross-entropy"):
 * the logits x = h W^T + b of M positions over V classes, never stored whole, and the INDEX form's
 * loss of them. Every member is 8 bytes wide, no padding, like xent_problem.
 */
typedef struct xent_linear_problem {
    int64_t abi_version;           /* must be XENT_ABI_VERSION */
    int64_t rank;                  /* of the hidden state, 1 .. XENT_MAX_RANK: (..., D) */
    int64_t dims[XENT_MAX_RANK];   /* the hidden state's shape: M positions (the product of all but the last) by D */
    int64_t classes;               /* V, the rows of the weight in (V, D) layout; at most 2^31 - 1, as D */
    int64_t weight_layout;         /* enum xent_weight_layout */
    int64_t reduction;             /* enum xent_reduction */
    int64_t dtype;                 /* XENT_FLOAT32 or XENT_FLOAT64: every float buffer */
    int64_t target_dtype;          /* XENT_INT32 or XENT_INT64 */
    int64_t ignore_index;          /* positions with this target are excluded */
    int64_t index_base;            /* 0 or 1 */
    int64_t threads;               /* as xent_problem.threads; also bounds the BLAS's threads */
    int64_t block_rows;            /* positions per block of logits; 0: chosen by V (extra memory <= 64 MB) */
    int64_t accumulate;            /* 1: grad_weight and grad_bias are added to; 0: overwritten */
    /* Capacities in elements, 0 where the buffer is absent (NULL). */
    int64_t hidden_count;
    int64_t weight_count;
    int64_t bias_count;
    int64_t target_count;
    int64_t class_weights_count;
    int64_t sample_weights_count;
    int64_t grad_output_count;
    int64_t loss_out_count;
    int64_t lse_out_count;
    int64_t grad_hidden_count;
    int64_t grad_weight_count;
    int64_t grad_bias_count;
    double label_smoothing;        /* as xent_problem */
    double scale;
    double grad_output_scalar;
    double z_loss;
    double softcap;
} xent_linear_problem;

/*
 * The loss of the logits h W^T + b against index targets and, for each gradient buffer given, its
 * gradient; the logits are computed a block of positions at a time (problem->block_rows), so the
 * extra memory does not grow with M. Bit-identical results for any problem->threads (the GEMMs are
 * cut for xent_max_threads(), whatever one call uses).
 *
 *   hidden          h: M x D (problem->dims)
 *   weight          W: V x D, or D x V (problem->weight_layout)
 *   bias            b: V, or NULL for none
 *   target          M class indices (problem->target_dtype)
 *   class_weights   V weights, or NULL;  sample_weights: M weights, or NULL
 *   grad_output     NONE: M upstream gradients, or NULL for all 1; SUM, MEAN: NULL
 *   loss_out        NONE: receives the M per-position losses; SUM, MEAN: must be NULL
 *   lse_out         receives each position's log-sum-exp of its (soft-capped) logits, or NULL
 *   grad_hidden     receives dL/dh (M x D), or NULL
 *   grad_weight     receives (or, with accumulate, adds) dL/dW in the weight's layout, or NULL
 *                   (a frozen head: that GEMM is skipped)
 *   grad_bias       receives (or adds) dL/db, or NULL; needs a bias
 *   result          the reduced loss and the metrics, or NULL
 *
 * With no gradient buffer the call is a forward pass: one GEMM. No output may overlap any other
 * argument. Returns as xent_compute does, and like it writes nothing when it fails.
 */
XENT_API int xent_linear_compute(const xent_linear_problem* problem,
                                 const void* hidden, const void* weight, const void* bias,
                                 const void* target, const void* class_weights,
                                 const void* sample_weights, const void* grad_output,
                                 void* loss_out, void* lse_out, void* grad_hidden,
                                 void* grad_weight, void* grad_bias, xent_result* result);

/* The BLAS core that xent_linear_compute's GEMMs run on (OpenBLAS's openblas_get_corename(),
 * "Haswell", "SkylakeX", ...), for benchmarks to say what they measured. */
XENT_API const char* xent_blas_core(void);

/* The message of the last failed call on this thread ("" if none has failed). A successful call
 * leaves it as it was, so read it right after a call that returned a status other than XENT_OK.
 *
 * Every message has the form "<argument>: <problem>", where <argument> is the name of the
 * xent_compute parameter or xent_problem member at fault, exactly as this header spells it
 * ("grad_input: overlaps input (only grad_input == input is allowed)", "label_smoothing: must be
 * in [0, 1], not 1.5", "target: value 7 at position 3 is outside [0, 5) ..."), or "shape" for the
 * rank and dims, or "problem" for the struct itself; a binding may rename the argument for its
 * users (the Java facade does) by that prefix alone. */
XENT_API const char* xent_last_error(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
XENT_API const char* xent_version(void);

/* XENT_ABI_VERSION of the compiled library, and sizeof its structs, for binding checks. */
XENT_API int xent_abi_version(void);
XENT_API size_t xent_problem_size(void);
XENT_API size_t xent_result_size(void);
XENT_API size_t xent_linear_problem_size(void);

/* The byte offset of a member of xent_problem, xent_linear_problem or xent_result in the compiled
 * library, by name ("problem.dims", "problem.label_smoothing", "linear.classes", "result.loss"),
 * or -1 for a name it does not have.
 * A binding that writes the structs as bytes checks every offset it uses when it loads. */
XENT_API int64_t xent_field_offset(const char* name);

/* Instruction sets of the vectorised kernels, from the most portable up. */
enum xent_isa {
    XENT_ISA_SCALAR = 0,   /* the plain C++ reference kernels */
    XENT_ISA_PORTABLE = 1, /* 128-bit vectors: SSE2 on x86-64, NEON on ARM64 */
    XENT_ISA_AVX2 = 2,     /* AVX2 with FMA */
    XENT_ISA_AVX512 = 3    /* AVX-512 F, DQ, BW, VL */
};

/* The instruction set that calls use now: the best this CPU supports, capped by the environment
 * variable XENT_MAX_ISA (scalar, portable, avx2 or avx512) when the library loads, and by
 * xent_set_max_isa(). Logits with class targets, probabilities or log-probabilities with plain
 * index targets, and binary targets have vector kernels; the other forms (label smoothing or soft
 * targets with non-logits input) use the scalar reference kernels on every ISA. */
XENT_API int xent_isa(void);

/* Caps the instruction set at `isa` (for tests and comparisons) and returns the one now in use:
 * the lower of the cap and what the CPU supports. Calls that start afterwards use it. */
XENT_API int xent_set_max_isa(int isa);

/* The best instruction set this CPU supports (what xent_isa() gives without a cap). */
XENT_API int xent_supported_isa(void);

/* "scalar", "portable", "avx2", "avx512", or "unknown". */
XENT_API const char* xent_isa_name(int isa);

/* The thread count that threads = 0 stands for: xent_max_threads(). */
XENT_API int xent_default_threads(void);

/* The most threads a call may ask for: the CPUs this process may run on, or the environment
 * variable XENT_MAX_THREADS (1 to 1024) when it is set as the library loads. A call runs on its
 * calling thread and on idle workers of one pool that every calling thread shares, which never
 * holds more than xent_max_threads() - 1 threads; a worker the system cannot create is done
 * without (the call still completes). Results do not depend on how many threads ran. */
XENT_API int xent_max_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* XENT_H */
