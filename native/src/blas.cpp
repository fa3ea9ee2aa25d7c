#include "blas.h"

#include <mutex>

namespace xent {

namespace {

std::mutex lease_mutex;
int lease_holders = 0;  // fused calls running
int saved_threads = 1;  // OpenBLAS's setting before the first of them

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
    std::lock_guard<std::mutex> lock(lease_mutex);
    if (lease_holders++ == 0) {
        saved_threads = openblas_get_num_threads();
        if (saved_threads != 1) openblas_set_num_threads(1);
    }
}

SingleThreadedBlas::~SingleThreadedBlas() {
    std::lock_guard<std::mutex> lock(lease_mutex);
    if (--lease_holders == 0 && saved_threads != 1 && openblas_get_num_threads() == 1) {
        openblas_set_num_threads(saved_threads);
    }
}

void SingleThreadedBlas::adopt(int now) {
    std::lock_guard<std::mutex> lock(lease_mutex);
    if (lease_holders > 0) saved_threads = now;
    openblas_set_num_threads(1);
}

}  // namespace xent
