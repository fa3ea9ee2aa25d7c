#include "error.h"

#include <cstdarg>
#include <cstdio>

namespace xent {

namespace {
// Fixed size: formatting an error must not allocate, and 512 bytes hold every message we write.
thread_local char message[512];
}  // namespace

int fail(int status, const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return status;
}

const char* last_error() { return message; }

}  // namespace xent
