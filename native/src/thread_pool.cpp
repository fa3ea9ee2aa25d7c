#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(_WIN32)
#include <windows.h>
#endif
#if !defined(_WIN32)
#include <pthread.h>
#include <signal.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace xent {

namespace {

constexpr int kThreadLimit = 1024;

int count_threads() {
    if (const char* env = std::getenv("XENT_MAX_THREADS")) {
        char* end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && n >= 1 && n <= kThreadLimit) return static_cast<int>(n);
    }
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return std::min(CPU_COUNT(&set), kThreadLimit);
#elif defined(_WIN32)
    DWORD_PTR process = 0, system = 0;
    if (GetProcessAffinityMask(GetCurrentProcess(), &process, &system) && process != 0) {
        int n = 0;
        for (; process != 0; process &= process - 1) n++;
        return std::min(n, kThreadLimit);
    }
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(std::min<unsigned>(n, kThreadLimit));
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

constexpr int kMaxLanes = 64;

// One call's tasks, cut into one contiguous lane per thread that may run them, as OpenMP's static
// schedule would: a thread streams through neighbouring tasks (which the hardware prefetchers
// follow across task boundaries), then helps with the other lanes, so no thread waits for one
// that came late or not at all. The job lives on the caller's stack: the caller takes it out of
// the queue before it waits for the workers inside to leave, so no worker touches it after the
// caller returns.
struct Job {
    struct alignas(64) Lane {
        std::atomic<int64_t> next;  // its next task
        int64_t end;
    };
    TaskFn fn;
    void* context;
    int lanes;
    Lane lane[kMaxLanes];
    std::atomic<int> joined{0};  // threads that took a lane, the caller first
    std::atomic<int> active{0};  // workers inside
    int slots = 0;               // workers that may still join (under Pool::mutex_)
    Job* later = nullptr;        // the queue, oldest first (under Pool::mutex_)

    Job(TaskFn f, void* c, int64_t count, int threads) : fn(f), context(c), lanes(std::min(threads, kMaxLanes)) {
        for (int l = 0; l < lanes; ++l) {
            lane[l].next.store(count * l / lanes, std::memory_order_relaxed);
            lane[l].end = count * (l + 1) / lanes;
        }
    }

    bool done() const {
        for (int l = 0; l < lanes; ++l)
            if (lane[l].next.load(std::memory_order_relaxed) < lane[l].end) return false;
        return true;
    }

    // Runs tasks until none is left: this thread's own lane, then the others'.
    void run() {
        const int own = joined.fetch_add(1, std::memory_order_relaxed) % lanes;
        for (int k = 0; k < lanes; ++k) {
            Lane& at = lane[(own + k) % lanes];
            for (int64_t task; (task = at.next.fetch_add(1, std::memory_order_relaxed)) < at.end;) fn(context, task);
        }
    }
};

class Pool {
public:
    // Never destroyed: detached workers wait on its members until the process ends, after static
    // destructors have run.
    static Pool& instance() {
        static Pool* pool = new Pool();
        return *pool;
    }

    void run(int64_t count, int threads, TaskFn fn, void* context) {
        int helpers = static_cast<int>(std::min<int64_t>(threads - 1, count - 1));
        if (helpers > 0) helpers = std::min(helpers, grow(helpers));
        if (helpers <= 0) {
            for (int64_t task = 0; task < count; ++task) fn(context, task);
            return;
        }
        Job job(fn, context, count, helpers + 1);
        job.slots = helpers;
        int sleeping;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            push(&job);
            sleeping = sleeping_;
        }
        for (int k = 0; k < std::min(helpers, sleeping); ++k) wake_.notify_one();
        job.run();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            remove(&job);  // no worker joins from now on
        }
        // The workers inside finish the task they are on; then it is safe to return.
        for (int spins = 0; job.active.load(std::memory_order_acquire) != 0; ++spins) {
            if (spins < 1024) cpu_relax();
            else std::this_thread::yield();
        }
    }

