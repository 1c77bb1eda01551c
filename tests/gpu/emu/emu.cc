/* emu.cc — skald's CPU emulator of the CUDA runtime, cuBLAS and NCCL (tests only).
 *
 * What it is for: running the CUDA backend's real code paths (kernels, streams, events, the
 * caching allocator, pinned staging, the input feeder, the NCCL all-reduce) on a machine
 * without a GPU, as strictly as a CPU can: work enqueued on a stream runs only when the host
 * synchronises with that stream (cudaStreamSynchronize, cudaEventSynchronize/Query, a
 * blocking copy, cudaFree), so code that reads a result before synchronising reads stale
 * data; fresh device memory holds NaNs; every copy, memset and GEMM operand is checked to lie
 * inside one allocation of the right kind; launch configurations are checked against the
 * hardware's limits; CUDA threads are fibers, so __syncthreads and warp shuffles block as on
 * the hardware and a barrier some threads never reach is reported, not passed over.
 *
 * What it cannot tell: speed, true concurrency between streams, the hardware's memory model.
 *
 * Device memory is mapped without access while no stream work runs: host code that reads or
 * writes through a device pointer faults at once, as it would on a GPU.
 *
 * Knobs (environment): SKALD_EMU_DEVICES (1), SKALD_EMU_MEM_MB (16384 per device),
 * SKALD_EMU_CC (compute capability major, 9), SKALD_EMU_TIMEOUT (seconds a host wait may
 * last before the emulator reports a hang, 120), SKALD_EMU_PROTECT (0: leave device memory
 * readable by the host).
 *
 * One process-wide lock serialises the whole device: one kernel runs at a time, on the host
 * thread that synchronised. x86-64 only (the fiber switch is a few lines of assembly).
 */
#include "cuda_runtime.h"
#include "cublas_v2.h"
#include "nccl.h"

#include <cblas.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#if !defined(__x86_64__)
#error "the CUDA emulator's fiber switch is written for x86-64"
#endif

uint3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

/* ---------------------------------------------------------------- state */

namespace {

std::mutex mu;
std::condition_variable cv;
using lock_t = std::unique_lock<std::mutex>;

thread_local int cur_dev = 0;
thread_local cudaError_t last_error = cudaSuccess;

uint64_t n_launches = 0, n_items = 0;

[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sk-emu: FATAL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sk-emu: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, nullptr, 10) : dflt;
}
int n_devices() { return (int)env_long("SKALD_EMU_DEVICES", 1); }
size_t dev_total() { return (size_t)env_long("SKALD_EMU_MEM_MB", 16384) << 20; }
double timeout_s() { return (double)env_long("SKALD_EMU_TIMEOUT", 120); }

cudaError_t fail(cudaError_t e)
{
    last_error = e;
    return e;
}

/* ---------------------------------------------------------------- memory */

struct alloc_t {
    size_t size;     /* as asked: what copies and operands are checked against */
    int dev;
    size_t mapped;   /* whole pages */
};
std::map<uintptr_t, alloc_t> dev_allocs, pinned_allocs;
std::vector<size_t> dev_used(64, 0);

const alloc_t *find_in(const std::map<uintptr_t, alloc_t> &m, const void *p, uintptr_t *base)
{
    uintptr_t a = (uintptr_t)p;
    auto it = m.upper_bound(a);
    if (it == m.begin())
        return nullptr;
    --it;
    if (a >= it->first + it->second.size)
        return nullptr;
    *base = it->first;
    return &it->second;
}

/* p .. p+bytes inside one device allocation */
bool is_dev_range(const void *p, size_t bytes)
{
    uintptr_t b;
    const alloc_t *a = find_in(dev_allocs, p, &b);
    return a && (uintptr_t)p + bytes <= b + a->size;
}
bool is_dev(const void *p)
{
    uintptr_t b;
    return find_in(dev_allocs, p, &b) != nullptr;
}
bool is_pinned_range(const void *p, size_t bytes)
{
    uintptr_t b;
    const alloc_t *a = find_in(pinned_allocs, p, &b);
    return a && (uintptr_t)p + bytes <= b + a->size;
}

bool check_dev(const char *call, const void *p, size_t bytes)
{
    if (bytes == 0 || is_dev_range(p, bytes))
        return true;
    complain("%s: %zu bytes at %p are not inside one device allocation%s", call, bytes, p,
             is_dev(p) ? " (they run past its end)" : "");
    return false;
}
bool check_host(const char *call, const void *p, size_t bytes)
{
    if (bytes == 0 || !is_dev(p))
        return true;
    complain("%s: host memory expected, %p is device memory", call, p);
    return false;
}

/* ---------------------------------------------------------------- streams */

struct coll_t;
enum item_kind { ITEM_FN, ITEM_WAIT, ITEM_COLL };
struct item_t {
    uint64_t ticket = 0;
    item_kind kind = ITEM_FN;
    std::function<void()> fn;
    sk_emu_stream *ws = nullptr;  /* ITEM_WAIT: stream and ticket waited for */
    uint64_t wt = 0;
    /* ITEM_COLL */
    sk_emu_nccl *comm = nullptr;
    uint64_t seq = 0;
    const void *send = nullptr;
    void *recv = nullptr;
    size_t count = 0;
    ncclDataType_t type = ncclFloat;
    bool arrived = false;
};

} /* namespace */

struct sk_emu_stream {
    std::deque<item_t> q;
    uint64_t next = 0, done = 0;
    bool busy = false;
    bool legacy = false;
    int dev = 0;
};
struct sk_emu_event {
    sk_emu_stream *s = nullptr;
    uint64_t ticket = 0;
};

