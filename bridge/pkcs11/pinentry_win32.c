/* The pinentry process on Windows: CreateProcessW with two anonymous pipes as its stdin and
 * stdout; only those two handles are inherited (PROC_THREAD_ATTRIBUTE_HANDLE_LIST). */
#include <windows.h>
#include <stdbool.h>
#include <stdlib.h>
#include <wchar.h>

#include "pinentry.h"

struct p11_pe_proc {
    HANDLE to_child, from_child, process;
};

static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w = n > 0 ? calloc((size_t)n, sizeof *w) : NULL;
    if (w != NULL && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

p11_pe_proc *p11_pe_spawn(const char *program)
{
    p11_pe_proc *pe = calloc(1, sizeof *pe);
    wchar_t *path = widen(program);
    size_t plen = path != NULL ? wcslen(path) : 0;
    wchar_t *cmdline = path != NULL ? calloc(plen + 3, sizeof *cmdline) : NULL;
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE child_in = NULL, child_out = NULL;
    LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
    bool ok = pe != NULL && cmdline != NULL && wcschr(path, L'"') == NULL &&
              CreatePipe(&child_in, &pe->to_child, &sa, 0) &&
              CreatePipe(&pe->from_child, &child_out, &sa, 0) &&
              SetHandleInformation(pe->to_child, HANDLE_FLAG_INHERIT, 0) &&
              SetHandleInformation(pe->from_child, HANDLE_FLAG_INHERIT, 0);
    SIZE_T attr_size = 0;
    if (ok) {
        InitializeProcThreadAttributeList(NULL, 1, 0, &attr_size);
        attrs = malloc(attr_size);
        ok = attrs != NULL && InitializeProcThreadAttributeList(attrs, 1, 0, &attr_size);
    }
    HANDLE inherit[2] = { child_in, child_out };
    if (ok)
        ok = UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
                                       sizeof inherit, NULL, NULL);
    if (ok) {
        cmdline[0] = L'"';
        memcpy(cmdline + 1, path, plen * sizeof *path);
        cmdline[plen + 1] = L'"';
        STARTUPINFOEXW si;
        memset(&si, 0, sizeof si);
        si.StartupInfo.cb = sizeof si;
        si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
        si.StartupInfo.hStdInput = child_in;
        si.StartupInfo.hStdOutput = child_out;
        si.StartupInfo.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        si.lpAttributeList = attrs;
        PROCESS_INFORMATION pi;
        ok = CreateProcessW(path, cmdline, NULL, NULL, TRUE,
                            EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW, NULL, NULL,
                            &si.StartupInfo, &pi);
        if (ok) {
            CloseHandle(pi.hThread);
            pe->process = pi.hProcess;
        }
    }
    if (attrs != NULL) {
        DeleteProcThreadAttributeList(attrs);
        free(attrs);
    }
    if (child_in != NULL)
        CloseHandle(child_in);
    if (child_out != NULL)
        CloseHandle(child_out);
    free(cmdline);
    free(path);
    if (!ok && pe != NULL) {
        if (pe->to_child != NULL)
            CloseHandle(pe->to_child);
        if (pe->from_child != NULL)
            CloseHandle(pe->from_child);
        free(pe);
        pe = NULL;
    }
    return pe;
}

bool p11_pe_write(p11_pe_proc *pe, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        DWORD w = 0;
        DWORD chunk = n > 65536 ? 65536 : (DWORD)n;
        if (!WriteFile(pe->to_child, c, chunk, &w, NULL) || w == 0)
            return false;
        c += w;
        n -= w;
    }
    return true;
}

size_t p11_pe_read(p11_pe_proc *pe, void *p, size_t n)
{
    DWORD got = 0;
    DWORD want = n > 65536 ? 65536 : (DWORD)n;
    if (!ReadFile(pe->from_child, p, want, &got, NULL))
        return 0;
    return got;
}

/* Windows pinentries (pinentry-w32, pinentry-qt) open a window: no terminal to name. */
const char *p11_pe_ttyname(void) { return NULL; }
const char *p11_pe_ttytype(void) { return NULL; }

void p11_pe_end(p11_pe_proc *pe)
{
    CloseHandle(pe->to_child);
    CloseHandle(pe->from_child);
    if (WaitForSingleObject(pe->process, 2000) != WAIT_OBJECT_0)
        TerminateProcess(pe->process, 1);
    CloseHandle(pe->process);
    free(pe);
}
