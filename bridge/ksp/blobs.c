/* Public key blobs: ExportKey of a card key, ImportKey of a peer's EC public key (the other
 * side of a secret agreement). Private keys never leave the card. */
#include <stdlib.h>
#include <string.h>

#include "ksp.h"
#include "ksp_table.h"

static bool is_private_blob(LPCWSTR type)
{
    static const wchar_t *const private_types[] = {
        BCRYPT_PRIVATE_KEY_BLOB, BCRYPT_RSAPRIVATE_BLOB, BCRYPT_RSAFULLPRIVATE_BLOB,
        BCRYPT_ECCPRIVATE_BLOB, LEGACY_RSAPRIVATE_BLOB, NCRYPT_PKCS8_PRIVATE_KEY_BLOB,
        NCRYPT_PKCS7_ENVELOPE_BLOB, NCRYPT_OPAQUETRANSPORT_BLOB,
    };
    for (size_t i = 0; i < sizeof private_types / sizeof private_types[0]; i++)
        if (wcscmp(type, private_types[i]) == 0)
            return true;
    return false;
}

static SECURITY_STATUS rsa_blob(ksp_key *k, PBYTE pb, DWORD cb, DWORD *pcb, DWORD flags)
{
    uint8_t mod[OPGP_TOK_MAX_PUB], exp[16];
    size_t mod_len = sizeof mod, exp_len = sizeof exp;
    opgp_tok_rv r = opgp_token_public_key(k->card->token, k->container, mod, &mod_len, exp,
                                          &exp_len);
    if (r != OPGP_TOK_OK)
        return ksp_tok_status(r, flags);
    size_t skip = 0; /* CNG wants the modulus and exponent without leading zeros */
    while (skip + 1 < exp_len && exp[skip] == 0)
        skip++;
    DWORD total = (DWORD)(sizeof(BCRYPT_RSAKEY_BLOB) + exp_len - skip + mod_len);
    *pcb = total;
    if (pb == NULL)
        return ERROR_SUCCESS;
    if (cb < total)
        return NTE_BUFFER_TOO_SMALL;
    BCRYPT_RSAKEY_BLOB h = { BCRYPT_RSAPUBLIC_MAGIC, k->info.bits, (ULONG)(exp_len - skip),
                             (ULONG)mod_len, 0, 0 };
    memcpy(pb, &h, sizeof h);
    memcpy(pb + sizeof h, exp + skip, exp_len - skip);
    memcpy(pb + sizeof h + exp_len - skip, mod, mod_len);
    return ERROR_SUCCESS;
}

static SECURITY_STATUS ecc_blob(ksp_key *k, PBYTE pb, DWORD cb, DWORD *pcb, DWORD flags)
{
    const ksp_curve *c = ksp_curve_of(&k->info);
    if (c == NULL)
        return NTE_NOT_SUPPORTED;
    uint8_t point[OPGP_TOK_MAX_PUB];
    size_t len = sizeof point, exp_len = 0;
    if (k->card != NULL) {
        opgp_tok_rv r = opgp_token_public_key(k->card->token, k->container, point, &len, NULL,
                                              &exp_len);
        if (r != OPGP_TOK_OK)
            return ksp_tok_status(r, flags);
    } else {
        memcpy(point, k->point, k->point_len);
        len = k->point_len;
    }
    if (len != 1 + 2 * (size_t)c->bytes || point[0] != 0x04)
        return NTE_BAD_DATA;
    DWORD total = (DWORD)(sizeof(BCRYPT_ECCKEY_BLOB) + 2 * c->bytes);
    *pcb = total;
    if (pb == NULL)
        return ERROR_SUCCESS;
    if (cb < total)
        return NTE_BUFFER_TOO_SMALL;
    bool ecdh = k->info.can_derive && !k->info.can_sign;
    BCRYPT_ECCKEY_BLOB h = { ecdh ? c->ecdh_magic : c->ecdsa_magic, c->bytes };
    memcpy(pb, &h, sizeof h);
    memcpy(pb + sizeof h, point + 1, 2 * c->bytes);
    return ERROR_SUCCESS;
}

