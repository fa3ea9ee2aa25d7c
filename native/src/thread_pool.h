// The library's threads: one pool per process, shared by every calling thread.
//
// A call runs its tasks on the calling thread and on up to threads - 1 of the pool's workers, as
// many as are idle; tasks are taken one at a time from a shared counter. The pool never holds more
// than max_threads() - 1 workers, however many threads call in, and creates them only when a call
// first wants them. A worker that cannot be created (the process's thread limit, no memory) is
// simply not there: the call runs on the threads that are, ultimately on the caller alone. Nothing
// here can end the process, which is why xent does not use OpenMP: libgomp calls exit() when it
// cannot create a thread.
#pragma once

#include <cstdint>
#include <type_traits>

namespace xent {

// The most threads one call may use: the CPUs this process may run on, or the environment
// variable XENT_MAX_THREADS (1 to 1024) when it is set as the library loads.
int max_threads();

using TaskFn = void (*)(void* context, int64_t task);

// Calls fn(context, task) for every task in [0, count), on the calling thread and up to
// threads - 1 workers (threads is at least 1), and returns when all have returned.
void run_tasks(int64_t count, int threads, TaskFn fn, void* context);

// run_tasks for a callable: body(task).
template <class Body>
void parallel_for(int64_t count, int threads, Body& body) {
    run_tasks(count, threads, [](void* context, int64_t task) { (*static_cast<Body*>(context))(task); }, &body);
}

}  // namespace xent
