#include "win_test_util.h"

#include <stdio.h>
#include <stdlib.h>

int wt_failures;

void wt_check(bool ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        wt_failures++;
}

int wt_die(const char *what)
{
    fprintf(stderr, "%s failed: 0x%08lX\n", what, (unsigned long)GetLastError());
    return 1;
}

BYTE *wt_read_file(const char *path, DWORD *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    BYTE *buf = malloc(1 << 20);
    size_t n = buf != NULL ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    *len = (DWORD)n;
    return buf;
}

int wt_write_file(const char *path, const BYTE *p, DWORD len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 1;
    int ok = fwrite(p, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : 1;
}

void wt_print_hex(const BYTE *p, DWORD n)
{
    for (DWORD i = 0; i < n; i++)
        printf("%02X", p[i]);
}
