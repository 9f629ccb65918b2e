/* md-sign.exe: a signature through opgpmd.dll the way Windows' Base CSP makes one, so that the
 * minidriver is exercised by a Windows program under Wine with nothing of ours linked in.
 *
 *   md-sign [--dll PATH] [--container N] [--pin PIN | --pin-stdin] --in FILE --out FILE
 *
 * PC/SC finds the card, CardAcquireContext binds the minidriver to it, cardid and cmapfile are
 * read, the container's public key tells the key spec, its PIN identifier tells which PIN to
 * present, BCrypt hashes FILE with SHA-256 and CardSignData signs the hash. The output is what
 * OpenSSL verifies: RSA PKCS#1 v1.5 big-endian (the minidriver answers CryptoAPI's
 * little-endian order, so the bytes are reversed here), ECDSA as a DER SEQUENCE { r, s } (the
 * minidriver answers r||s big-endian). Exit 0 on success; every failure names the call and its
 * error code. Only system DLLs are imported (winscard, bcrypt, kernel32). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opgp/cardmod.h"
#include "sign_common.h"

#define MD_CONTAINERS 3

static int failed(const char *call, DWORD code)
{
    fprintf(stderr, "md-sign: %s failed: 0x%08lX\n", call, (unsigned long)code);
    return 1;
}

static LPVOID WINAPI csp_alloc(SIZE_T size) { return HeapAlloc(GetProcessHeap(), 0, size); }
static LPVOID WINAPI csp_realloc(LPVOID p, SIZE_T size)
{
    return p == NULL ? HeapAlloc(GetProcessHeap(), 0, size)
                     : HeapReAlloc(GetProcessHeap(), 0, p, size);
}
static void WINAPI csp_free(LPVOID p)
{
    if (p != NULL)
        HeapFree(GetProcessHeap(), 0, p);
}

static void print_hex(const char *label, const BYTE *p, DWORD n)
{
    printf("%s", label);
    for (DWORD i = 0; i < n; i++)
        printf("%02X", p[i]);
    printf("\n");
}

struct options {
    sign_options common;
    int container;
};

static BOOL container_option(const char *name, const char *v, void *arg)
{
    struct options *o = arg;
    if (strcmp(name, "--container") != 0 || v[0] < '0' || v[0] >= '0' + MD_CONTAINERS || v[1] != 0)
        return FALSE;
    o->container = v[0] - '0';
    return TRUE;
}

static int parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->common.dll = "opgpmd.dll";
    return sign_parse(argc, argv, &o->common,
                      "usage: md-sign [--dll PATH] [--container 0|1|2] [--pin PIN | --pin-stdin] "
                      "--in FILE --out FILE\n",
                      container_option, o);
}

/* The first reader holding a card, connected shared (T=0 or T=1, as the Base CSP does). */
static int connect_card(SCARDCONTEXT ctx, SCARDHANDLE *card, WCHAR *reader, DWORD reader_max)
{
    DWORD len = 0;
    LONG rv = SCardListReadersW(ctx, NULL, NULL, &len);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardListReadersW (size)", (DWORD)rv);
    WCHAR *list = calloc(len + 1, sizeof *list);
    if (list == NULL)
        return failed("calloc", ERROR_OUTOFMEMORY);
    rv = SCardListReadersW(ctx, NULL, list, &len);
    if (rv != SCARD_S_SUCCESS) {
        free(list);
        return failed("SCardListReadersW", (DWORD)rv);
    }
    LONG last = SCARD_E_NO_SMARTCARD;
    for (WCHAR *r = list; *r != 0; r += wcslen(r) + 1) {
        DWORD proto = 0;
        last = SCardConnectW(ctx, r, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                             card, &proto);
        if (last == SCARD_S_SUCCESS) {
            lstrcpynW(reader, r, (int)reader_max);
            free(list);
            return 0;
        }
    }
    free(list);
    return failed("SCardConnectW (no reader with a card)", (DWORD)last);
}

