/* The card's keys: CPGetUserKey, CPGetKeyParam, CPExportKey (public key), CPDestroyKey. */
#include <stdlib.h>
#include <string.h>

#include "csp.h"

BOOL WINAPI CPGetUserKey(HCRYPTPROV hProv, DWORD dwKeySpec, HCRYPTKEY *phUserKey)
{
    csp_prov *p = csp_prov_get(hProv);
    if (p == NULL)
        return csp_fail((DWORD)NTE_BAD_UID);
    if (phUserKey == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    *phUserKey = 0;
    if (dwKeySpec != AT_SIGNATURE && dwKeySpec != AT_KEYEXCHANGE)
        return csp_fail((DWORD)NTE_BAD_KEY);
    if (p->container < 0)
        return csp_fail((DWORD)NTE_BAD_KEYSET); /* a verify context has no keys */
    opgp_tok_key info;
    if (csp_container_keyspec(p->token, (unsigned)p->container, &info) != dwKeySpec)
        return csp_fail((DWORD)NTE_NO_KEY);
    csp_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return csp_fail((DWORD)NTE_NO_MEMORY);
    k->container = (unsigned)p->container;
    k->keyspec = dwKeySpec;
    k->info = info;
    winprov_handle_add(&k->obj, CSP_KIND_KEY, p);
    *phUserKey = (HCRYPTKEY)k;
    return TRUE;
}

static BOOL key_cert(csp_prov *p, csp_key *k, BYTE *pb, DWORD *pcb)
{
    uint8_t *der = NULL;
    size_t len = 0;
    opgp_tok_rv r = opgp_token_cert(p->token, k->container, &der, &len);
    if (r == OPGP_TOK_NO_KEY)
        return csp_fail((DWORD)SCARD_E_NO_SUCH_CERTIFICATE);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    BOOL ok = len <= MAXDWORD ? csp_out(der, (DWORD)len, pb, pcb) : csp_fail((DWORD)NTE_FAIL);
    free(der);
    return ok;
}

BOOL WINAPI CPGetKeyParam(HCRYPTPROV hProv, HCRYPTKEY hKey, DWORD dwParam, LPBYTE pbData,
                          LPDWORD pcbDataLen, DWORD dwFlags)
{
    csp_prov *p;
    csp_key *k = csp_key_lookup(hProv, hKey, &p);
    if (k == NULL)
        return FALSE;
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    DWORD dw;
    switch (dwParam) {
    case KP_ALGID:
        dw = k->keyspec == AT_SIGNATURE ? CALG_RSA_SIGN : CALG_RSA_KEYX;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case KP_KEYLEN:
    case KP_BLOCKLEN:
        dw = k->info.bits;
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case KP_PERMISSIONS:
        /* Never exportable: the private key stays on the card. */
        dw = CRYPT_READ | (k->info.can_decrypt ? CRYPT_DECRYPT : 0);
        return csp_out(&dw, sizeof dw, pbData, pcbDataLen);
    case KP_CERTIFICATE:
        return key_cert(p, k, pbData, pcbDataLen);
    default:
        return csp_fail((DWORD)NTE_BAD_TYPE);
    }
}

/* PUBLICKEYBLOB: BLOBHEADER, RSAPUBKEY, the modulus little-endian. */
BOOL WINAPI CPExportKey(HCRYPTPROV hProv, HCRYPTKEY hKey, HCRYPTKEY hPubKey, DWORD dwBlobType,
                        DWORD dwFlags, LPBYTE pbData, LPDWORD pcbDataLen)
{
    csp_prov *p;
    csp_key *k = csp_key_lookup(hProv, hKey, &p);
    if (k == NULL)
        return FALSE;
    if (hPubKey != 0)
        return csp_fail((DWORD)NTE_BAD_PUBLIC_KEY); /* nothing here wraps a public key */
    if (dwBlobType != PUBLICKEYBLOB)
        return csp_fail((DWORD)NTE_BAD_TYPE);
    if (dwFlags != 0)
        return csp_fail((DWORD)NTE_BAD_FLAGS);
    if (pcbDataLen == NULL)
        return csp_fail(ERROR_INVALID_PARAMETER);
    uint8_t mod[OPGP_TOK_MAX_PUB], exp[16];
    size_t mod_len = sizeof mod, exp_len = sizeof exp;
    opgp_tok_rv r = opgp_token_public_key(p->token, k->container, mod, &mod_len, exp, &exp_len);
    if (r != OPGP_TOK_OK)
        return csp_tok_fail(p, r);
    size_t skip = 0;
    while (skip < exp_len && exp[skip] == 0)
        skip++;
    if (exp_len - skip > 4 || mod_len == 0)
        return csp_fail((DWORD)NTE_BAD_KEY); /* RSAPUBKEY holds a 32-bit exponent */
    DWORD pubexp = 0;
    for (size_t i = skip; i < exp_len; i++)
        pubexp = pubexp << 8 | exp[i];
    DWORD bytes = (k->info.bits + 7) / 8;
    if (mod_len > bytes)
        return csp_fail((DWORD)NTE_BAD_KEY);
    DWORD total = sizeof(BLOBHEADER) + sizeof(RSAPUBKEY) + bytes;
    if (pbData == NULL || *pcbDataLen < total) {
        *pcbDataLen = total;
        return pbData == NULL ? TRUE : csp_fail(ERROR_MORE_DATA);
    }
    BLOBHEADER bh = { PUBLICKEYBLOB, CUR_BLOB_VERSION, 0,
                      k->keyspec == AT_SIGNATURE ? CALG_RSA_SIGN : CALG_RSA_KEYX };
    RSAPUBKEY rp = { 0x31415352 /* "RSA1" */, k->info.bits, pubexp };
    memcpy(pbData, &bh, sizeof bh);
    memcpy(pbData + sizeof bh, &rp, sizeof rp);
    uint8_t *m = pbData + sizeof bh + sizeof rp;
    memset(m, 0, bytes);
    memcpy(m + (bytes - mod_len), mod, mod_len);
    csp_reverse(m, bytes);
    *pcbDataLen = total;
    return TRUE;
}

BOOL WINAPI CPDestroyKey(HCRYPTPROV hProv, HCRYPTKEY hKey)
{
    csp_prov *p;
    csp_key *k = csp_key_lookup(hProv, hKey, &p);
    if (k == NULL)
        return FALSE;
    winprov_handle_remove(&k->obj);
    csp_key_free(k);
    return TRUE;
}
