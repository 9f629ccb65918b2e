#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runner.h"

bool t_include_known_defects;

static int case_failures;
static bool case_skipped;
static const char *case_name;

bool t_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        case_failures++;
        printf("    FAILED %s:%d: %s\n", file, line, expr);
        fflush(stdout);
    }
    return ok;
}

bool t_check_code(uint32_t got, uint32_t want, const char *expr, const char *file, int line)
{
    if (got == want)
        return true;
    case_failures++;
    printf("    FAILED %s:%d: %s = 0x%08lX, expected 0x%08lX\n", file, line, expr,
           (unsigned long)got, (unsigned long)want);
    fflush(stdout);
    return false;
}

bool t_check_codes(uint32_t got, const uint32_t *want, size_t n, const char *expr,
                   const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        if (got == want[i])
            return true;
    }
    case_failures++;
    printf("    FAILED %s:%d: %s = 0x%08lX, expected one of", file, line, expr,
           (unsigned long)got);
    for (size_t i = 0; i < n; i++)
        printf(" 0x%08lX", (unsigned long)want[i]);
    printf("\n");
    fflush(stdout);
    return false;
}

void t_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("    ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

void t_skip(const char *why)
{
    case_skipped = true;
    printf("    skipped: %s\n", why);
}

static int passed, failed, skipped;

int t_summary(void)
{
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    fflush(stdout);
    return failed;
}

/* filter is a comma-separated list of name parts; a case runs when its name contains one. */
static bool selected(const char *name, const char *filter)
{
    if (filter == NULL)
        return true;
    const char *part = filter;
    for (;;) {
        const char *comma = strchr(part, ',');
        size_t len = comma != NULL ? (size_t)(comma - part) : strlen(part);
        for (const char *p = name; len > 0 && strlen(p) >= len; p++) {
            if (strncmp(p, part, len) == 0)
                return true;
        }
        if (comma == NULL)
            return false;
        part = comma + 1;
    }
}

int t_run(const char *suite, const t_case *cases, size_t n, const char *filter)
{
    int failed_before = failed;
    for (size_t i = 0; i < n; i++) {
        if (!selected(cases[i].name, filter))
            continue;
        case_failures = 0;
        case_skipped = false;
        case_name = cases[i].name;
        if (cases[i].known_defect != NULL && !t_include_known_defects) {
            skipped++;
            printf("[ KNOWN] %s/%s: %s\n", suite, case_name, cases[i].known_defect);
            continue;
        }
        printf("[ RUN  ] %s/%s\n", suite, case_name);
        fflush(stdout);
        cases[i].fn();
        if (case_failures > 0) {
            failed++;
            printf("[ FAIL ] %s/%s\n", suite, case_name);
        } else if (case_skipped) {
            skipped++;
            printf("[ SKIP ] %s/%s\n", suite, case_name);
        } else {
            passed++;
            printf("[  OK  ] %s/%s\n", suite, case_name);
        }
        fflush(stdout);
    }
    return failed - failed_before;
}