static void print_cmapfile(const BYTE *p, DWORD n)
{
    DWORD count = n / sizeof(CONTAINER_MAP_RECORD);
    for (DWORD i = 0; i < count; i++) {
        CONTAINER_MAP_RECORD r;
        memcpy(&r, p + i * sizeof r, sizeof r); /* the file carries no alignment promise */
        if (!(r.bFlags & CONTAINER_MAP_VALID_CONTAINER)) {
            printf("Container %lu: (empty)\n", (unsigned long)i);
            continue;
        }
        r.wszGuid[MAX_CONTAINER_NAME_LEN] = 0;
        printf("Container %lu: %ls%s, signature key %u bits, key exchange key %u bits\n",
               (unsigned long)i, (const wchar_t *)r.wszGuid,
               (r.bFlags & CONTAINER_MAP_DEFAULT_CONTAINER) ? " (default)" : "",
               r.wSigKeySizeBits, r.wKeyExchangeKeySizeBits);
    }
}

/* The key spec and size from the container's public key blob, as the Base CSP derives them:
 * a CryptoAPI PUBLICKEYBLOB for RSA, a BCRYPT_ECCKEY_BLOB for ECDSA. */
static int key_of_container(const CONTAINER_INFO *ci, DWORD *spec, DWORD *bits)
{
    const BYTE *blob = ci->cbKeyExPublicKey ? ci->pbKeyExPublicKey : ci->pbSigPublicKey;
    DWORD len = ci->cbKeyExPublicKey ? ci->cbKeyExPublicKey : ci->cbSigPublicKey;
    if (blob == NULL || len < 8)
        return failed("CardGetContainerInfo (no public key)", NTE_BAD_KEY);
    if (blob[0] == PUBLICKEYBLOB && len >= sizeof(BLOBHEADER) + sizeof(RSAPUBKEY)) {
        RSAPUBKEY rsa;
        memcpy(&rsa, blob + sizeof(BLOBHEADER), sizeof rsa);
        *spec = ci->cbKeyExPublicKey ? AT_KEYEXCHANGE : AT_SIGNATURE;
        *bits = rsa.bitlen;
        printf("Key: RSA %lu bits (%s)\n", (unsigned long)*bits,
               *spec == AT_KEYEXCHANGE ? "AT_KEYEXCHANGE" : "AT_SIGNATURE");
        return 0;
    }
    BCRYPT_ECCKEY_BLOB ecc;
    memcpy(&ecc, blob, sizeof ecc);
    switch (ecc.dwMagic) {
    case BCRYPT_ECDSA_PUBLIC_P256_MAGIC: *spec = AT_ECDSA_P256; *bits = 256; break;
    case BCRYPT_ECDSA_PUBLIC_P384_MAGIC: *spec = AT_ECDSA_P384; *bits = 384; break;
    case BCRYPT_ECDSA_PUBLIC_P521_MAGIC: *spec = AT_ECDSA_P521; *bits = 521; break;
    default: return failed("CardGetContainerInfo (unknown key blob)", NTE_BAD_KEY);
    }
    printf("Key: ECDSA P-%lu\n", (unsigned long)*bits);
    return 0;
}

static int sha256_file(const char *path, BYTE hash[32])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "md-sign: cannot open %s\n", path);
        return 1;
    }
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE h = NULL;
    NTSTATUS st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0);
    if (st == 0)
        st = BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0);
    BYTE buf[4096];
    size_t n;
    while (st == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
        st = BCryptHashData(h, buf, (ULONG)n, 0);
    if (st == 0 && ferror(f))
        st = (NTSTATUS)ERROR_READ_FAULT;
    if (st == 0)
        st = BCryptFinishHash(h, hash, 32, 0);
    if (h != NULL)
        BCryptDestroyHash(h);
    if (alg != NULL)
        BCryptCloseAlgorithmProvider(alg, 0);
    fclose(f);
    return st == 0 ? 0 : failed("BCrypt SHA-256", (DWORD)st);
}

