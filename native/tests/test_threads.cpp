// Threads the system refuses to create: a call still completes, on the threads there are, with
// the same bits. The process's address space is capped just above what it uses, so no thread
// stack can be mapped and every pthread_create fails, as on a machine out of threads or memory.
// (With OpenMP, libgomp calls exit() here.) Skipped under AddressSanitizer, whose shadow memory
// cannot live under such a cap.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "check.h"
#include "problem.h"

#if defined(__SANITIZE_ADDRESS__)
#define XENT_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XENT_UNDER_ASAN 1
#endif
#endif

namespace {

// The process's mapped bytes now (VmSize).
long long mapped_bytes() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long long kb = -1;
    while (status >> key) {
        if (key == "VmSize:") {
            status >> kb;
            break;
        }
        status.ignore(1 << 10, '\n');
    }
    return kb * 1024;
}

}  // namespace

int main() {
#ifdef XENT_UNDER_ASAN
    std::printf("test_threads: skipped under AddressSanitizer\n");
    return 0;
#else
    const int64_t N = 256, C = 1000;  // 256,000 elements: a call for several threads
    xent_problem p = make_problem({N, C});
    p.target_count = N;
    p.grad_input_count = N * C;
    std::vector<float> x(N * C), grad_serial(N * C), grad(N * C);
    std::vector<int64_t> y(N);
    for (int64_t i = 0; i < N * C; ++i) x[i] = static_cast<float>((i * 7919) % 1000) / 125.0f - 4.0f;
    for (int64_t i = 0; i < N; ++i) y[i] = (i * 31) % C;
    xent_result serial{}, r{};
    p.threads = 1;
    CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, grad_serial.data(), &serial) == XENT_OK);

    // No room for another thread's stack from here on.
    const long long now = mapped_bytes();
    CHECK(now > 0);
    struct rlimit cap;
    CHECK(getrlimit(RLIMIT_AS, &cap) == 0);
    cap.rlim_cur = static_cast<rlim_t>(now + (4 << 20));
    CHECK(setrlimit(RLIMIT_AS, &cap) == 0);

    p.threads = xent_max_threads();
    for (int call = 0; call < 3; ++call) {
        const int s = xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, grad.data(), &r);
        CHECK_MSG(s == XENT_OK, "status %d: %s", s, xent_last_error());
        CHECK(std::memcmp(&r.loss, &serial.loss, sizeof r.loss) == 0);
        CHECK(std::memcmp(grad.data(), grad_serial.data(), grad.size() * sizeof(float)) == 0);
    }
    std::printf("threads asked for: %lld, address space capped at %lld MB\n", (long long)p.threads, now >> 20);
    return check_summary("test_threads");
#endif
}
