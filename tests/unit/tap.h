/* tap.h — tiny TAP producer for the C unit tests (one program a module, run by prove).
 *
 *     int main(void) {
 *         TEST("matrix resize zeroes") { sk_mat m; ...; CHECK_INT(m.rows, 3); }
 *         return tap_done();
 *     }
 *
 * Each TEST block is one TAP line, "ok N - name" or "not ok N - name", and a failed check
 * prints "# file:line: what" diagnostics. The plan line is printed at the end.
 */
#ifndef SK_TESTS_TAP_H
#define SK_TESTS_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_cur_fail;
static const char *tap_cur_name;

static inline void tap_begin(const char *name) { tap_cur_name = name; tap_cur_fail = 0; }
static inline int tap_end(void)
{
    ++tap_n;
    printf("%sok %d - %s\n", tap_cur_fail ? "not " : "", tap_n, tap_cur_name);
    fflush(stdout);
    if (tap_cur_fail)
        tap_failed++;
    return 0;
}
/* for-loop trick: the body runs once, then tap_end() prints the result. */
#define TEST(name) for (int tap_once_ = (tap_begin(name), 1); tap_once_; tap_once_ = tap_end())

#define TAP_FAIL(...) do { printf("# %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); \
                           printf("\n"); tap_cur_fail = 1; } while (0)
#define CHECK(c) do { if (!(c)) TAP_FAIL("check failed: %s", #c); } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) TAP_FAIL("%s == %lld, expected %s == %lld", #a, a_, #b, b_); } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_)) TAP_FAIL("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol))) TAP_FAIL("%s == %.9g, expected %.9g (tol %g)", #a, a_, b_, (double)(tol)); } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
