/* PINs from the Windows console with echo off (console mode without ENABLE_ECHO_INPUT), read as
 * UTF-16 and handed on as UTF-8, so that a PIN typed with non-ASCII characters reaches the card
 * as the same bytes GnuPG and the minidriver send. */
#include <windows.h>

#include <io.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "opgp/crypto.h"
#include "pin_input.h"

int pin_read_fd_byte(int fd, char *c)
{
    int r = _read(fd, c, 1);
    return r < 0 ? -1 : r;
}

static void console_write(HANDLE out, const char *s)
{
    if (out == INVALID_HANDLE_VALUE || !s)
        return;
    WCHAR w[256];
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, w, (int)(sizeof w / sizeof w[0]));
    DWORD written;
    if (n > 1)
        WriteConsoleW(out, w, (DWORD)(n - 1), &written, NULL);
}

/* One console line as UTF-8 into buf; echo as asked. -1 on failure, -2 when too long. */
static int console_line(bool echo, const char *prompt, char *buf, size_t cap)
{
    HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    HANDLE out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    int result = -1;
    DWORD old_mode = 0;
    bool restore = false;
    WCHAR wide[256];
    DWORD got = 0;

    if (in == INVALID_HANDLE_VALUE || !GetConsoleMode(in, &old_mode))
        goto done;
    DWORD mode = old_mode | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT;
    if (!echo)
        mode &= ~(DWORD)ENABLE_ECHO_INPUT;
    restore = SetConsoleMode(in, mode) != 0;
    console_write(out, prompt);
    if (!ReadConsoleW(in, wide, (DWORD)(sizeof wide / sizeof wide[0]) - 1, &got, NULL))
        goto done;
    while (got > 0 && (wide[got - 1] == L'\n' || wide[got - 1] == L'\r'))
        got--;
    if (!echo)
        console_write(out, "\r\n");
    if (got == 0) {
        buf[0] = '\0';
        result = 0;
        goto done;
    }
    int n = WideCharToMultiByte(CP_UTF8, 0, wide, (int)got, buf, (int)cap - 1, NULL, NULL);
    if (n <= 0) {
        result = -2;
        goto done;
    }
    buf[n] = '\0';
    result = n;
done:
    SecureZeroMemory(wide, sizeof wide);
    if (restore)
        SetConsoleMode(in, old_mode);
    if (in != INVALID_HANDLE_VALUE)
        CloseHandle(in);
    if (out != INVALID_HANDLE_VALUE)
        CloseHandle(out);
    return result;
}

int pin_read_terminal(const char *prompt, char *buf, size_t cap)
{
    int n = console_line(false, prompt, buf, cap);
    if (n == -2)
        fprintf(stderr, "opgp-tool: PIN too long\n");
    else if (n < 0)
        fprintf(stderr, "opgp-tool: no console to read the PIN from (use --pin-fd N)\n");
    else if (n == 0)
        fprintf(stderr, "opgp-tool: no PIN entered\n");
    return n <= 0 ? -1 : n;
}

int confirm_on_terminal(const char *question)
{
    char answer[16];
    int n = console_line(true, question, answer, sizeof answer);
    if (n < 0) {
        fprintf(stderr, "opgp-tool: no console to confirm on (use --yes)\n");
        return 0;
    }
    return n == 3 && memcmp(answer, "yes", 3) == 0;
}