namespace {

sk_emu_stream make_legacy()
{
    sk_emu_stream s;
    s.legacy = true;
    return s;
}
sk_emu_stream legacy_stream = make_legacy();   /* the null stream */
std::vector<sk_emu_stream *> streams;

bool coll_step(item_t &it);

/* Device memory is mapped without access except while stream work runs, so that host code
 * touching a device pointer faults here as it would on a GPU (SKALD_EMU_PROTECT=0: off). */
bool protect_on()
{
    static int on = -1;
    if (on < 0)
        on = env_long("SKALD_EMU_PROTECT", 1) != 0;
    return on;
}
int device_open = 0;   /* nesting of progress() calls that opened device memory */
void device_access(bool open)
{
    if (!protect_on())
        return;
    for (auto &kv : dev_allocs)
        if (mprotect((void *)kv.first, kv.second.mapped, open ? PROT_READ | PROT_WRITE : PROT_NONE))
            die("mprotect of device memory failed");
}
struct device_window {
    bool opened = false;
    void open()
    {
        if (!opened && device_open++ == 0)
            device_access(true);
        opened = true;
    }
    ~device_window()
    {
        if (opened && --device_open == 0)
            device_access(false);
    }
};

/* Run s's items up to ticket `upto` as far as they can go without blocking. */
bool progress(sk_emu_stream *s, uint64_t upto)
{
    if (s->done >= upto)
        return true;
    if (s->busy)
        return false;
    s->busy = true;
    bool ran = false;
    device_window win;
    while (!s->q.empty() && s->done < upto) {
        win.open();
        item_t &it = s->q.front();
        if (it.kind == ITEM_WAIT) {
            if (!progress(it.ws, it.wt))
                break;
        } else if (it.kind == ITEM_COLL) {
            if (!coll_step(it))
                break;
        } else {
            it.fn();
        }
        s->done = it.ticket;
        s->q.pop_front();
        n_items++;
        ran = true;
    }
    s->busy = false;
    if (ran)
        cv.notify_all();
    return s->done >= upto;
}

/* Host waits for device work, by call (SKALD_EMU_STATS=1 prints them at exit). A wait for the
 * newest work of a stream drains it: on a GPU the host then stalls until the device is done,
 * and the device idles while the host prepares what comes next. A drain every training step
 * is the pattern that keeps a GPU from full speed. (Here every wait finds work pending: the
 * emulator runs nothing before it is waited for; waits for older work are not counted.) */
std::map<std::string, std::pair<uint64_t, uint64_t>> wait_stats;   /* calls, drains */
void count_wait(const char *what, bool pending)
{
    auto &w = wait_stats[what];
    w.first++;
    w.second += pending;
}
void print_stats()
{
    fprintf(stderr, "sk-emu: %llu kernel launches, %llu stream items run\n",
            (unsigned long long)n_launches, (unsigned long long)n_items);
    for (auto &kv : wait_stats)
        fprintf(stderr, "sk-emu: host waits in %s: %llu (%llu drained a stream)\n",
                kv.first.c_str(), (unsigned long long)kv.second.first,
                (unsigned long long)kv.second.second);
}
struct stats_at_exit {
    stats_at_exit()
    {
        if (env_long("SKALD_EMU_STATS", 0))
            atexit(print_stats);
    }
} stats_at_exit_;

/* Block (the lock released while waiting) until pred() holds; false after the time-out. */
template <class P> bool wait_until(lock_t &lk, P pred, const char *what)
{
    auto t0 = std::chrono::steady_clock::now();
    while (!pred()) {
        cv.wait_for(lk, std::chrono::milliseconds(20));
        double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (el > timeout_s()) {
            complain("%s: still waiting after %.0f s (a hang on a real GPU)", what, el);
            return false;
        }
    }
    return true;
}

bool sync_stream(lock_t &lk, sk_emu_stream *s, const char *what)
{
    uint64_t upto = s->next;
    count_wait(what, s->done < upto);   /* the stream's newest work */
    return wait_until(lk, [&] { return progress(s, upto); }, what);
}

bool sync_all(lock_t &lk, const char *what)
{
    std::vector<std::pair<sk_emu_stream *, uint64_t>> w;
    for (sk_emu_stream *s : streams)
        w.push_back({ s, s->next });
    w.push_back({ &legacy_stream, legacy_stream.next });
    bool pending = false;
    for (auto &p : w)
        pending = pending || p.first->done < p.second;
    count_wait(what, pending);
    return wait_until(lk, [&] {
        bool all = true;
        for (auto &p : w)
            all = progress(p.first, p.second) && all;
        return all;
    }, what);
}

sk_emu_stream *stream_of(cudaStream_t s) { return s ? s : &legacy_stream; }

/* Enqueue; work on the legacy (null) stream is synchronous with everything, as skald never
 * relies on it being otherwise. */
cudaError_t enqueue(lock_t &lk, cudaStream_t st, item_t it, const char *what)
{
    sk_emu_stream *s = stream_of(st);
    if (!s->legacy && std::find(streams.begin(), streams.end(), s) == streams.end()) {
        complain("%s: stream %p was destroyed or never created", what, (void *)st);
        return fail(cudaErrorInvalidResourceHandle);
    }
    if (s->legacy && !sync_all(lk, what))
        return fail(cudaErrorLaunchTimeout);
    it.ticket = ++s->next;
    s->q.push_back(std::move(it));
    cv.notify_all();
    if (s->legacy && !sync_all(lk, what))
        return fail(cudaErrorLaunchTimeout);
    return cudaSuccess;
}
cudaError_t enqueue_fn(lock_t &lk, cudaStream_t st, std::function<void()> fn, const char *what)
{
    item_t it;
    it.kind = ITEM_FN;
    it.fn = std::move(fn);
    return enqueue(lk, st, std::move(it), what);
}

} /* namespace */

