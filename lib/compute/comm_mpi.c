/* comm_mpi.c — one worker a process under Open MPI (comm.h): non-blocking MPI_Iallreduce on
 * host buffers, polled with a time-out. Without SK_HAVE_MPI only the stubs are built. */
#include "compute/comm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

bool sk_comm_mpi_launched(void)
{
    /* also without MPI built: sk_comm_mpi_new then says so instead of N lone trainings */
    const char *s = getenv("OMPI_COMM_WORLD_SIZE");
    return s && atoi(s) > 1;
}

#ifdef SK_HAVE_MPI
#include <mpi.h>

#define MAX_REQ 4096

typedef struct {
    MPI_Request req[MAX_REQ];
    int n;          /* requests started since the last wait */
    int next;       /* first request not yet passed by wait_next */
} mpi_state;

/* Poll requests [0, upto) until complete (time-out: ERROR). */
static int poll_upto(sk_comm *c, mpi_state *s, int upto, const char *what)
{
    double t0 = sk_comm_now();
    struct timespec nap = { 0, 50000 };
    for (;;) {
        int done = 0;
        if (MPI_Testall(upto, s->req, &done, MPI_STATUSES_IGNORE) != MPI_SUCCESS) {
            SK_ERROR("worker %d: MPI %s failed", c->rank, what);
            return SK_EIO;
        }
        if (done)
            break;
        if (c->timeout > 0 && sk_comm_now() - t0 > c->timeout) {
            SK_ERROR("worker %d: MPI %s timed out after %g s: another worker (MPI rank) did not "
                     "arrive", c->rank, what, c->timeout);
            return SK_EIO;
        }
        nanosleep(&nap, NULL);
    }
    return 0;
}

static int poll_all(sk_comm *c, mpi_state *s, const char *what)
{
    int st = poll_upto(c, s, s->n, what);
    s->n = s->next = 0;
    return st;
}

static int mpi_start(sk_comm *c, float *buf, size_t count)
{
    mpi_state *s = c->impl;
    double t0 = sk_comm_now();
    if (s->n == MAX_REQ || count > (size_t)0x7fffffff)
        SK_BUG("MPI bucket: %d outstanding requests, %zu elements", s->n, count);
    if (MPI_Iallreduce(MPI_IN_PLACE, buf, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                       &s->req[s->n]) != MPI_SUCCESS) {
        SK_ERROR("worker %d: MPI_Iallreduce of %zu floats failed", c->rank, count);
        return SK_EIO;
    }
    s->n++;
    int flag;   /* drive progress of the earlier buckets */
    MPI_Testall(s->n, s->req, &flag, MPI_STATUSES_IGNORE);
    c->bytes += 4.0 * (double)count;
    c->t_comm += sk_comm_now() - t0;
    return 0;
}

static int mpi_wait(sk_comm *c)
{
    double t0 = sk_comm_now();
    int st = poll_all(c, c->impl, "all-reduce");
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int mpi_wait_next(sk_comm *c)
{
    mpi_state *s = c->impl;
    double t0 = sk_comm_now();
    if (s->next >= s->n)
        SK_BUG("wait_next: no bucket left to wait for");
    int st = poll_upto(c, s, ++s->next, "all-reduce");
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static int mpi_allreduce(sk_comm *c, void *buf, size_t count, sk_comm_type t)
{
    mpi_state *s = c->impl;
    double t0 = sk_comm_now();
    if (s->n == MAX_REQ || count > (size_t)0x7fffffff)
        SK_BUG("MPI all-reduce: %d outstanding requests, %zu elements", s->n, count);
    if (MPI_Iallreduce(MPI_IN_PLACE, buf, (int)count, t == SK_COMM_F32 ? MPI_FLOAT : MPI_DOUBLE,
                       MPI_SUM, MPI_COMM_WORLD, &s->req[s->n]) != MPI_SUCCESS) {
        SK_ERROR("worker %d: MPI_Iallreduce of %zu elements failed", c->rank, count);
        return SK_EIO;
    }
    s->n++;
    int st = poll_all(c, s, "all-reduce");
    c->bytes += (t == SK_COMM_F32 ? 4.0 : 8.0) * (double)count;
    c->t_comm += sk_comm_now() - t0;
    return st;
}

static void mpi_abort(sk_comm *c, const char *why)
{
    SK_ERROR("worker %d (MPI rank %d of %d) failed: %s; aborting the job", c->rank, c->rank,
             c->size, why);
}

static void mpi_free(sk_comm *c)
{
    if (!c)
        return;
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
    free(c->impl);
    free(c);
}

static const sk_comm_ops mpi_ops = { mpi_start, mpi_wait, mpi_wait_next, mpi_allreduce,
                                     mpi_abort, mpi_free };

sk_comm *sk_comm_mpi_new(double timeout)
{
    int init = 0;
    MPI_Initialized(&init);
    if (!init && MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        SK_ERROR("MPI_Init failed");
        return NULL;
    }
    sk_comm *c = calloc(1, sizeof *c);
    mpi_state *s = calloc(1, sizeof *s);
    if (!c || !s) {
        free(c);
        free(s);
        SK_ERROR("out of memory");
        return NULL;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
    c->kind = "mpi";
    c->timeout = timeout;
    c->ops = &mpi_ops;
    c->impl = s;
    return c;
}

void sk_comm_fatal(sk_comm *c)
{
    (void)c;
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 255);
    exit(255);
}

#else /* !SK_HAVE_MPI */

sk_comm *sk_comm_mpi_new(double timeout)
{
    (void)timeout;
    SK_ERROR("skald was built without MPI (mpicc not found at build time)");
    return NULL;
}

void sk_comm_fatal(sk_comm *c)
{
    (void)c;
    exit(255);
}

#endif
