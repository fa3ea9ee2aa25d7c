// The BLAS that the fused linear form's GEMMs run on: OpenBLAS, always single-threaded. xent's own
// pool runs the GEMMs of fixed blocks side by side instead, so that the result does not depend on
// the thread count (one GEMM split by OpenBLAS's threads changes its bits with their number) and
// the two pools never oversubscribe the cores.
//
// The few OpenBLAS functions used are declared here rather than through cblas.h, whose arm64 build
// declares _Float16 types that GCC 12's C++ does not have; their C ABI is CBLAS's (32-bit ints:
// an LP64 OpenBLAS).
#pragma once

#include <cstdint>

extern "C" {
void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
void cblas_dgemm(int order, int trans_a, int trans_b, int m, int n, int k, double alpha, const double* a, int lda,
                 const double* b, int ldb, double beta, double* c, int ldc);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char* openblas_get_corename(void);
}

namespace xent {

// CBLAS's enum values.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

// Row-major C = alpha op(A) op(B) + beta C, with op(A) m x k and op(B) k x n.
inline void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
    cblas_sgemm(kRowMajor, trans_a ? kTrans : kNoTrans, trans_b ? kTrans : kNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
                c, static_cast<int>(ldc));
}

inline void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                 int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
    cblas_dgemm(kRowMajor, trans_a ? kTrans : kNoTrans, trans_b ? kTrans : kNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
                c, static_cast<int>(ldc));
}

// OpenBLAS on one thread while any fused call runs, for the whole process: its thread count is
// one global setting (openblas_set_num_threads_local sets that same global in the preset's
// pthreads build, and Windows' DLL lacks it), and a GEMM that OpenBLAS splits changes its bits with
// its thread count. The first call in saves the setting and sets one thread; the last one out puts
// it back, unless someone changed it meanwhile. Each GEMM task also re-asserts one thread
// (ensure()), which narrows, but cannot close, the window in which an application that sets
// OpenBLAS's threads from another thread during a fused call changes that call's bits; a setting
// it finds there is the application's newest, and is the one the last call out puts back (a
// setting of 1 made during fused calls cannot be told from the lease's own, and is not kept).
class SingleThreadedBlas {
public:
    SingleThreadedBlas();
    ~SingleThreadedBlas();
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

    static void ensure() {
        const int now = openblas_get_num_threads();
        if (now != 1) adopt(now);
    }

private:
    // Keeps `now`, set by the application during the lease, for the last call out; sets one thread.
    static void adopt(int now);
};

}  // namespace xent
