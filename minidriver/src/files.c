/* The card file system the Base CSP expects, made up from OpenPGP data objects:
 *   /cardid    16 bytes: the AID (manufacturer and serial: unique and stable)
 *   /cardcf    6 bytes: freshness counters from the key state and this process's writes
 *              (cmap.c, freshness.c)
 *   /cardapps  "mscp" padded to 8 bytes
 *   /mscp/cmapfile              one CONTAINER_MAP_RECORD per container (cmap.c)
 *   /mscp/kxc00 or ksc00 ...    the certificate (7F21) of the container's slot, named by the
 *                               container's key spec; present when the slot holds one.
 * Certificates are written back to their slot (admin PIN verified) and move the card's write
 * generation. cmapfile writes from the CSP are accepted and have no effect (derived from the
 * keys); a cardcf write that changes a counter moves the write generation too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

typedef enum { DIR_ROOT, DIR_MSCP, DIR_NONE } md_dir;

typedef enum {
    F_NONE, F_CARDID, F_CARDCF, F_CARDAPPS, F_CMAPFILE, F_CERT
} md_file;

static md_dir dir_of(LPCSTR name)
{
    if (name == NULL || name[0] == 0)
        return DIR_ROOT;
    if (strcmp(name, szBASE_CSP_DIR) == 0)
        return DIR_MSCP;
    return DIR_NONE;
}

static bool is_sig_spec(DWORD spec)
{
    return spec == AT_SIGNATURE || (spec >= AT_ECDSA_P256 && spec <= AT_ECDSA_P521);
}

static void cert_name(DWORD spec, BYTE index, char out[8])
{
    snprintf(out, 8, "%s%02u",
             is_sig_spec(spec) ? szUSER_SIGNATURE_CERT_PREFIX : szUSER_KEYEXCHANGE_CERT_PREFIX,
             (unsigned)index);
}

/* Which file a (dir, name) is; *index the container for certificates. */
static md_file file_of(md_state *st, md_dir dir, LPCSTR name, BYTE *index)
{
    if (name == NULL)
        return F_NONE;
    if (dir == DIR_ROOT) {
        if (strcmp(name, szCARD_IDENTIFIER_FILE) == 0) return F_CARDID;
        if (strcmp(name, szCACHE_FILE) == 0) return F_CARDCF;
        if (strcmp(name, szCARD_APPS_FILE) == 0) return F_CARDAPPS;
        return F_NONE;
    }
    if (dir != DIR_MSCP)
        return F_NONE;
    if (strcmp(name, szCONTAINER_MAP_FILE) == 0)
        return F_CMAPFILE;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    for (BYTE i = 0; i < MD_CONTAINERS; i++) {
        DWORD spec = md_container_keyspec(ad, i);
        if (spec == 0)
            continue;
        char n[8];
        cert_name(spec, i, n);
        if (strcmp(name, n) == 0) {
            *index = i;
            return F_CERT;
        }
    }
    return F_NONE;
}

void md_cert_forget(md_state *st)
{
    for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
        free(st->cert[s].data);
        st->cert[s].data = NULL;
        st->cert[s].len = 0;
        st->cert[s].known = false;
    }
}

static DWORD cert_remember(md_state *st, opgp_key_slot slot, const uint8_t *data, size_t len)
{
    uint8_t *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        if (copy == NULL)
            return SCARD_E_NO_MEMORY;
        memcpy(copy, data, len);
    }
    free(st->cert[slot].data);
    st->cert[slot].data = copy;
    st->cert[slot].len = len;
    st->cert[slot].known = true;
    return SCARD_S_SUCCESS;
}

/* The CSP cache holds a presence byte, then the certificate. */
static void cert_cache_store(PCARD_DATA d, md_state *st, opgp_key_slot slot)
{
    char name[8];
    snprintf(name, sizeof name, "cert%d", (int)slot);
    uint8_t *buf = malloc(st->cert[slot].len + 1);
    if (buf == NULL)
        return;
    buf[0] = st->cert[slot].len > 0;
    if (st->cert[slot].len > 0)
        memcpy(buf + 1, st->cert[slot].data, st->cert[slot].len);
    md_cache_add(d, st, name, buf, st->cert[slot].len + 1);
    free(buf);
}