/* ---------------------------------------------------------------- fibers and kernels */

extern "C" void sk_emu_switch(void **save, void *to);
__asm__(".text\n"
        ".globl sk_emu_switch\n"
        ".type sk_emu_switch,@function\n"
        "sk_emu_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size sk_emu_switch, .-sk_emu_switch\n");

namespace {

enum fiber_state { F_READY, F_WAIT_WARP, F_WAIT_BLOCK, F_DONE };
struct fiber_t {
    void *sp;
    fiber_state state;
    uint3 tid;
    unsigned lin, nshfl;
    char *stack;
};
const size_t STACK = 256 << 10;
fiber_t fibers[1024];
fiber_t *cur = nullptr;       /* the running fiber; null when threads run one after another */
void *sched_sp;
void (*g_thread)(void *);
void *g_ctx;
const char *g_name;
bool g_barrier_used;
bool g_reverse;
uint64_t shfl_slots[32][2][32];
dim3 cfg_grid, cfg_block;

[[noreturn]] void fiber_entry()
{
    g_thread(g_ctx);
    cur->state = F_DONE;
    sk_emu_switch(&cur->sp, sched_sp);
    __builtin_unreachable();
}

void fiber_init(fiber_t *f)
{
    if (!f->stack) {
        void *p = mmap(nullptr, STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            die("cannot map a fiber stack");
        f->stack = (char *)p;
    }
    uintptr_t top = ((uintptr_t)f->stack + STACK) & ~(uintptr_t)15;
    void **sp = (void **)(top - 64);
    for (int i = 0; i < 6; i++)
        sp[i] = nullptr;                 /* r15 r14 r13 r12 rbx rbp */
    sp[6] = (void *)fiber_entry;         /* popped by ret: entered with rsp = 8 mod 16 */
    sp[7] = nullptr;
    f->sp = sp;
}

uint3 tid_of(unsigned i)
{
    unsigned x = i % cfg_block.x, y = (i / cfg_block.x) % cfg_block.y;
    unsigned z = i / (cfg_block.x * cfg_block.y);
    return uint3{ x, y, z };
}

/* Run warp w's ready lanes until each waits at a barrier or has returned; release the warp's
 * shuffle barrier whenever all its live lanes wait there. */
void run_warp(unsigned w, unsigned n)
{
    unsigned lo = w * 32, hi = lo + 32 < n ? lo + 32 : n;
    for (;;) {
        for (unsigned j = lo; j < hi; j++) {
            unsigned i = g_reverse ? hi - 1 - (j - lo) : j;
            if (fibers[i].state == F_READY) {
                cur = &fibers[i];
                threadIdx = fibers[i].tid;
                sk_emu_switch(&sched_sp, fibers[i].sp);
            }
        }
        cur = nullptr;
        unsigned waiting = 0, done = 0;
        for (unsigned i = lo; i < hi; i++) {
            waiting += fibers[i].state == F_WAIT_WARP;
            done += fibers[i].state == F_DONE;
        }
        if (!waiting || waiting + done != hi - lo)
            return;   /* at __syncthreads, returned, or divergent (reported by the caller) */
        if (done || hi - lo < 32)
            die("kernel %s block (%u,%u,%u): a full-warp shuffle in warp %u while %u of its "
                "lanes have exited or do not exist",
                g_name, blockIdx.x, blockIdx.y, blockIdx.z, w, 32 - waiting);
        for (unsigned i = lo; i < hi; i++)
            fibers[i].state = F_READY;
    }
}

/* One block, every thread a fiber. Each warp in turn runs as far as it can (to the next
 * __syncthreads or its end) before the next starts: the widest skew between warps a GPU may
 * show, so a missing __syncthreads between a write and another warp's read shows. */
void run_block_fibers(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        fiber_t *f = &fibers[i];
        f->state = F_READY;
        f->tid = tid_of(i);
        f->lin = i;
        f->nshfl = 0;
        fiber_init(f);
    }
    unsigned nw = (n + 31) / 32;
    for (;;) {
        for (unsigned k = 0; k < nw; k++)
            run_warp(g_reverse ? nw - 1 - k : k, n);
        unsigned live = 0, at_block = 0;
        for (unsigned i = 0; i < n; i++) {
            live += fibers[i].state != F_DONE;
            at_block += fibers[i].state == F_WAIT_BLOCK;
        }
        if (!live)
            return;
        if (at_block != live)
            die("kernel %s block (%u,%u,%u): deadlock: %u threads wait at __syncthreads while "
                "others wait in a warp shuffle (divergent barriers)",
                g_name, blockIdx.x, blockIdx.y, blockIdx.z, at_block);
        if (live != n)
            die("kernel %s block (%u,%u,%u): __syncthreads reached by %u threads, %u have "
                "already returned", g_name, blockIdx.x, blockIdx.y, blockIdx.z, live, n - live);
        for (unsigned i = 0; i < n; i++)
            fibers[i].state = F_READY;
    }
}

void block_wait(fiber_state st)
{
    g_barrier_used = true;
    fiber_t *f = cur;
    f->state = st;
    sk_emu_switch(&f->sp, sched_sp);
}

} /* namespace */