SECURITY_STATUS WINAPI ksp_ExportKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hKey,
                                     NCRYPT_KEY_HANDLE hExportKey, LPCWSTR pszBlobType,
                                     NCryptBufferDesc *pParameterList, PBYTE pbOutput,
                                     DWORD cbOutput, DWORD *pcbResult, DWORD dwFlags)
{
    (void)pParameterList;
    ksp_prov *p;
    ksp_key *k;
    SECURITY_STATUS st = ksp_key_lookup(hProvider, hKey, &p, &k);
    if (st != ERROR_SUCCESS)
        return st;
    if (hExportKey != 0)
        return ksp_key_get(p, hExportKey) != NULL ? NTE_NOT_SUPPORTED : NTE_INVALID_HANDLE;
    if (pszBlobType == NULL || pcbResult == NULL)
        return NTE_INVALID_PARAMETER;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (is_private_blob(pszBlobType))
        return NTE_PERM;
    bool generic = wcscmp(pszBlobType, BCRYPT_PUBLIC_KEY_BLOB) == 0;
    if (k->info.type == OPGP_TOK_KEY_RSA && k->card != NULL &&
        (generic || wcscmp(pszBlobType, BCRYPT_RSAPUBLIC_BLOB) == 0))
        return rsa_blob(k, pbOutput, cbOutput, pcbResult, dwFlags | k->flags);
    if (k->info.type == OPGP_TOK_KEY_EC &&
        (generic || wcscmp(pszBlobType, BCRYPT_ECCPUBLIC_BLOB) == 0))
        return ecc_blob(k, pbOutput, cbOutput, pcbResult, dwFlags | k->flags);
    if (wcscmp(pszBlobType, BCRYPT_RSAPUBLIC_BLOB) == 0 ||
        wcscmp(pszBlobType, BCRYPT_ECCPUBLIC_BLOB) == 0)
        return NTE_INVALID_PARAMETER; /* a blob of the other key family */
    return NTE_NOT_SUPPORTED;
}

SECURITY_STATUS WINAPI ksp_ImportKey(NCRYPT_PROV_HANDLE hProvider, NCRYPT_KEY_HANDLE hImportKey,
                                     LPCWSTR pszBlobType, NCryptBufferDesc *pParameterList,
                                     NCRYPT_KEY_HANDLE *phKey, PBYTE pbData, DWORD cbData,
                                     DWORD dwFlags)
{
    (void)pParameterList;
    ksp_prov *p = ksp_prov_get(hProvider);
    if (p == NULL)
        return NTE_INVALID_HANDLE;
    if (phKey == NULL || pszBlobType == NULL || pbData == NULL)
        return NTE_INVALID_PARAMETER;
    *phKey = 0;
    if (hImportKey != 0)
        return ksp_key_get(p, hImportKey) != NULL ? NTE_NOT_SUPPORTED : NTE_INVALID_HANDLE;
    if (dwFlags & ~(DWORD)NCRYPT_SILENT_FLAG)
        return NTE_BAD_FLAGS;
    if (wcscmp(pszBlobType, BCRYPT_ECCPUBLIC_BLOB) != 0 &&
        wcscmp(pszBlobType, BCRYPT_PUBLIC_KEY_BLOB) != 0)
        return NTE_NOT_SUPPORTED; /* keys live on the card: only a peer's EC public key */
    BCRYPT_ECCKEY_BLOB h;
    if (cbData < sizeof h)
        return NTE_BAD_DATA;
    memcpy(&h, pbData, sizeof h);
    const ksp_curve *c = ksp_curve_by_bytes_magic(h.dwMagic, h.cbKey);
    if (c == NULL || cbData != sizeof h + 2 * (size_t)h.cbKey)
        return c == NULL ? NTE_BAD_TYPE : NTE_BAD_DATA;
    ksp_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NTE_NO_MEMORY;
    k->point[0] = 0x04;
    memcpy(k->point + 1, pbData + sizeof h, 2 * (size_t)h.cbKey);
    k->point_len = 1 + 2 * (size_t)h.cbKey;
    k->curve = c;
    k->generic_magic = h.dwMagic == BCRYPT_ECDH_PUBLIC_GENERIC_MAGIC ||
                       h.dwMagic == BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC;
    k->info.type = OPGP_TOK_KEY_EC;
    k->info.bits = c->bytes == 66 ? 521 : c->bytes * 8;
    k->info.ec_params[0] = 0x06;
    k->info.ec_params[1] = (uint8_t)c->oid_len;
    memcpy(k->info.ec_params + 2, c->oid, c->oid_len);
    k->info.ec_params_len = 2 + c->oid_len;
    k->info.can_derive = h.dwMagic == c->ecdh_magic;
    k->info.can_sign = !k->info.can_derive;
    k->flags = dwFlags | p->flags;
    InitializeSRWLock(&k->lock);
    memcpy(k->name, "(imported public key)", sizeof "(imported public key)");
    winprov_handle_add(&k->obj, KSP_KIND_KEY, p);
    *phKey = (NCRYPT_KEY_HANDLE)k;
    return ERROR_SUCCESS;
}