DWORD md_cert_get(PCARD_DATA d, md_state *st, opgp_key_slot slot, const uint8_t **data,
                  size_t *len)
{
    if (!st->cert[slot].known) {
        char name[8];
        snprintf(name, sizeof name, "cert%d", (int)slot);
        uint8_t *cached;
        size_t clen;
        if (md_cache_lookup(d, st, name, &cached, &clen) == SCARD_S_SUCCESS) {
            DWORD rv = SCARD_E_UNEXPECTED;
            if (clen >= 1 && (cached[0] == 0 || clen > 1))
                rv = cert_remember(st, slot, cached + 1, cached[0] ? clen - 1 : 0);
            d->pfnCspFree(cached);
            if (rv == (DWORD)SCARD_E_NO_MEMORY)
                return rv;
        }
    }
    if (!st->cert[slot].known) {
        const opgp_appdata *ad = opgp_card_appdata(st->card);
        size_t cap = ad->ext_caps.max_cert > MD_MAX_CERT ? ad->ext_caps.max_cert : MD_MAX_CERT;
        uint8_t *buf = malloc(cap);
        if (buf == NULL)
            return SCARD_E_NO_MEMORY;
        size_t n = cap;
        opgp_status s = opgp_card_read_cert(st->card, slot, buf, &n, NULL);
        if (s == OPGP_E_CARD_RESET) {
            md_after_reset(st);
            n = cap;
            s = opgp_card_read_cert(st->card, slot, buf, &n, NULL);
        }
        if (s == OPGP_E_NOT_FOUND) {
            s = OPGP_OK;
            n = 0;
        }
        DWORD rv = s == OPGP_OK ? cert_remember(st, slot, buf, n) : md_card_error(st, s);
        free(buf);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        cert_cache_store(d, st, slot);
    }
    *data = st->cert[slot].data;
    *len = st->cert[slot].len;
    return SCARD_S_SUCCESS;
}

/* The content of a file into CSP-allocated memory. */
static DWORD file_content(PCARD_DATA d, md_state *st, md_file f, BYTE index, PBYTE *out,
                          DWORD *out_len)
{
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    uint8_t small[MD_CMAPFILE_SIZE];
    const uint8_t *src = small;
    size_t len = 0;
    switch (f) {
    case F_CARDID:
        md_cardid_build(ad, small);
        len = 16;
        break;
    case F_CARDCF:
        if (md_cardcf_build(ad, st->seen_generation, small) != OPGP_OK)
            return SCARD_F_INTERNAL_ERROR;
        len = 6;
        break;
    case F_CARDAPPS:
        memset(small, 0, 8);
        memcpy(small, szBASE_CSP_DIR, 4);
        len = 8;
        break;
    case F_CMAPFILE:
        if (md_cmapfile_build(ad, small) != OPGP_OK)
            return SCARD_F_INTERNAL_ERROR;
        len = MD_CMAPFILE_SIZE;
        break;
    case F_CERT: {
        DWORD rv = md_cert_get(d, st, md_container_slot(index), &src, &len);
        if (rv != SCARD_S_SUCCESS)
            return rv;
        if (len == 0)
            return SCARD_E_FILE_NOT_FOUND;
        break;
    }
    default:
        return SCARD_E_FILE_NOT_FOUND;
    }
    if (out == NULL) {
        *out_len = (DWORD)len;
        return SCARD_S_SUCCESS;
    }
    *out = md_csp_alloc(d, len);
    if (*out == NULL)
        return SCARD_E_NO_MEMORY;
    memcpy(*out, src, len);
    *out_len = (DWORD)len;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardReadFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                          DWORD dwFlags, PBYTE *ppbData, PDWORD pcbData)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszFileName == NULL || pszFileName[0] == 0 || ppbData == NULL || pcbData == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    BYTE index = 0;
    md_file f = file_of(st, dir, pszFileName, &index);
    if (f == F_NONE)
        return SCARD_E_FILE_NOT_FOUND;
    return file_content(pCardData, st, f, index, ppbData, pcbData);
}

