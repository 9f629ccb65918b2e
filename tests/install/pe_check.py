#!/usr/bin/env python3
"""Hardening checks of the Windows binaries we ship (PE32 / PE32+), without Windows tools.

    pe_check.py FILE...

For each file: it imports only Windows system DLLs (ALLOWED below, no MinGW runtime DLLs such as
libgcc_s or libwinpthread); DllCharacteristics has DYNAMIC_BASE and NX_COMPAT, plus HIGH_ENTROPY_VA
on x64; no section is both writable and executable; a VERSIONINFO resource exists. Prints one line
per file and every failure; exits 1 if any check failed.
"""
import struct
import sys

ALLOWED = {
    "kernel32.dll", "msvcrt.dll", "winscard.dll", "bcrypt.dll", "ncrypt.dll", "crypt32.dll",
    "advapi32.dll", "user32.dll", "ws2_32.dll", "shell32.dll", "ole32.dll", "credui.dll",
    "ntdll.dll", "shlwapi.dll", "secur32.dll", "rpcrt4.dll",
}
# Windows' API sets (api-ms-win-crt-*.dll of the UCRT) are system DLLs too.
ALLOWED_PREFIXES = ("api-ms-win-",)

DYNAMIC_BASE, HIGH_ENTROPY_VA, NX_COMPAT = 0x0040, 0x0020, 0x0100
SCN_MEM_EXECUTE, SCN_MEM_WRITE = 0x20000000, 0x80000000
RT_VERSION = 16
MACHINES = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64"}


class PEError(Exception):
    pass


class PE:
    def __init__(self, data):
        self.data = data
        if data[:2] != b"MZ" or len(data) < 0x40:
            raise PEError("not an MZ file")
        pe = self.u32(0x3C)
        if data[pe:pe + 4] != b"PE\0\0":
            raise PEError("no PE signature")
        self.machine, nsect, _, _, _, opt_size, _ = struct.unpack_from("<HHIIIHH", data, pe + 4)
        opt = pe + 24
        magic = self.u16(opt)
        if magic == 0x10B:
            self.pe32plus, dd_off = False, opt + 96
        elif magic == 0x20B:
            self.pe32plus, dd_off = True, opt + 112
        else:
            raise PEError(f"optional header magic {magic:#x}")
        self.dll_characteristics = self.u16(opt + 70)
        ndirs = self.u32(dd_off - 4)
        self.dirs = [struct.unpack_from("<II", data, dd_off + 8 * i) for i in range(min(ndirs, 16))]
        self.sections = []
        sect = opt + opt_size
        for i in range(nsect):
            name, vsize, va, rsize, rptr = struct.unpack_from("<8sIIII", data, sect + 40 * i)
            flags = self.u32(sect + 40 * i + 36)
            self.sections.append((name.rstrip(b"\0").decode("latin-1"), va, max(vsize, rsize),
                                  rptr, rsize, flags))

    def u16(self, off):
        if off + 2 > len(self.data):
            raise PEError("truncated")
        return struct.unpack_from("<H", self.data, off)[0]

    def u32(self, off):
        if off + 4 > len(self.data):
            raise PEError("truncated")
        return struct.unpack_from("<I", self.data, off)[0]

    def rva(self, rva):
        for _, va, size, rptr, rsize, _ in self.sections:
            if va <= rva < va + size and rva - va < rsize:
                return rptr + rva - va
        raise PEError(f"RVA {rva:#x} outside the sections")

    def cstr(self, off):
        end = self.data.find(b"\0", off)
        if end < 0:
            raise PEError("unterminated string")
        return self.data[off:end].decode("latin-1")

    def imports(self):
        names = []
        if len(self.dirs) < 2 or self.dirs[1][0] == 0:
            return names
        off = self.rva(self.dirs[1][0])
        while True:
            ilt, _, _, name_rva, iat = struct.unpack_from("<IIIII", self.data, off)
            if ilt == 0 and name_rva == 0 and iat == 0:
                return names
            names.append(self.cstr(self.rva(name_rva)))
            off += 20

    def delay_imports(self):
        names = []
        if len(self.dirs) < 14 or self.dirs[13][0] == 0:
            return names
        off = self.rva(self.dirs[13][0])
        while True:
            fields = struct.unpack_from("<8I", self.data, off)
            if not any(fields):
                return names
            names.append(self.cstr(self.rva(fields[1])))
            off += 32

    def has_version_resource(self):
        if len(self.dirs) < 3 or self.dirs[2][0] == 0:
            return False
        root = self.rva(self.dirs[2][0])
        named, ids = struct.unpack_from("<HH", self.data, root + 12)
        for i in range(named + ids):
            ident, _ = struct.unpack_from("<II", self.data, root + 16 + 8 * i)
            if not ident & 0x80000000 and ident == RT_VERSION:
                return True
        return False


def check(path):
    with open(path, "rb") as f:
        pe = PE(f.read())
    arch = MACHINES.get(pe.machine, f"machine {pe.machine:#x}")
    problems = []
    dlls = pe.imports() + pe.delay_imports()
    for dll in dlls:
        low = dll.lower()
        if low not in ALLOWED and not low.startswith(ALLOWED_PREFIXES):
            problems.append(f"imports {dll} (not a Windows system DLL)")
    want = DYNAMIC_BASE | NX_COMPAT | (HIGH_ENTROPY_VA if pe.pe32plus else 0)
    for bit, name in ((DYNAMIC_BASE, "DYNAMIC_BASE"), (NX_COMPAT, "NX_COMPAT"),
                      (HIGH_ENTROPY_VA, "HIGH_ENTROPY_VA")):
        if want & bit and not pe.dll_characteristics & bit:
            problems.append(f"DllCharacteristics lacks {name}")
    for name, *_, flags in pe.sections:
        if flags & SCN_MEM_WRITE and flags & SCN_MEM_EXECUTE:
            problems.append(f"section {name} is writable and executable")
    if not pe.has_version_resource():
        problems.append("no VERSIONINFO resource")
    print(f"{path}: {arch}, DllCharacteristics {pe.dll_characteristics:#06x}, "
          f"imports {', '.join(sorted(set(d.lower() for d in dlls)))}"
          f"{'' if problems else ': OK'}")
    for p in problems:
        print(f"  FAIL: {p}")
    return not problems


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    ok = True
    for path in paths:
        try:
            ok = check(path) and ok
        except (OSError, PEError, struct.error) as e:
            print(f"{path}: FAIL: {e}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