void sk_emu::syncthreads()
{
    if (!cur)
        die("kernel %s: __syncthreads in block (%u,%u,%u) but not in block 0 (the emulator runs "
            "the threads of such blocks one after another)", g_name, blockIdx.x, blockIdx.y,
            blockIdx.z);
    block_wait(F_WAIT_BLOCK);
}

uint64_t sk_emu::shfl_xor(unsigned mask, uint64_t bits, int lane_mask)
{
    if (!cur)
        die("kernel %s: warp shuffle in block (%u,%u,%u) but not in block 0", g_name,
            blockIdx.x, blockIdx.y, blockIdx.z);
    if (mask != 0xffffffffu)
        die("kernel %s: shuffle with partial mask %#x is not emulated", g_name, mask);
    unsigned lane = cur->lin & 31, w = cur->lin >> 5, p = cur->nshfl++ & 1;
    shfl_slots[w][p][lane] = bits;
    block_wait(F_WAIT_WARP);
    unsigned src = lane ^ (unsigned)lane_mask;
    return src < 32 ? shfl_slots[w][p][src] : bits;
}

void sk_emu::run_grid(const char *name, void (*thread)(void *), void *ctx)
{
    g_name = name;
    g_thread = thread;
    g_ctx = ctx;
    blockDim = cfg_block;
    gridDim = cfg_grid;
    unsigned n = cfg_block.x * cfg_block.y * cfg_block.z;
    /* threads run in ascending order one launch, descending the next: a thread that reads
     * what a lower (or a higher) thread wrote without a barrier between sees stale data in
     * one of the two */
    g_reverse = !g_reverse;
    bool threaded = true;   /* block 0 always runs as fibers */
    for (unsigned bz = 0; bz < cfg_grid.z; bz++)
        for (unsigned by = 0; by < cfg_grid.y; by++)
            for (unsigned bx = 0; bx < cfg_grid.x; bx++) {
                blockIdx = uint3{ bx, by, bz };
                if (threaded) {
                    g_barrier_used = false;
                    run_block_fibers(n);
                    threaded = g_barrier_used;
                } else {
                    for (unsigned j = 0; j < n; j++) {
                        threadIdx = tid_of(g_reverse ? n - 1 - j : j);
                        thread(ctx);
                    }
                }
            }
}

void sk_emu::launch(const char *name, dim3 grid, dim3 block, size_t shmem, cudaStream_t s,
                    std::function<void()> body)
{
    lock_t lk(mu);
    unsigned long nt = (unsigned long)block.x * block.y * block.z;
    if (nt == 0 || nt > 1024 || block.x > 1024 || block.y > 1024 || block.z > 64 ||
        grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 ||
        shmem > 48 * 1024) {
        complain("launch of %s: invalid configuration grid (%u,%u,%u) block (%u,%u,%u) "
                 "shared %zu", name, grid.x, grid.y, grid.z, block.x, block.y, block.z, shmem);
        fail(cudaErrorInvalidConfiguration);
        return;
    }
    n_launches++;
    enqueue_fn(lk, s, [grid, block, body]() {
        cfg_grid = grid;
        cfg_block = block;
        body();
    }, name);
}

/* ---------------------------------------------------------------- runtime API */

