// Per-thread error message behind xent_last_error().
#pragma once

namespace xent {

// Formats the message of a failed call (printf-style) and returns `status`, so validation code
// can write `return fail(XENT_ERR_ARGUMENT, "...", ...);`.
int fail(int status, const char* format, ...) __attribute__((format(printf, 2, 3)));

const char* last_error();

}  // namespace xent
