/* Configuration files on Windows: %ProgramData%\opgp\opgp-pkcs11.conf, then
 * %APPDATA%\opgp\opgp-pkcs11.conf; %OPGP_PKCS11_CONF% replaces both. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static bool put(char *dst, const char *a, const char *b)
{
    int n = snprintf(dst, P11_CONFIG_MAX_PATH, "%s%s", a, b);
    return n > 0 && n < P11_CONFIG_MAX_PATH;
}

size_t p11_config_paths(char paths[P11_CONFIG_MAX_PATHS][P11_CONFIG_MAX_PATH])
{
    const char *env = getenv("OPGP_PKCS11_CONF");
    if (env != NULL)
        return put(paths[0], env, "") ? 1 : 0;
    size_t n = 0;
    const char *system = getenv("ProgramData"), *user = getenv("APPDATA");
    if (system != NULL && put(paths[n], system, "\\opgp\\opgp-pkcs11.conf"))
        n++;
    if (user != NULL && put(paths[n], user, "\\opgp\\opgp-pkcs11.conf"))
        n++;
    return n;
}
