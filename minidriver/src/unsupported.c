/* Entry points an OpenPGP card has no use for. Each still checks its context, then answers
 * SCARD_E_UNSUPPORTED_FEATURE as the specification prescribes for optional functions:
 *   - challenge/response authentication (no card administration key);
 *   - v7 secure key injection / session keys (the card keeps no symmetric session keys). */
#include "md.h"

static DWORD unsupported(PCARD_DATA pCardData)
{
    md_state *st;
    DWORD rv = md_state_get(pCardData, &st);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    return SCARD_E_UNSUPPORTED_FEATURE;
}

DWORD WINAPI CardGetChallenge(PCARD_DATA pCardData, PBYTE *ppbChallengeData,
                              PDWORD pcbChallengeData)
{
    (void)ppbChallengeData;
    (void)pcbChallengeData;
    return unsupported(pCardData);
}

DWORD WINAPI CardAuthenticateChallenge(PCARD_DATA pCardData, PBYTE pbResponseData,
                                       DWORD cbResponseData, PDWORD pcAttemptsRemaining)
{
    (void)pbResponseData;
    (void)cbResponseData;
    (void)pcAttemptsRemaining;
    return unsupported(pCardData);
}

DWORD WINAPI CardGetChallengeEx(PCARD_DATA pCardData, PIN_ID PinId, PBYTE *ppbChallengeData,
                                PDWORD pcbChallengeData, DWORD dwFlags)
{
    (void)PinId;
    (void)ppbChallengeData;
    (void)pcbChallengeData;
    (void)dwFlags;
    return unsupported(pCardData);
}

DWORD WINAPI MDImportSessionKey(PCARD_DATA pCardData, LPCWSTR pwszBlobType, LPCWSTR pwszAlgId,
                                PCARD_KEY_HANDLE phKey, PBYTE pbInput, DWORD cbInput)
{
    (void)pwszBlobType;
    (void)pwszAlgId;
    (void)phKey;
    (void)pbInput;
    (void)cbInput;
    return unsupported(pCardData);
}

DWORD WINAPI MDEncryptData(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                           LPCWSTR pwszSecureFunction, PBYTE pbInput, DWORD cbInput,
                           DWORD dwFlags, PCARD_ENCRYPTED_DATA *ppEncryptedData,
                           PDWORD pcEncryptedData)
{
    (void)hKey;
    (void)pwszSecureFunction;
    (void)pbInput;
    (void)cbInput;
    (void)dwFlags;
    (void)ppEncryptedData;
    (void)pcEncryptedData;
    return unsupported(pCardData);
}

DWORD WINAPI CardImportSessionKey(PCARD_DATA pCardData, BYTE bContainerIndex,
                                  LPVOID pPaddingInfo, LPCWSTR pwszBlobType, LPCWSTR pwszAlgId,
                                  PCARD_KEY_HANDLE phKey, PBYTE pbInput, DWORD cbInput,
                                  DWORD dwFlags)
{
    (void)bContainerIndex;
    (void)pPaddingInfo;
    (void)pwszBlobType;
    (void)pwszAlgId;
    (void)phKey;
    (void)pbInput;
    (void)cbInput;
    (void)dwFlags;
    return unsupported(pCardData);
}

DWORD WINAPI CardGetSharedKeyHandle(PCARD_DATA pCardData, PBYTE pbInput, DWORD cbInput,
                                    PBYTE *ppbOutput, PDWORD pcbOutput, PCARD_KEY_HANDLE phKey)
{
    (void)pbInput;
    (void)cbInput;
    (void)ppbOutput;
    (void)pcbOutput;
    (void)phKey;
    return unsupported(pCardData);
}

DWORD WINAPI CardGetAlgorithmProperty(PCARD_DATA pCardData, LPCWSTR pwszAlgId,
                                      LPCWSTR pwszProperty, PBYTE pbData, DWORD cbData,
                                      PDWORD pdwDataLen, DWORD dwFlags)
{
    (void)pwszAlgId;
    (void)pwszProperty;
    (void)pbData;
    (void)cbData;
    (void)pdwDataLen;
    (void)dwFlags;
    return unsupported(pCardData);
}

DWORD WINAPI CardGetKeyProperty(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                LPCWSTR pwszProperty, PBYTE pbData, DWORD cbData,
                                PDWORD pdwDataLen, DWORD dwFlags)
{
    (void)hKey;
    (void)pwszProperty;
    (void)pbData;
    (void)cbData;
    (void)pdwDataLen;
    (void)dwFlags;
    return unsupported(pCardData);
}

DWORD WINAPI CardSetKeyProperty(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                LPCWSTR pwszProperty, PBYTE pbInput, DWORD cbInput,
                                DWORD dwFlags)
{
    (void)hKey;
    (void)pwszProperty;
    (void)pbInput;
    (void)cbInput;
    (void)dwFlags;
    return unsupported(pCardData);
}

DWORD WINAPI CardDestroyKey(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey)
{
    (void)hKey;
    return unsupported(pCardData);
}

DWORD WINAPI CardProcessEncryptedData(PCARD_DATA pCardData, CARD_KEY_HANDLE hKey,
                                      LPCWSTR pwszSecureFunction,
                                      PCARD_ENCRYPTED_DATA pEncryptedData, DWORD cEncryptedData,
                                      PBYTE pbOutput, DWORD cbOutput, PDWORD pdwOutputLen,
                                      DWORD dwFlags)
{
    (void)hKey;
    (void)pwszSecureFunction;
    (void)pEncryptedData;
    (void)cEncryptedData;
    (void)pbOutput;
    (void)cbOutput;
    (void)pdwOutputLen;
    (void)dwFlags;
    return unsupported(pCardData);
}
