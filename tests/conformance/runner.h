/* A tiny test runner, the same on Linux and Windows (no cmocka under mingw): cases run in
 * order; CHECK records a failure and goes on, REQUIRE records it and leaves the case. The run
 * ends with "N passed, N failed, N skipped" and a nonzero exit code when anything failed. */
#ifndef MDC_RUNNER_H
#define MDC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct t_case {
    const char *name;
    void (*fn)(void);
    /* A defect known and reported, not yet fixed: the case is skipped (and says so) unless
     * t_include_known_defects; a dedicated ctest entry runs it expecting failure, so a fix
     * shows up as an unexpected pass. NULL for ordinary cases. */
    const char *known_defect;
} t_case;

extern bool t_include_known_defects;

bool t_check(bool ok, const char *expr, const char *file, int line);
bool t_check_code(uint32_t got, uint32_t want, const char *expr, const char *file, int line);
/* got must be one of the n codes in want. */
bool t_check_codes(uint32_t got, const uint32_t *want, size_t n, const char *expr,
                   const char *file, int line);
void t_note(const char *fmt, ...);
/* Mark the running case skipped (it stops counting as passed unless it also failed). */
void t_skip(const char *why);
/* Run cases whose name contains filter, or one of its comma-separated parts (NULL: all).
 * Returns the number of failed cases. */
int t_run(const char *suite, const t_case *cases, size_t n, const char *filter);
/* Print "N passed, N failed, N skipped" over every t_run so far; returns the failed count. */
int t_summary(void);

#define CHECK(c) t_check((c), #c, __FILE__, __LINE__)
#define REQUIRE(c) do { if (!t_check((c), #c, __FILE__, __LINE__)) return; } while (0)
#define CHECK_RV(expr, want) t_check_code((uint32_t)(expr), (uint32_t)(want), #expr, __FILE__, __LINE__)
#define REQUIRE_RV(expr, want) \
    do { if (!t_check_code((uint32_t)(expr), (uint32_t)(want), #expr, __FILE__, __LINE__)) return; } while (0)
#define CHECK_RV_ONE_OF(expr, ...)                                                          \
    do {                                                                                   \
        const uint32_t t_w_[] = { __VA_ARGS__ };                                           \
        t_check_codes((uint32_t)(expr), t_w_, sizeof t_w_ / sizeof t_w_[0], #expr, __FILE__, \
                      __LINE__);                                                           \
    } while (0)

#endif
