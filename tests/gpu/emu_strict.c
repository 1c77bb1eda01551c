/* emu_strict.c — the CUDA emulator's own checks (tests/gpu/emu): the strictness the GPU tests
 * rely on to mean something. Work on a stream is not done before the host synchronises; fresh
 * device memory is NaN; copies outside an allocation fail; an all-reduce sums every rank and
 * one whose peer never comes times out instead of hanging. On a real GPU build (not the
 * emulator) it has nothing to test and says so. */
#include "../unit/tap.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(SK_CUDA_EMU)
#include <cuda_runtime.h>
#include <nccl.h>

int main(void)
{
    TEST("fresh device memory reads as NaN") {
        float *d = NULL, h[4] = { 0, 0, 0, 0 };
        CHECK(cudaMalloc((void **)&d, sizeof h) == cudaSuccess);
        CHECK(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost) == cudaSuccess);
        CHECK(isnan(h[0]) && isnan(h[3]));
        cudaFree(d);
    }
    TEST("a copy into pinned memory lands only when the host synchronises") {
        cudaStream_t s;
        float *d = NULL, *pin = NULL, src[3] = { 1, 2, 3 };
        CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess);
        CHECK(cudaMalloc((void **)&d, sizeof src) == cudaSuccess);
        CHECK(cudaMallocHost((void **)&pin, sizeof src) == cudaSuccess);
        pin[0] = pin[1] = pin[2] = -1;
        CHECK(cudaMemcpyAsync(d, src, sizeof src, cudaMemcpyHostToDevice, s) == cudaSuccess);
        CHECK(cudaMemcpyAsync(pin, d, sizeof src, cudaMemcpyDeviceToHost, s) == cudaSuccess);
        CHECK(pin[1] == -1);                     /* not yet: nobody waited */
        cudaEvent_t e;
        CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess);
        CHECK(cudaEventRecord(e, s) == cudaSuccess);
        CHECK(pin[1] == -1);
        CHECK(cudaEventSynchronize(e) == cudaSuccess);
        CHECK(pin[0] == 1 && pin[1] == 2 && pin[2] == 3);
        cudaEventDestroy(e);
        cudaFreeHost(pin);
        cudaFree(d);
        cudaStreamDestroy(s);
    }
    TEST("a stream waiting on another's event runs after it") {
        cudaStream_t a, b;
        cudaEvent_t e;
        float *d = NULL, *pin = NULL, one = 1, two = 2;
        CHECK(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking) == cudaSuccess);
        CHECK(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking) == cudaSuccess);
        CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess);
        CHECK(cudaMalloc((void **)&d, sizeof(float)) == cudaSuccess);
        CHECK(cudaMallocHost((void **)&pin, sizeof(float)) == cudaSuccess);
        CHECK(cudaMemcpyAsync(d, &one, sizeof(float), cudaMemcpyHostToDevice, a) == cudaSuccess);
        CHECK(cudaEventRecord(e, a) == cudaSuccess);
        CHECK(cudaStreamWaitEvent(b, e, 0) == cudaSuccess);
        CHECK(cudaMemcpyAsync(pin, d, sizeof(float), cudaMemcpyDeviceToHost, b) == cudaSuccess);
        CHECK(cudaMemcpyAsync(d, &two, sizeof(float), cudaMemcpyHostToDevice, a) == cudaSuccess);
        CHECK(cudaStreamSynchronize(b) == cudaSuccess);
        CHECK(*pin == 1);                        /* b's copy ran after a's first, before its second */
        CHECK(cudaStreamSynchronize(a) == cudaSuccess);
        cudaFreeHost(pin);
        cudaFree(d);
        cudaEventDestroy(e);
        cudaStreamDestroy(a);
        cudaStreamDestroy(b);
    }
    TEST("copies past an allocation's end, or of the wrong kind, fail") {
        float *d = NULL, h[8] = { 0 };
        CHECK(cudaMalloc((void **)&d, 4 * sizeof(float)) == cudaSuccess);
        CHECK(cudaMemcpy(d, h, 8 * sizeof(float) + 1024, cudaMemcpyHostToDevice) ==
              cudaErrorInvalidValue);
        CHECK(cudaGetLastError() == cudaErrorInvalidValue);
        CHECK(cudaGetLastError() == cudaSuccess);   /* read and cleared */
        CHECK(cudaMemcpy(h, d, sizeof(float), cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
        CHECK(cudaMemcpy(d, h, 4 * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
        cudaGetLastError();
        cudaFree(d);
    }
    TEST("the host touching device memory faults, as on a GPU") {
        float *d = NULL;
        CHECK(cudaMalloc((void **)&d, sizeof(float)) == cudaSuccess);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            volatile float v = d[0];   /* a bug on a GPU: must not pass here */
            (void)v;
            _exit(0);
        }
        int st = 0;
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
        cudaFree(d);
    }
    TEST("ncclAllReduce over 3 ranks sums every contribution") {
        int devs[3] = { 0, 0, 0 };
        ncclComm_t comms[3];
        cudaStream_t s[3];
        double *d[3], *h = NULL;
        CHECK(ncclCommInitAll(comms, 3, devs) == ncclSuccess);
        CHECK(cudaMallocHost((void **)&h, 3 * sizeof(double)) == cudaSuccess);
        for (int r = 0; r < 3; r++) {
            double v[3] = { r + 1, 10.0 * (r + 1), 0.5 };
            CHECK(cudaStreamCreateWithFlags(&s[r], cudaStreamNonBlocking) == cudaSuccess);
            CHECK(cudaMalloc((void **)&d[r], sizeof v) == cudaSuccess);
            CHECK(cudaMemcpy(d[r], v, sizeof v, cudaMemcpyHostToDevice) == cudaSuccess);
        }
        ncclGroupStart();
        for (int r = 0; r < 3; r++)
            CHECK(ncclAllReduce(d[r], d[r], 3, ncclDouble, ncclSum, comms[r], s[r]) ==
                  ncclSuccess);
        ncclGroupEnd();
        for (int r = 0; r < 3; r++) {
            CHECK(cudaMemcpyAsync(h, d[r], 3 * sizeof(double), cudaMemcpyDeviceToHost, s[r]) ==
                  cudaSuccess);
            CHECK(cudaStreamSynchronize(s[r]) == cudaSuccess);
            CHECK(h[0] == 6 && h[1] == 60 && h[2] == 1.5);
        }
        for (int r = 0; r < 3; r++) {
            cudaFree(d[r]);
            cudaStreamDestroy(s[r]);
            ncclCommDestroy(comms[r]);
        }
        cudaFreeHost(h);
    }
    TEST("an all-reduce whose peer never comes: the wait times out, no hang") {
        setenv("SKALD_EMU_TIMEOUT", "1", 1);
        int devs[2] = { 0, 0 };
        ncclComm_t comms[2];
        cudaStream_t s;
        float *d = NULL;
        CHECK(ncclCommInitAll(comms, 2, devs) == ncclSuccess);
        CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess);
        CHECK(cudaMalloc((void **)&d, sizeof(float)) == cudaSuccess);
        CHECK(ncclAllReduce(d, d, 1, ncclFloat, ncclSum, comms[0], s) == ncclSuccess);
        cudaEvent_t e;
        CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess);
        CHECK(cudaEventRecord(e, s) == cudaSuccess);
        CHECK(cudaEventQuery(e) == cudaErrorNotReady);
        CHECK(cudaStreamSynchronize(s) == cudaErrorLaunchTimeout);
        /* aborting the communicator lets the queued work end */
        CHECK(ncclCommAbort(comms[0]) == ncclSuccess);
        ncclResult_t ar;
        CHECK(ncclCommGetAsyncError(comms[1], &ar) == ncclSuccess && ar == ncclRemoteError);
        CHECK(cudaStreamSynchronize(s) == cudaSuccess);
        cudaGetLastError();
        unsetenv("SKALD_EMU_TIMEOUT");
    }
    return tap_done();
}

#else

int main(void)
{
    printf("1..0 # skip the CUDA emulator's own checks: this build uses %s\n",
#ifdef SK_HAVE_CUDA
           "the real CUDA runtime"
#else
           "no CUDA at all"
#endif
    );
    return 0;
}

#endif
