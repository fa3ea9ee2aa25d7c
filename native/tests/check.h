// The native tests' whole harness: CHECK macros that count failures, and a summary line.
#pragma once

#include <cstdio>
#include <cstring>

namespace check {
inline int failures = 0;
inline int checks = 0;
}  // namespace check

#define CHECK(cond)                                                               \
    do {                                                                          \
        ++check::checks;                                                          \
        if (!(cond)) {                                                            \
            ++check::failures;                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

#define CHECK_MSG(cond, ...)                                                      \
    do {                                                                          \
        ++check::checks;                                                          \
        if (!(cond)) {                                                            \
            ++check::failures;                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                                    \
            std::fprintf(stderr, "\n");                                           \
        }                                                                         \
    } while (0)

// Prints "<name>: N passed, M failed" and returns the process exit code.
inline int check_summary(const char* name) {
    std::printf("%s: %d passed, %d failed\n", name, check::checks - check::failures, check::failures);
    return check::failures == 0 ? 0 : 1;
}
