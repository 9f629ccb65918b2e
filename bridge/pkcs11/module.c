/* Module life: C_Initialize / C_Finalize / C_GetInfo, the 2.40 function list and the 3.0
 * interfaces. Fork safety: state belongs to the process that initialised it; a child sees
 * CKR_CRYPTOKI_NOT_INITIALIZED until it calls C_Initialize itself. */
#include <string.h>

#include "functions.h"
#include "opgp/host_cache.h"
#include "p11.h"

bool p11_initialized;
static unsigned long init_pid;
/* PC/SC contexts of threads blocked in C_WaitForSlotEvent: C_Finalize cancels them. */
static opgp_tok_readers *waiters[8];

void p11_lock(void);
void p11_unlock(void);


CK_RV p11_enter(void)
{
    p11_lock();
    if (!p11_initialized || init_pid != p11_pid()) {
        if (p11_initialized) {
            /* A forked child: the parent's PC/SC handles are not ours to close. */
            p11_initialized = false;
            memset(p11_slots, 0, sizeof(p11_slot) * P11_MAX_SLOTS);
            p11_sessions_reset();
            memset(waiters, 0, sizeof waiters);
        }
        p11_unlock();
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    return CKR_OK;
}

void p11_leave(void) { p11_unlock(); }

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
    if (pInitArgs != NULL) {
        const CK_C_INITIALIZE_ARGS *a = pInitArgs;
        if (a->pReserved != NULL)
            return CKR_ARGUMENTS_BAD;
        bool any = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
        bool all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
        if (any && !all)
            return CKR_ARGUMENTS_BAD;
        /* Our own OS locks are used; an application that insists on its mutex functions
         * (supplied without CKF_OS_LOCKING_OK) cannot be served. */
        if (all && !(a->flags & CKF_OS_LOCKING_OK))
            return CKR_CANT_LOCK;
    }
    if (p11_enter() == CKR_OK) {
        p11_leave();
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    }
    p11_lock();
    memset(p11_slots, 0, sizeof(p11_slot) * P11_MAX_SLOTS);
    p11_sessions_reset();
    init_pid = p11_pid();
    p11_initialized = true;
    memset(waiters, 0, sizeof waiters);
    p11_unlock();
    return CKR_OK;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
    if (pReserved != NULL)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_sessions_reset();
    p11_slots_close_all();
    /* The card caches outlive their tokens for the next C_OpenSession; not the module's life
     * (valgrind: a dlclose after C_Finalize lost them). */
    opgp_host_cache_purge();
    p11_initialized = false;
    /* Waiting threads wake up, see the module finalised and release their own contexts. */
    for (size_t i = 0; i < sizeof waiters / sizeof waiters[0]; i++) {
        if (waiters[i] != NULL)
            opgp_tok_readers_cancel(waiters[i]);
        waiters[i] = NULL;
    }
    p11_leave();
    return CKR_OK;
}

bool p11_event_register(opgp_tok_readers *r)
{
    for (size_t i = 0; i < sizeof waiters / sizeof waiters[0]; i++) {
        if (waiters[i] == NULL) {
            waiters[i] = r;
            return true;
        }
    }
    return false;
}

void p11_event_unregister(opgp_tok_readers *r)
{
    for (size_t i = 0; i < sizeof waiters / sizeof waiters[0]; i++)
        if (waiters[i] == r)
            waiters[i] = NULL;
}

static void pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    memset(dst, ' ', n);
    size_t l = strlen(src);
    memcpy(dst, src, l < n ? l : n);
}

static CK_RV get_info(CK_INFO_PTR pInfo, CK_BYTE major, CK_BYTE minor)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return rv;
    p11_leave();
    if (pInfo == NULL)
        return CKR_ARGUMENTS_BAD;
    memset(pInfo, 0, sizeof *pInfo);
    pInfo->cryptokiVersion.major = major;
    pInfo->cryptokiVersion.minor = minor;
    pad(pInfo->manufacturerID, sizeof pInfo->manufacturerID, "opgp");
    pad(pInfo->libraryDescription, sizeof pInfo->libraryDescription,
        "opgp OpenPGP card PKCS#11");
    pInfo->libraryVersion.major = 0;
    pInfo->libraryVersion.minor = 1;
    return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo) { return get_info(pInfo, 2, 40); }
static CK_RV get_info_30(CK_INFO_PTR pInfo) { return get_info(pInfo, 3, 0); }

#define P11_ENTRY(name) .name = name,

static CK_FUNCTION_LIST list_240 = {
    .version = { 2, 40 },
    P11_FUNCTIONS_240(P11_ENTRY)
};

static CK_FUNCTION_LIST_3_0 list_30 = {
    .version = { 3, 0 },
    P11_FUNCTIONS_240(P11_ENTRY)
    P11_FUNCTIONS_30(P11_ENTRY)
};

static CK_INTERFACE interfaces[] = {
    { (CK_UTF8CHAR *)"PKCS 11", &list_30, CKF_INTERFACE_FORK_SAFE },
    { (CK_UTF8CHAR *)"PKCS 11", &list_240, CKF_INTERFACE_FORK_SAFE },
};
#define N_INTERFACES (sizeof interfaces / sizeof interfaces[0])

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
    if (ppFunctionList == NULL)
        return CKR_ARGUMENTS_BAD;
    list_30.C_GetInfo = get_info_30;
    *ppFunctionList = &list_240;
    return CKR_OK;
}

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
    if (pulCount == NULL)
        return CKR_ARGUMENTS_BAD;
    list_30.C_GetInfo = get_info_30;
    if (pInterfacesList == NULL) {
        *pulCount = N_INTERFACES;
        return CKR_OK;
    }
    if (*pulCount < N_INTERFACES) {
        *pulCount = N_INTERFACES;
        return CKR_BUFFER_TOO_SMALL;
    }
    memcpy(pInterfacesList, interfaces, sizeof interfaces);
    *pulCount = N_INTERFACES;
    return CKR_OK;
}

CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                     CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
    if (ppInterface == NULL)
        return CKR_ARGUMENTS_BAD;
    list_30.C_GetInfo = get_info_30;
    for (size_t i = 0; i < N_INTERFACES; i++) {
        const CK_VERSION *v = interfaces[i].pFunctionList;
        if (pInterfaceName != NULL && strcmp((const char *)pInterfaceName, "PKCS 11") != 0)
            continue;
        if (pVersion != NULL && (pVersion->major != v->major || pVersion->minor != v->minor))
            continue;
        if ((interfaces[i].flags & flags) != flags)
            continue;
        *ppInterface = &interfaces[i];
        return CKR_OK;
    }
    return CKR_ARGUMENTS_BAD;
}
