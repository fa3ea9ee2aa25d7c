#include "isa.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "xent.h"

namespace xent {

namespace {

int supported_isa() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return XENT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return XENT_ISA_AVX2;
#endif
    return XENT_ISA_PORTABLE;
}

int parse_isa(const char* name) {
    for (int isa = XENT_ISA_SCALAR; isa <= XENT_ISA_AVX512; ++isa)
        if (std::strcmp(name, xent_isa_name(isa)) == 0) return isa;
    return -1;
}

std::once_flag detected;
std::atomic<bool> detection_done{false};
int cpu_isa = XENT_ISA_SCALAR;
std::atomic<int> active{XENT_ISA_SCALAR};

void detect() {
    // Every call asks: after the first, one load answers (std::call_once itself goes through
    // thread-local storage and pthread_once each time).
    if (detection_done.load(std::memory_order_acquire)) return;
    std::call_once(detected, [] {
        cpu_isa = supported_isa();
        int isa = cpu_isa;
        if (const char* cap = std::getenv("XENT_MAX_ISA")) {
            int wanted = parse_isa(cap);
            if (wanted >= 0 && wanted < isa) isa = wanted;  // an unknown name changes nothing
        }
        active.store(isa);
        detection_done.store(true, std::memory_order_release);
    });
}

}  // namespace

int current_isa() {
    detect();
    return active.load(std::memory_order_relaxed);
}

const VectorKernels* vector_kernels() {
    switch (current_isa()) {
#if defined(__x86_64__)
        case XENT_ISA_AVX512: return &kVectorKernelsAvx512;
        case XENT_ISA_AVX2: return &kVectorKernelsAvx2;
#endif
        case XENT_ISA_PORTABLE: return &kVectorKernelsPortable;
        default: return nullptr;
    }
}

}  // namespace xent

extern "C" {

int xent_isa(void) { return xent::current_isa(); }

int xent_supported_isa(void) {
    xent::detect();
    return xent::cpu_isa;
}

int xent_set_max_isa(int isa) {
    xent::detect();
    if (isa < XENT_ISA_SCALAR) isa = XENT_ISA_SCALAR;
    if (isa > xent::cpu_isa) isa = xent::cpu_isa;
    xent::active.store(isa);
    return isa;
}

const char* xent_isa_name(int isa) {
    switch (isa) {
        case XENT_ISA_SCALAR: return "scalar";
        case XENT_ISA_PORTABLE: return "portable";
        case XENT_ISA_AVX2: return "avx2";
        case XENT_ISA_AVX512: return "avx512";
        default: return "unknown";
    }
}

}  // extern "C"