extern "C" {

cudaError_t cudaGetDeviceCount(int *count)
{
    *count = n_devices();
    return *count > 0 ? cudaSuccess : fail(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int dev)
{
    if (dev < 0 || dev >= n_devices())
        return fail(cudaErrorInvalidDevice);
    cur_dev = dev;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int *dev)
{
    *dev = cur_dev;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int dev)
{
    if (dev < 0 || dev >= n_devices())
        return fail(cudaErrorInvalidDevice);
    memset(prop, 0, sizeof *prop);
    snprintf(prop->name, sizeof prop->name, "skald CUDA emulator (CPU)");
    prop->totalGlobalMem = dev_total();
    prop->major = (int)env_long("SKALD_EMU_CC", 9);
    prop->minor = 0;
    prop->multiProcessorCount = 1;
    prop->maxThreadsPerBlock = 1024;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int dev)
{
    if (dev < 0 || dev >= n_devices())
        return fail(cudaErrorInvalidDevice);
    switch (attr) {
    case cudaDevAttrComputeCapabilityMajor: *value = (int)env_long("SKALD_EMU_CC", 9); break;
    case cudaDevAttrComputeCapabilityMinor: *value = 0; break;
    default: return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes)
{
    lock_t lk(mu);
    *total_bytes = dev_total();
    *free_bytes = dev_total() - dev_used[(size_t)cur_dev];
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void)
{
    lock_t lk(mu);
    return sync_all(lk, "cudaDeviceSynchronize") ? cudaSuccess : fail(cudaErrorLaunchTimeout);
}

cudaError_t cudaGetLastError(void)
{
    cudaError_t e = last_error;
    last_error = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError(void) { return last_error; }

const char *cudaGetErrorName(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInitializationError: return "cudaErrorInitializationError";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorNotReady: return "cudaErrorNotReady";
    case cudaErrorLaunchTimeout: return "cudaErrorLaunchTimeout";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    default: return "cudaErrorUnknown";
    }
}

const char *cudaGetErrorString(cudaError_t e)
{
    switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorLaunchTimeout: return "the emulator timed out waiting (a hang on a GPU)";
    default: return "unknown error";
    }
}

cudaError_t cudaMalloc(void **p, size_t bytes)
{
    lock_t lk(mu);
    size_t n = (bytes + 4095) & ~(size_t)4095;   /* whole pages, for mprotect */
    if (n == 0)
        n = 4096;
    if (dev_used[(size_t)cur_dev] + n > dev_total())
        return fail(cudaErrorMemoryAllocation);
    void *q = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return fail(cudaErrorMemoryAllocation);
    memset(q, 0xff, n);   /* NaN: reading memory nobody wrote shows */
    if (protect_on() && device_open == 0 && mprotect(q, n, PROT_NONE))
        die("mprotect of device memory failed");
    dev_allocs[(uintptr_t)q] = alloc_t{ bytes, cur_dev, n };
    dev_used[(size_t)cur_dev] += n;
    *p = q;
    return cudaSuccess;
}

cudaError_t cudaFree(void *p)
{
    lock_t lk(mu);
    if (!p)
        return cudaSuccess;
    auto it = dev_allocs.find((uintptr_t)p);
    if (it == dev_allocs.end()) {
        complain("cudaFree(%p): not a device allocation", p);
        return fail(cudaErrorInvalidValue);
    }
    if (!sync_all(lk, "cudaFree"))   /* cudaFree waits for the device, as the real one does */
        return fail(cudaErrorLaunchTimeout);
    dev_used[(size_t)it->second.dev] -= it->second.mapped;
    munmap(p, it->second.mapped);
    dev_allocs.erase(it);
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void **p, size_t bytes)
{
    lock_t lk(mu);
    size_t n = bytes ? bytes : 1;
    void *q = malloc(n);
    if (!q)
        return fail(cudaErrorMemoryAllocation);
    memset(q, 0xff, n);
    pinned_allocs[(uintptr_t)q] = alloc_t{ n, -1, n };
    *p = q;
    return cudaSuccess;
}

cudaError_t cudaFreeHost(void *p)
{
    lock_t lk(mu);
    if (!p)
        return cudaSuccess;
    auto it = pinned_allocs.find((uintptr_t)p);
    if (it == pinned_allocs.end()) {
        complain("cudaFreeHost(%p): not a pinned allocation", p);
        return fail(cudaErrorInvalidValue);
    }
    if (!sync_all(lk, "cudaFreeHost"))
        return fail(cudaErrorLaunchTimeout);
    pinned_allocs.erase(it);
    free(p);
    return cudaSuccess;
}

} /* extern "C" */

namespace {

/* A 2-D copy (rows of `width` bytes, pitches apart), checked, in stream order. A pageable host
 * source is read now (the call returns once it is staged); a pageable destination makes the
 * call wait for the copy, as CUDA's do; pinned host memory is read/written when the stream
 * gets there. */
cudaError_t copy2d(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                   size_t height, cudaMemcpyKind kind, cudaStream_t s, const char *call)
{
    lock_t lk(mu);
    if (height == 0 || width == 0)
        return cudaSuccess;
    if (width > dpitch || width > spitch) {
        complain("%s: width %zu larger than a pitch (%zu, %zu)", call, width, dpitch, spitch);
        return fail(cudaErrorInvalidValue);
    }
    size_t dspan = (height - 1) * dpitch + width, sspan = (height - 1) * spitch + width;
    if (kind == cudaMemcpyDefault)
        kind = is_dev(dst) ? (is_dev(src) ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                           : (is_dev(src) ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
    bool ok = true;
    switch (kind) {
    case cudaMemcpyHostToDevice:
        ok = check_dev(call, dst, dspan) && check_host(call, src, sspan);
        break;
    case cudaMemcpyDeviceToHost:
        ok = check_host(call, dst, dspan) && check_dev(call, src, sspan);
        break;
    case cudaMemcpyDeviceToDevice:
        ok = check_dev(call, dst, dspan) && check_dev(call, src, sspan);
        break;
    default:
        ok = check_host(call, dst, dspan) && check_host(call, src, sspan);
        break;
    }
    if (!ok)
        return fail(cudaErrorInvalidValue);
    auto rows = [=](char *d, const char *sp, size_t sp_pitch) {
        for (size_t r = 0; r < height; r++)
            memcpy(d + r * dpitch, sp + r * sp_pitch, width);
    };
    bool host_src = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyHostToHost;
    bool host_dst = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyHostToHost;
    cudaError_t e;
    if (host_src && !is_pinned_range(src, sspan)) {
        auto staged = std::make_shared<std::vector<char>>(height * width);
        for (size_t r = 0; r < height; r++)
            memcpy(staged->data() + r * width, (const char *)src + r * spitch, width);
        e = enqueue_fn(lk, s, [=]() { rows((char *)dst, staged->data(), width); }, call);
    } else {
        e = enqueue_fn(lk, s, [=]() { rows((char *)dst, (const char *)src, spitch); }, call);
    }
    if (e != cudaSuccess)
        return e;
    if (host_dst && !is_pinned_range(dst, dspan) &&
        !sync_stream(lk, stream_of(s), call))
        return fail(cudaErrorLaunchTimeout);
    return cudaSuccess;
}

} /* namespace */

extern "C" {

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, enum cudaMemcpyKind kind)
{
    return copy2d(dst, bytes, src, bytes, bytes, 1, kind, nullptr, "cudaMemcpy");
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, enum cudaMemcpyKind kind,
                            cudaStream_t s)
{
    return copy2d(dst, bytes, src, bytes, bytes, 1, kind, s, "cudaMemcpyAsync");
}

cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch,
                              size_t width, size_t height, enum cudaMemcpyKind kind,
                              cudaStream_t s)
{
    return copy2d(dst, dpitch, src, spitch, width, height, kind, s, "cudaMemcpy2DAsync");
}

cudaError_t cudaMemset2DAsync(void *p, size_t pitch, int value, size_t width, size_t height,
                              cudaStream_t s)
{
    lock_t lk(mu);
    if (height == 0 || width == 0)
        return cudaSuccess;
    if (width > pitch || !check_dev("cudaMemset2DAsync", p, (height - 1) * pitch + width))
        return fail(cudaErrorInvalidValue);
    return enqueue_fn(lk, s, [=]() {
        for (size_t r = 0; r < height; r++)
            memset((char *)p + r * pitch, value, width);
    }, "cudaMemset2DAsync");
}

cudaError_t cudaMemsetAsync(void *p, int value, size_t bytes, cudaStream_t s)
{
    return cudaMemset2DAsync(p, bytes, value, bytes, 1, s);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags)
{
    (void)flags;
    lock_t lk(mu);
    sk_emu_stream *x = new sk_emu_stream();
    x->dev = cur_dev;
    streams.push_back(x);
    *s = x;
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *s) { return cudaStreamCreateWithFlags(s, 0); }

cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    lock_t lk(mu);
    auto it = std::find(streams.begin(), streams.end(), s);
    if (!s || it == streams.end())
        return fail(cudaErrorInvalidResourceHandle);
    /* work still queued completes first, as on the device; the object stays allocated
     * because events and other streams may still name it */
    if (!sync_stream(lk, s, "cudaStreamDestroy"))
        return fail(cudaErrorLaunchTimeout);
    streams.erase(std::find(streams.begin(), streams.end(), s));
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    lock_t lk(mu);
    sk_emu_stream *x = stream_of(s);
    if (!x->legacy && std::find(streams.begin(), streams.end(), x) == streams.end())
        return fail(cudaErrorInvalidResourceHandle);
    if (x->legacy)
        return sync_all(lk, "cudaStreamSynchronize(0)") ? cudaSuccess
                                                        : fail(cudaErrorLaunchTimeout);
    return sync_stream(lk, x, "cudaStreamSynchronize") ? cudaSuccess
                                                       : fail(cudaErrorLaunchTimeout);
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *e, unsigned flags)
{
    (void)flags;
    *e = new sk_emu_event();
    return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *e) { return cudaEventCreateWithFlags(e, 0); }

cudaError_t cudaEventDestroy(cudaEvent_t e)
{
    delete e;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s)
{
    lock_t lk(mu);
    if (!e)
        return fail(cudaErrorInvalidResourceHandle);
    cudaError_t r = enqueue_fn(lk, s, std::function<void()>([] {}), "cudaEventRecord");
    if (r != cudaSuccess)
        return r;
    e->s = stream_of(s);
    e->ticket = e->s->next;
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t e)
{
    lock_t lk(mu);
    if (!e)
        return fail(cudaErrorInvalidResourceHandle);
    if (!e->s)
        return cudaSuccess;
    sk_emu_stream *s = e->s;
    uint64_t t = e->ticket;
    count_wait("cudaEventSynchronize", s->done < t && t == s->next);
    return wait_until(lk, [&] { return progress(s, t); }, "cudaEventSynchronize")
               ? cudaSuccess : fail(cudaErrorLaunchTimeout);
}

cudaError_t cudaEventQuery(cudaEvent_t e)
{
    lock_t lk(mu);
    if (!e)
        return fail(cudaErrorInvalidResourceHandle);
    if (!e->s || progress(e->s, e->ticket))
        return cudaSuccess;
    return cudaErrorNotReady;   /* not sticky, as in CUDA */
}

cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags)
{
    (void)flags;
    lock_t lk(mu);
    if (!e)
        return fail(cudaErrorInvalidResourceHandle);
    if (!e->s)
        return cudaSuccess;   /* never recorded: nothing to wait for */
    item_t it;
    it.kind = ITEM_WAIT;
    it.ws = e->s;
    it.wt = e->ticket;
    return enqueue(lk, s, std::move(it), "cudaStreamWaitEvent");
}