DWORD WINAPI CardGetFileInfo(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                             PCARD_FILE_INFO pCardFileInfo)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszFileName == NULL || pszFileName[0] == 0 || pCardFileInfo == NULL)
        return SCARD_E_INVALID_PARAMETER;
    if (pCardFileInfo->dwVersion != CARD_FILE_INFO_CURRENT_VERSION &&
        pCardFileInfo->dwVersion != 0)
        return ERROR_REVISION_MISMATCH;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    BYTE index = 0;
    md_file f = file_of(st, dir, pszFileName, &index);
    if (f == F_NONE)
        return SCARD_E_FILE_NOT_FOUND;
    DWORD size = 0;
    rv = file_content(pCardData, st, f, index, NULL, &size);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    pCardFileInfo->dwVersion = CARD_FILE_INFO_CURRENT_VERSION;
    pCardFileInfo->cbFileSize = size;
    pCardFileInfo->AccessCondition = f == F_CARDID || f == F_CARDAPPS ? EveryoneReadAdminWriteAc
                                                                        : EveryoneReadUserWriteAc;
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardEnumFiles(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR *pmszFileNames,
                           LPDWORD pdwcbFileName, DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pmszFileNames == NULL || pdwcbFileName == NULL || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    char list[64];
    size_t n = 0;
#define ADD_NAME(s) do { size_t l_ = strlen(s) + 1; memcpy(list + n, (s), l_); n += l_; } while (0)
    if (dir == DIR_ROOT) {
        ADD_NAME(szCARD_IDENTIFIER_FILE);
        ADD_NAME(szCACHE_FILE);
        ADD_NAME(szCARD_APPS_FILE);
    } else {
        ADD_NAME(szCONTAINER_MAP_FILE);
        const opgp_appdata *ad = opgp_card_appdata(st->card);
        for (BYTE i = 0; i < MD_CONTAINERS; i++) {
            DWORD spec = md_container_keyspec(ad, i);
            if (spec == 0)
                continue;
            const uint8_t *c;
            size_t clen;
            rv = md_cert_get(pCardData, st, md_container_slot(i), &c, &clen);
            if (rv != SCARD_S_SUCCESS)
                return rv;
            if (clen == 0)
                continue;
            char name[8];
            cert_name(spec, i, name);
            ADD_NAME(name);
        }
    }
#undef ADD_NAME
    list[n++] = 0;
    *pmszFileNames = md_csp_alloc(pCardData, n);
    if (*pmszFileNames == NULL)
        return SCARD_E_NO_MEMORY;
    memcpy(*pmszFileNames, list, n);
    *pdwcbFileName = (DWORD)n;
    return SCARD_S_SUCCESS;
}

DWORD md_cert_write(PCARD_DATA d, md_state *st, BYTE index, const uint8_t *data, size_t len)
{
    opgp_key_slot slot = md_container_slot(index);
    opgp_status s = opgp_card_write_cert(st->card, slot, data, len, NULL);
    if (s != OPGP_OK)
        return md_card_error(st, s);
    /* Before caching: the new certificate goes under the new freshness. */
    md_generation_wrote(st);
    DWORD rv = cert_remember(st, slot, data, len);
    if (rv == SCARD_S_SUCCESS)
        cert_cache_store(d, st, slot);
    else
        st->cert[slot].known = false; /* the old copy is stale: read the card next time */
    return rv;
}

/* The CSP bumps a counter after it changed something and writes cardcf back. Ours follow the
 * card and this process's writes by themselves; a value other than ours still means a change
 * we may not know of, so it moves the write generation (for every context of the process). */
static DWORD cardcf_write(md_state *st, const uint8_t *data, size_t len)
{
    if (len != 6)
        return SCARD_E_INVALID_PARAMETER;
    uint8_t now[6];
    if (md_cardcf_build(opgp_card_appdata(st->card), st->seen_generation, now) != OPGP_OK)
        return SCARD_F_INTERNAL_ERROR;
    if (memcmp(now + 2, data + 2, 4) != 0)
        md_generation_wrote(st);
    return SCARD_S_SUCCESS;
}