/* Everything after CardAcquireContext; the caller deletes the context. */
static int sign_with(PCARD_DATA cd, const struct options *o)
{
    PBYTE data = NULL;
    DWORD len = 0;
    DWORD rv = cd->pfnCardReadFile(cd, NULL, szCARD_IDENTIFIER_FILE, 0, &data, &len);
    if (rv != SCARD_S_SUCCESS)
        return failed("CardReadFile(cardid)", rv);
    print_hex("cardid: ", data, len);
    cd->pfnCspFree(data);
    rv = cd->pfnCardReadFile(cd, szBASE_CSP_DIR, szCONTAINER_MAP_FILE, 0, &data, &len);
    if (rv != SCARD_S_SUCCESS)
        return failed("CardReadFile(mscp/cmapfile)", rv);
    print_cmapfile(data, len);
    cd->pfnCspFree(data);

    BYTE index = (BYTE)o->container;
    CONTAINER_INFO ci = { .dwVersion = CONTAINER_INFO_CURRENT_VERSION };
    rv = cd->pfnCardGetContainerInfo(cd, index, 0, &ci);
    if (rv != SCARD_S_SUCCESS)
        return failed("CardGetContainerInfo", rv);
    DWORD spec = 0, bits = 0;
    int err = key_of_container(&ci, &spec, &bits);
    cd->pfnCspFree(ci.pbSigPublicKey);
    cd->pfnCspFree(ci.pbKeyExPublicKey);
    if (err)
        return err;
    BOOL rsa = spec == AT_KEYEXCHANGE || spec == AT_SIGNATURE;

    PIN_ID pin_id = ROLE_USER;
    DWORD got = 0;
    rv = cd->pfnCardGetContainerProperty(cd, index, CCP_PIN_IDENTIFIER, (PBYTE)&pin_id,
                                         sizeof pin_id, &got, 0);
    if (rv != SCARD_S_SUCCESS || got != sizeof pin_id)
        return failed("CardGetContainerProperty(PIN Identifier)", rv);
    printf("Container %u: PIN id %lu%s\n", index, (unsigned long)pin_id,
           pin_id == ROLE_USER ? " (ROLE_USER)" : "");

    char pin[128];
    if (sign_read_pin("md-sign", &o->common, pin, sizeof pin) != 0)
        return 1;
    DWORD tries = 0;
    rv = cd->pfnCardAuthenticateEx(cd, pin_id, 0, (PBYTE)pin, (DWORD)strlen(pin), NULL, NULL,
                                   &tries);
    wipe(pin, sizeof pin);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "md-sign: %lu tries left\n", (unsigned long)tries);
        return failed("CardAuthenticateEx", rv);
    }

    BYTE hash[32];
    if (sha256_file(o->common.in, hash) != 0)
        return 1;
    BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };
    CARD_SIGNING_INFO si = {
        .dwVersion = CARD_SIGNING_INFO_CURRENT_VERSION,
        .bContainerIndex = index,
        .dwKeySpec = spec,
        .aiHashAlg = CALG_SHA_256,
        .pbData = hash,
        .cbData = sizeof hash,
    };
    if (rsa) {
        si.dwSigningFlags = CARD_PADDING_INFO_PRESENT;
        si.dwPaddingType = CARD_PADDING_PKCS1;
        si.pPaddingInfo = &pkcs1;
    }
    rv = cd->pfnCardSignData(cd, &si);
    if (rv != SCARD_S_SUCCESS)
        return failed("CardSignData", rv);
    BYTE out[1024];
    size_t out_len;
    if (rsa) {
        if (si.cbSignedData == 0 || si.cbSignedData > sizeof out) {
            cd->pfnCspFree(si.pbSignedData);
            return failed("CardSignData (signature length)", NTE_BAD_LEN);
        }
        for (DWORD i = 0; i < si.cbSignedData; i++) /* CryptoAPI little-endian to big-endian */
            out[i] = si.pbSignedData[si.cbSignedData - 1 - i];
        out_len = si.cbSignedData;
    } else {
        if (si.cbSignedData == 0 || si.cbSignedData % 2 || si.cbSignedData > 2 * 66) {
            cd->pfnCspFree(si.pbSignedData);
            return failed("CardSignData (signature length)", NTE_BAD_LEN);
        }
        out_len = ecdsa_der(si.pbSignedData, si.cbSignedData, out);
    }
    printf("Signature: %s, %lu bytes from the card\n", rsa ? "RSA PKCS#1 v1.5 SHA-256"
                                                           : "ECDSA SHA-256",
           (unsigned long)si.cbSignedData);
    cd->pfnCspFree(si.pbSignedData);
    if (write_file("md-sign", o->common.out, out, out_len) != 0)
        return 1;
    printf("Wrote %s (%lu bytes)\n", o->common.out, (unsigned long)out_len);
    return 0;
}