/* ---------------------------------------------------------------- cuBLAS */

} /* extern "C" */

struct sk_emu_blas {
    cudaStream_t stream = nullptr;
    cublasMath_t math = CUBLAS_DEFAULT_MATH;
};

namespace {

/* Round to nearest even, keeping `keep` mantissa bits (bf16: 7, tf32: 10). */
float round_mantissa(float v, int keep)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    if ((u & 0x7f800000u) == 0x7f800000u)
        return v;   /* inf, NaN */
    int drop = 23 - keep;
    uint32_t half = (1u << (drop - 1)) - 1 + ((u >> drop) & 1u);
    u = (u + half) & ~((1u << drop) - 1);
    memcpy(&v, &u, 4);
    return v;
}

} /* namespace */

extern "C" {

cublasStatus_t cublasCreate(cublasHandle_t *h)
{
    *h = new sk_emu_blas();
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t h)
{
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s)
{
    h->stream = s;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetPointerMode(cublasHandle_t h, cublasPointerMode_t m)
{
    (void)h;
    return m == CUBLAS_POINTER_MODE_HOST ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_SUPPORTED;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t m)
{
    h->math = m;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m,
                            int n, int k, const void *alpha, const void *a, cudaDataType at,
                            int lda, const void *b, cudaDataType bt, int ldb, const void *beta,
                            void *c, cudaDataType ct, int ldc, cublasComputeType_t compute,
                            cublasGemmAlgo_t algo)
{
    (void)algo;
    if (at != CUDA_R_32F || bt != CUDA_R_32F || ct != CUDA_R_32F)
        return CUBLAS_STATUS_NOT_SUPPORTED;
    if (m < 0 || n < 0 || k < 0 || (ta != CUBLAS_OP_N && ta != CUBLAS_OP_T) ||
        (tb != CUBLAS_OP_N && tb != CUBLAS_OP_T))
        return CUBLAS_STATUS_INVALID_VALUE;
    int keep;
    switch (compute) {
    case CUBLAS_COMPUTE_32F:
    case CUBLAS_COMPUTE_32F_PEDANTIC: keep = 23; break;
    case CUBLAS_COMPUTE_32F_FAST_TF32: keep = 10; break;
    case CUBLAS_COMPUTE_32F_FAST_16BF: keep = 7; break;
    default: return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    int ar = ta == CUBLAS_OP_N ? m : k, ac = ta == CUBLAS_OP_N ? k : m;
    int br = tb == CUBLAS_OP_N ? k : n, bc = tb == CUBLAS_OP_N ? n : k;
    if (lda < (ar > 1 ? ar : 1) || ldb < (br > 1 ? br : 1) || ldc < (m > 1 ? m : 1))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0)
        return CUBLAS_STATUS_SUCCESS;
    lock_t lk(mu);
    auto span = [](int rows, int cols, int ld) {
        return rows && cols ? ((size_t)(cols - 1) * ld + rows) * 4 : 0;
    };
    if (!check_dev("cublasGemmEx A", a, span(ar, ac, lda)) ||
        !check_dev("cublasGemmEx B", b, span(br, bc, ldb)) ||
        !check_dev("cublasGemmEx C", c, span(m, n, ldc)))
        return CUBLAS_STATUS_INVALID_VALUE;
    float al = *(const float *)alpha, be = *(const float *)beta;
    auto run = [=]() {
        const float *A = (const float *)a, *B = (const float *)b;
        float *C = (float *)c;
        std::vector<float> ra, rb;
        if (keep < 23 && k > 0) {
            ra.assign(A, A + span(ar, ac, lda) / 4);
            rb.assign(B, B + span(br, bc, ldb) / 4);
            for (float &v : ra)
                v = round_mantissa(v, keep);
            for (float &v : rb)
                v = round_mantissa(v, keep);
            A = ra.data();
            B = rb.data();
        }
        if (be == 0.0f)   /* C is not read when beta is 0 */
            for (int j = 0; j < n; j++)
                memset(C + (size_t)j * ldc, 0, sizeof(float) * (size_t)m);
        if (k == 0) {
            if (be != 0.0f)
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < m; i++)
                        C[(size_t)j * ldc + i] *= be;
            return;
        }
        cblas_sgemm(CblasColMajor, ta == CUBLAS_OP_N ? CblasNoTrans : CblasTrans,
                    tb == CUBLAS_OP_N ? CblasNoTrans : CblasTrans, m, n, k, al, A, lda, B, ldb,
                    be, C, ldc);
    };
    return enqueue_fn(lk, h->stream, run, "cublasGemmEx") == cudaSuccess
               ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

const char *cublasGetStatusName(cublasStatus_t s)
{
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

const char *cublasGetStatusString(cublasStatus_t s)
{
    return s == CUBLAS_STATUS_SUCCESS ? "success" : "failure (see the sk-emu line above)";
}

} /* extern "C" */

/* ---------------------------------------------------------------- NCCL */

namespace {

struct coll_t {
    int arrived = 0, popped = 0;
    bool done = false;
    std::vector<std::vector<char>> contrib;
};
struct group_t {
    int n = 0, joined = 0;
    bool aborted = false;
    std::map<uint64_t, coll_t> colls;
};
std::map<std::string, group_t *> pending_ids;
thread_local int group_depth = 0;
thread_local std::vector<group_t *> group_inits;

size_t type_size(ncclDataType_t t)
{
    switch (t) {
    case ncclInt8: case ncclUint8: return 1;
    case ncclFloat16: return 2;
    case ncclInt32: case ncclUint32: case ncclFloat32: return 4;
    default: return 8;
    }
}

template <class T> void sum_into(std::vector<std::vector<char>> &c, size_t count, void *out)
{
    std::vector<T> acc(count);
    memcpy(acc.data(), c[0].data(), count * sizeof(T));
    for (size_t r = 1; r < c.size(); r++) {
        const T *v = (const T *)c[r].data();
        for (size_t i = 0; i < count; i++)
            acc[i] += v[i];
    }
    memcpy(out, acc.data(), count * sizeof(T));
}

} /* namespace */

struct sk_emu_nccl {
    group_t *g;
    int rank;
    uint64_t seq = 0;
    int dev;
    bool aborted_here = false;
};

namespace {

std::map<group_t *, std::map<uint64_t, std::vector<void *>>> coll_recvs;

bool coll_step(item_t &it)
{
    group_t *g = it.comm->g;
    if (g->aborted)
        return true;   /* an aborted communicator's operations end without a result */
    coll_t &c = g->colls[it.seq];
    auto &recvs = coll_recvs[g][it.seq];
    if (!it.arrived) {
        size_t bytes = it.count * type_size(it.type);
        if (c.contrib.empty()) {
            c.contrib.resize((size_t)g->n);
            recvs.assign((size_t)g->n, nullptr);
        }
        c.contrib[(size_t)it.comm->rank].assign((const char *)it.send,
                                                (const char *)it.send + bytes);
        recvs[(size_t)it.comm->rank] = it.recv;
        it.arrived = true;
        if (++c.arrived == g->n) {
            std::vector<char> out(bytes);
            switch (it.type) {
            case ncclFloat32: sum_into<float>(c.contrib, it.count, out.data()); break;
            case ncclFloat64: sum_into<double>(c.contrib, it.count, out.data()); break;
            case ncclInt32: sum_into<int32_t>(c.contrib, it.count, out.data()); break;
            case ncclInt64: sum_into<int64_t>(c.contrib, it.count, out.data()); break;
            default: die("ncclAllReduce: data type %d is not emulated", (int)it.type);
            }
            for (void *r : recvs)
                memcpy(r, out.data(), bytes);
            c.done = true;
            cv.notify_all();
        }
    }
    if (!c.done) {
        /* the device runs every stream: let the peers' streams reach their part of this
         * collective (only up to it, so that the host still sees nothing it did not wait for) */
        for (sk_emu_stream *s : streams)
            for (const item_t &p : s->q)
                if (p.kind == ITEM_COLL && p.comm->g == g && p.seq == it.seq && !p.arrived) {
                    progress(s, p.ticket);
                    break;
                }
    }
    if (!c.done)
        return false;
    if (++c.popped == g->n) {
        g->colls.erase(it.seq);
        coll_recvs[g].erase(it.seq);
    }
    return true;
}

} /* namespace */

extern "C" {

ncclResult_t ncclGetUniqueId(ncclUniqueId *id)
{
    static std::mt19937_64 rng(std::random_device{}());
    lock_t lk(mu);
    memset(id, 0, sizeof *id);
    snprintf(id->internal, sizeof id->internal, "sk-emu-%016llx",
             (unsigned long long)rng());
    return ncclSuccess;
}

ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank)
{
    lock_t lk(mu);
    if (nranks < 1 || rank < 0 || rank >= nranks)
        return ncclInvalidArgument;
    std::string key(id.internal, strnlen(id.internal, sizeof id.internal));
    group_t *&g = pending_ids[key];
    if (!g) {
        g = new group_t();
        g->n = nranks;
    }
    if (g->n != nranks)
        return ncclInvalidArgument;
    group_t *gg = g;
    gg->joined++;
    *comm = new sk_emu_nccl{ gg, rank, 0, cur_dev };
    cv.notify_all();
    if (group_depth > 0) {
        group_inits.push_back(gg);
        return ncclSuccess;
    }
    /* ranks are threads of this process; a rank in another process never arrives */
    if (!wait_until(lk, [&] { return gg->joined >= gg->n; }, "ncclCommInitRank")) {
        complain("ncclCommInitRank: ranks in other processes are not emulated");
        return ncclSystemError;
    }
    return ncclSuccess;
}

ncclResult_t ncclCommInitAll(ncclComm_t *comms, int ndev, const int *devlist)
{
    lock_t lk(mu);
    if (ndev < 1)
        return ncclInvalidArgument;
    group_t *g = new group_t();
    g->n = g->joined = ndev;
    for (int i = 0; i < ndev; i++) {
        int d = devlist ? devlist[i] : i;
        if (d < 0 || d >= n_devices())
            return ncclInvalidArgument;
        comms[i] = new sk_emu_nccl{ g, i, 0, d };
    }
    return ncclSuccess;
}

ncclResult_t ncclGroupStart(void)
{
    group_depth++;
    return ncclSuccess;
}

ncclResult_t ncclGroupEnd(void)
{
    if (group_depth <= 0)
        return ncclInvalidUsage;
    if (--group_depth > 0)
        return ncclSuccess;
    lock_t lk(mu);
    std::vector<group_t *> inits;
    inits.swap(group_inits);
    for (group_t *g : inits)
        if (!wait_until(lk, [&] { return g->joined >= g->n; }, "ncclGroupEnd (ncclCommInitRank)")) {
            complain("ncclCommInitRank: ranks in other processes are not emulated");
            return ncclSystemError;
        }
    return ncclSuccess;
}

ncclResult_t ncclAllReduce(const void *send, void *recv, size_t count, ncclDataType_t type,
                           ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)
{
    if (!comm)
        return ncclInvalidArgument;
    if (op != ncclSum)
        return ncclInvalidArgument;
    lock_t lk(mu);
    if (comm->g->aborted)
        return ncclInvalidUsage;
    size_t bytes = count * type_size(type);
    if (!check_dev("ncclAllReduce send", send, bytes) ||
        !check_dev("ncclAllReduce recv", recv, bytes))
        return ncclInvalidArgument;
    item_t it;
    it.kind = ITEM_COLL;
    it.comm = comm;
    it.seq = comm->seq++;
    it.send = send;
    it.recv = recv;
    it.count = count;
    it.type = type;
    return enqueue(lk, stream, std::move(it), "ncclAllReduce") == cudaSuccess
               ? ncclSuccess : ncclUnhandledCudaError;
}

ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *err)
{
    lock_t lk(mu);
    *err = comm->g->aborted && !comm->aborted_here ? ncclRemoteError : ncclSuccess;
    return ncclSuccess;
}

ncclResult_t ncclCommAbort(ncclComm_t comm)
{
    if (!comm)
        return ncclSuccess;
    lock_t lk(mu);
    comm->aborted_here = true;
    comm->g->aborted = true;
    cv.notify_all();
    return ncclSuccess;   /* the handle is kept: other ranks' queued work still names it */
}

ncclResult_t ncclCommDestroy(ncclComm_t comm)
{
    (void)comm;   /* kept for the same reason */
    return ncclSuccess;
}

const char *ncclGetErrorString(ncclResult_t r)
{
    switch (r) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error";
    case ncclSystemError: return "unhandled system error";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage";
    case ncclRemoteError: return "remote process exited or there was a network error";
    case ncclInProgress: return "NCCL operation in progress";
    }
    return "unknown result code";
}

} /* extern "C" */
