/* sk_emu_kernel.h — the device side of skald's CUDA emulator (C++ only; see cuda_runtime.h).
 *
 * Kernels are ordinary host functions. A launch (SK_LAUNCH in lib/compute/cuda/common.cuh)
 * copies its arguments and enqueues the grid on its stream; when the stream runs, each block's
 * threads run as fibers on one host thread. Block 0 always runs threaded this way; when it
 * never reached a barrier, the remaining blocks run their threads one after the other (a
 * barrier reached there anyway stops the program with a message). Shared memory is a static
 * array (blocks run one at a time, one kernel at a time in the whole process).
 */
#ifndef SK_EMU_KERNEL_H
#define SK_EMU_KERNEL_H

#include <math.h>
#include <string.h>

#include <functional>
#include <tuple>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
};

extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;

namespace sk_emu {

/* Runs `body` for every thread of the grid on stream `s` (when the stream gets there); the
 * name is the kernel's, for messages. A bad configuration sets the launch error instead. */
void launch(const char *name, dim3 grid, dim3 block, size_t shmem, cudaStream_t s,
            std::function<void()> grid_body);
/* Inside grid_body: run the grid, calling thread(ctx) once per CUDA thread. */
void run_grid(const char *name, void (*thread)(void *), void *ctx);

/* Barriers: the calling fiber waits for its warp (lane values exchanged in 8-byte slots) or
 * for its block. */
void syncthreads();
uint64_t shfl_xor(unsigned mask, uint64_t bits, int lane_mask);

template <class F> struct launcher {
    const char *name;
    dim3 grid, block;
    size_t shmem;
    cudaStream_t stream;
    F kernel;
    template <class... A> void operator()(A... args)
    {
        F k = kernel;
        const char *nm = name;
        launch(name, grid, block, shmem, stream, [k, nm, args...]() {
            struct ctx_t { const F *k; const std::tuple<A...> *a; } ;
            std::tuple<A...> tup(args...);
            ctx_t c{ &k, &tup };
            run_grid(nm, [](void *p) {
                ctx_t *cc = (ctx_t *)p;
                std::apply(*cc->k, *cc->a);   /* the kernel takes its own copies */
            }, &c);
        });
    }
};
template <class F>
launcher<F> make_launcher(const char *name, dim3 g, dim3 b, size_t s, cudaStream_t st, F f)
{
    return launcher<F>{ name, g, b, s, st, f };
}

} /* namespace sk_emu */

#define SK_EMU_LAUNCH(g, b, s, st, ...)                                                      \
    sk_emu::make_launcher(#__VA_ARGS__, (g), (b), (s), (st),                                \
                          [](auto... a_) { __VA_ARGS__(a_...); })

static inline void __syncthreads(void) { sk_emu::syncthreads(); }

template <class T> static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask)
{
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
    uint64_t b = 0;
    memcpy(&b, &v, sizeof v);
    b = sk_emu::shfl_xor(mask, b, lane_mask);
    T r;
    memcpy(&r, &b, sizeof r);
    return r;
}

/* One kernel runs at a time and its threads take turns, so these are plain operations. */
template <class T> static inline T atomicAdd(T *p, T v)
{
    T old = *p;
    *p = old + v;
    return old;
}

static inline float __fmul_rn(float a, float b)
{
    volatile float r = a * b;   /* never contracted into an FMA */
    return r;
}
static inline float __fsub_rn(float a, float b)
{
    volatile float r = a - b;
    return r;
}
static inline float __fadd_rn(float a, float b)
{
    volatile float r = a + b;
    return r;
}

#endif