private:
    // Starts workers until there are `wanted` (at most max_threads() - 1); returns how many there are.
    // Each new worker is waited for until it sleeps: a new thread starts on its creator's CPU, where
    // it would wait for a time slice while the creator runs the call alone, and stay until the
    // scheduler balances the CPUs (milliseconds); a sleeping one is woken onto an idle CPU.
    int grow(int wanted) {
        wanted = std::min(wanted, max_threads() - 1);
        if (workers_.load(std::memory_order_acquire) >= wanted) return workers_.load(std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(grow_);
        while (workers_.load(std::memory_order_relaxed) < wanted) {
            try {
                std::thread(&Pool::work, this).detach();
            } catch (...) {  // std::system_error (no thread left to the process) or bad_alloc
                break;
            }
            const int created = workers_.fetch_add(1, std::memory_order_release) + 1;
            std::unique_lock<std::mutex> parked(mutex_);
            parked_cv_.wait_for(parked, std::chrono::milliseconds(100), [&] { return parked_ >= created; });
        }
        return workers_.load(std::memory_order_relaxed);
    }

    void work() {
#if !defined(_WIN32)
        // Signals for the process are for the threads that expect them (the JVM's, say), not these.
        sigset_t blocked;
        sigfillset(&blocked);
        for (int sync : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&blocked, sync);
        pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
#endif
        for (bool first = true;; first = false) {
            Job* job = take(first);
            job->run();
            job->active.fetch_sub(1, std::memory_order_release);  // the last touch of the job
        }
    }

    // The next job with room for a worker: watches for one a while first (calls often come back
    // to back, and waking a sleeping thread costs microseconds), then sleeps until a call posts
    // one. It watches politely: after a short spin it yields the CPU at each look, so that the
    // caller's other threads (a JVM's, another library's pool) run while it waits.
    Job* take(bool sleep_first) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
        for (int looks = 1; !sleep_first; ++looks) {
            if (open_.load(std::memory_order_relaxed) > 0) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (Job* job = claim()) return job;
            }
            if (looks < 256) {
                cpu_relax();
            } else {
                if (std::chrono::steady_clock::now() > give_up) break;
                std::this_thread::yield();
            }
        }
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            if (Job* job = claim()) return job;
            ++sleeping_;
            if (sleep_first) {  // a new worker, parked: grow() may return
                sleep_first = false;
                ++parked_;
                parked_cv_.notify_all();
            }
            wake_.wait(lock);
            --sleeping_;
        }
    }

    // Under mutex_: takes a slot of the oldest job that still has tasks left.
    Job* claim() {
        for (Job* job = oldest_; job != nullptr; job = job->later) {
            if (job->done()) continue;
            job->active.fetch_add(1, std::memory_order_relaxed);
            if (--job->slots == 0) remove(job);
            return job;
        }
        return nullptr;
    }

    void push(Job* job) {
        (oldest_ == nullptr ? oldest_ : newest_->later) = job;
        newest_ = job;
        open_.fetch_add(1, std::memory_order_relaxed);
    }

    void remove(Job* job) {
        Job* before = nullptr;
        for (Job* at = oldest_; at != nullptr; before = at, at = at->later) {
            if (at != job) continue;
            (before == nullptr ? oldest_ : before->later) = job->later;
            if (newest_ == job) newest_ = before;
            open_.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    Job* oldest_ = nullptr;
    Job* newest_ = nullptr;
    int sleeping_ = 0;
    int parked_ = 0;  // workers that have gone to sleep once (grow() waits for each)
    std::condition_variable parked_cv_;
    std::atomic<int> open_{0};  // jobs in the queue, read without the lock by spinning workers
    std::mutex grow_;
    std::atomic<int> workers_{0};
};

// Read as the library loads, as the header promises.
[[maybe_unused]] const int kMaxThreadsAtLoad = max_threads();

}  // namespace

int max_threads() {
    static const int threads = count_threads();
    return threads;
}

void run_tasks(int64_t count, int threads, TaskFn fn, void* context) {
    if (threads <= 1 || count < 2) {
        for (int64_t task = 0; task < count; ++task) fn(context, task);
        return;
    }
    Pool::instance().run(count, threads, fn, context);
}

}  // namespace xent