int main(int argc, char **argv)
{
    /* Unbuffered: a run that prints nothing at all is one Wine never started (tests/wine/tests/
     * common.inc, wine_to), and a crash still shows what came before it. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    struct options o;
    int err = parse(argc, argv, &o);
    if (err)
        return err;

    SCARDCONTEXT ctx = 0;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return failed("SCardEstablishContext", (DWORD)rv);
    SCARDHANDLE card = 0;
    WCHAR reader[256];
    err = connect_card(ctx, &card, reader, 256);
    if (err) {
        SCardReleaseContext(ctx);
        return err;
    }
    printf("Reader: %ls\n", (const wchar_t *)reader);

    BYTE atr[36];
    DWORD atr_len = sizeof atr, state = 0, proto = 0, name_len = 0;
    rv = SCardStatusW(card, NULL, &name_len, &state, &proto, atr, &atr_len);
    HMODULE lib = NULL;
    if (rv != SCARD_S_SUCCESS) {
        err = failed("SCardStatusW", (DWORD)rv);
        goto out;
    }
    print_hex("ATR: ", atr, atr_len);

    lib = LoadLibraryExA(o.common.dll, NULL, strpbrk(o.common.dll, "\\/") ? LOAD_WITH_ALTERED_SEARCH_PATH : 0);
    if (lib == NULL) {
        fprintf(stderr, "md-sign: cannot load %s\n", o.common.dll);
        err = failed("LoadLibraryExA", GetLastError());
        goto out;
    }
    PFN_CARD_ACQUIRE_CONTEXT acquire =
        (PFN_CARD_ACQUIRE_CONTEXT)(void (*)(void))GetProcAddress(lib, "CardAcquireContext");
    if (acquire == NULL) {
        err = failed("GetProcAddress(CardAcquireContext)", GetLastError());
        goto out;
    }
    CARD_DATA cd = {
        .dwVersion = CARD_DATA_CURRENT_VERSION,
        .pbAtr = atr,
        .cbAtr = atr_len,
        .pwszCardName = L"opgp md-sign",
        .pfnCspAlloc = csp_alloc,
        .pfnCspReAlloc = csp_realloc,
        .pfnCspFree = csp_free,
        .hSCardCtx = ctx,
        .hScard = card,
    };
    DWORD drv = acquire(&cd, 0);
    if (drv != SCARD_S_SUCCESS) {
        err = failed("CardAcquireContext", drv);
        goto out;
    }
    printf("CardAcquireContext: CARD_DATA version %lu\n", (unsigned long)cd.dwVersion);
    err = sign_with(&cd, &o);
    drv = cd.pfnCardDeleteContext(&cd);
    if (drv != SCARD_S_SUCCESS && !err)
        err = failed("CardDeleteContext", drv);
out:
    if (lib != NULL)
        FreeLibrary(lib);
    SCardDisconnect(card, SCARD_LEAVE_CARD);
    SCardReleaseContext(ctx);
    return err;
}
