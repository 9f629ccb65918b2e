/* What an OpenPGP card behind a minidriver does not do here: public-key operations (done by
 * the caller), digests, wrapping, secret key generation, dual functions, parallel functions,
 * the 3.0 message API. Each still answers CKR_CRYPTOKI_NOT_INITIALIZED first. */
#include "p11.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

#define NOT_SUPPORTED                       \
    do {                                    \
        CK_RV rv_ = p11_enter();            \
        if (rv_ != CKR_OK)                  \
            return rv_;                     \
        p11_leave();                        \
        return CKR_FUNCTION_NOT_SUPPORTED;  \
    } while (0)

#define H CK_SESSION_HANDLE h
#define B CK_BYTE_PTR
#define L CK_ULONG
#define LP CK_ULONG_PTR
#define M CK_MECHANISM_PTR
#define O CK_OBJECT_HANDLE

CK_RV C_EncryptInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_Encrypt(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_EncryptUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_EncryptFinal(H, B a, LP b) { NOT_SUPPORTED; }
CK_RV C_DecryptUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_DecryptFinal(H, B a, LP b) { NOT_SUPPORTED; }
CK_RV C_DigestInit(H, M m) { NOT_SUPPORTED; }
CK_RV C_Digest(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_DigestUpdate(H, B a, L b) { NOT_SUPPORTED; }
CK_RV C_DigestKey(H, O k) { NOT_SUPPORTED; }
CK_RV C_DigestFinal(H, B a, LP b) { NOT_SUPPORTED; }
CK_RV C_SignRecoverInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_SignRecover(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_VerifyInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_Verify(H, B a, L b, B c, L d) { NOT_SUPPORTED; }
CK_RV C_VerifyUpdate(H, B a, L b) { NOT_SUPPORTED; }
CK_RV C_VerifyFinal(H, B a, L b) { NOT_SUPPORTED; }
CK_RV C_VerifyRecoverInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_VerifyRecover(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_DigestEncryptUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_DecryptDigestUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_SignEncryptUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_DecryptVerifyUpdate(H, B a, L b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_GenerateKey(H, M m, CK_ATTRIBUTE_PTR t, L n, CK_OBJECT_HANDLE_PTR k) { NOT_SUPPORTED; }
CK_RV C_WrapKey(H, M m, O a, O b, B c, LP d) { NOT_SUPPORTED; }
CK_RV C_UnwrapKey(H, M m, O a, B b, L c, CK_ATTRIBUTE_PTR t, L n, CK_OBJECT_HANDLE_PTR k)
{
    NOT_SUPPORTED;
}

CK_RV C_GetFunctionStatus(H)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_leave();
    return CKR_FUNCTION_NOT_PARALLEL;
}

CK_RV C_CancelFunction(H)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_leave();
    return CKR_FUNCTION_NOT_PARALLEL;
}

CK_RV C_MessageEncryptInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_EncryptMessage(H, CK_VOID_PTR p, L pl, B a, L al, B x, L xl, B y, LP yl) { NOT_SUPPORTED; }
CK_RV C_EncryptMessageBegin(H, CK_VOID_PTR p, L pl, B a, L al) { NOT_SUPPORTED; }
CK_RV C_EncryptMessageNext(H, CK_VOID_PTR p, L pl, B x, L xl, B y, LP yl, CK_FLAGS f)
{
    NOT_SUPPORTED;
}
CK_RV C_MessageEncryptFinal(H) { NOT_SUPPORTED; }
CK_RV C_MessageDecryptInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_DecryptMessage(H, CK_VOID_PTR p, L pl, B a, L al, B x, L xl, B y, LP yl) { NOT_SUPPORTED; }
CK_RV C_DecryptMessageBegin(H, CK_VOID_PTR p, L pl, B a, L al) { NOT_SUPPORTED; }
CK_RV C_DecryptMessageNext(H, CK_VOID_PTR p, L pl, B x, L xl, B y, LP yl, CK_FLAGS f)
{
    NOT_SUPPORTED;
}
CK_RV C_MessageDecryptFinal(H) { NOT_SUPPORTED; }
CK_RV C_MessageSignInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_SignMessage(H, CK_VOID_PTR p, L pl, B x, L xl, B y, LP yl) { NOT_SUPPORTED; }
CK_RV C_SignMessageBegin(H, CK_VOID_PTR p, L pl) { NOT_SUPPORTED; }
CK_RV C_SignMessageNext(H, CK_VOID_PTR p, L pl, B x, L xl, B y, LP yl) { NOT_SUPPORTED; }
CK_RV C_MessageSignFinal(H) { NOT_SUPPORTED; }
CK_RV C_MessageVerifyInit(H, M m, O k) { NOT_SUPPORTED; }
CK_RV C_VerifyMessage(H, CK_VOID_PTR p, L pl, B x, L xl, B y, L yl) { NOT_SUPPORTED; }
CK_RV C_VerifyMessageBegin(H, CK_VOID_PTR p, L pl) { NOT_SUPPORTED; }
CK_RV C_VerifyMessageNext(H, CK_VOID_PTR p, L pl, B x, L xl, B y, L yl) { NOT_SUPPORTED; }
CK_RV C_MessageVerifyFinal(H) { NOT_SUPPORTED; }