DWORD WINAPI CardWriteFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                           DWORD dwFlags, PBYTE pbData, DWORD cbData)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszFileName == NULL || pszFileName[0] == 0 || (pbData == NULL && cbData != 0))
        return SCARD_E_INVALID_PARAMETER;
    if (dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    BYTE index = 0;
    switch (file_of(st, dir, pszFileName, &index)) {
    case F_CARDCF:
        return cardcf_write(st, pbData, cbData);
    case F_CMAPFILE:
        /* Written by the CSP during enrollment; the map is derived from the keys on the card. */
        return cbData % sizeof(CONTAINER_MAP_RECORD) == 0 ? SCARD_S_SUCCESS
                                                          : SCARD_E_INVALID_PARAMETER;
    case F_CARDID:
    case F_CARDAPPS:
        return SCARD_W_SECURITY_VIOLATION;
    case F_CERT:
        if (cbData == 0)
            return SCARD_E_INVALID_PARAMETER;
        return md_cert_write(pCardData, st, index, pbData, cbData);
    default:
        return SCARD_E_FILE_NOT_FOUND;
    }
}

DWORD WINAPI CardCreateFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                            DWORD cbInitialCreationSize,
                            CARD_FILE_ACCESS_CONDITION AccessCondition)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszFileName == NULL || pszFileName[0] == 0 || AccessCondition == InvalidAc ||
        AccessCondition > AdminReadWriteAc)
        return SCARD_E_INVALID_PARAMETER;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    BYTE index = 0;
    md_file f = file_of(st, dir, pszFileName, &index);
    if (f == F_NONE)
        return SCARD_E_UNSUPPORTED_FEATURE; /* no room for other files on an OpenPGP card */
    if (f != F_CERT)
        return ERROR_FILE_EXISTS;
    const uint8_t *c;
    size_t clen;
    rv = md_cert_get(pCardData, st, md_container_slot(index), &c, &clen);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (clen > 0)
        return ERROR_FILE_EXISTS;
    const opgp_appdata *ad = opgp_card_appdata(st->card);
    if (ad->ext_caps.max_cert != 0 && cbInitialCreationSize > ad->ext_caps.max_cert)
        return SCARD_E_WRITE_TOO_MANY;
    return SCARD_S_SUCCESS; /* the certificate DO exists already; CardWriteFile fills it */
}

DWORD WINAPI CardDeleteFile(PCARD_DATA pCardData, LPSTR pszDirectoryName, LPSTR pszFileName,
                            DWORD dwFlags)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszFileName == NULL || pszFileName[0] == 0 || dwFlags != 0)
        return SCARD_E_INVALID_PARAMETER;
    md_dir dir = dir_of(pszDirectoryName);
    if (dir == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    BYTE index = 0;
    md_file f = file_of(st, dir, pszFileName, &index);
    if (f == F_NONE)
        return SCARD_E_FILE_NOT_FOUND;
    if (f != F_CERT)
        return SCARD_W_SECURITY_VIOLATION;
    const uint8_t *c;
    size_t clen;
    rv = md_cert_get(pCardData, st, md_container_slot(index), &c, &clen);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (clen == 0)
        return SCARD_E_FILE_NOT_FOUND;
    return md_cert_write(pCardData, st, index, NULL, 0);
}

DWORD WINAPI CardCreateDirectory(PCARD_DATA pCardData, LPSTR pszDirectoryName,
                                 CARD_DIRECTORY_ACCESS_CONDITION AccessCondition)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszDirectoryName == NULL || pszDirectoryName[0] == 0 ||
        strlen(pszDirectoryName) > 8 || AccessCondition == InvalidDirAc ||
        AccessCondition > AdminCreateDeleteDirAc)
        return SCARD_E_INVALID_PARAMETER;
    if (dir_of(pszDirectoryName) == DIR_MSCP)
        return ERROR_FILE_EXISTS;
    return SCARD_E_UNSUPPORTED_FEATURE;
}

DWORD WINAPI CardDeleteDirectory(PCARD_DATA pCardData, LPSTR pszDirectoryName)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (pszDirectoryName == NULL || pszDirectoryName[0] == 0)
        return SCARD_E_INVALID_PARAMETER;
    if (dir_of(pszDirectoryName) == DIR_NONE)
        return SCARD_E_DIR_NOT_FOUND;
    return SCARD_E_UNSUPPORTED_FEATURE; /* mscp is not empty and cannot go */
}
