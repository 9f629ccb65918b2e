/* Configuration files on Unix: /etc/opgp/opgp-pkcs11.conf, then
 * ${XDG_CONFIG_HOME:-$HOME/.config}/opgp/opgp-pkcs11.conf; $OPGP_PKCS11_CONF replaces both. */
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
    if (put(paths[n], "/etc/opgp/opgp-pkcs11.conf", ""))
        n++;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg != NULL && xdg[0] == '/') {
        if (put(paths[n], xdg, "/opgp/opgp-pkcs11.conf"))
            n++;
    } else if (home != NULL && home[0] == '/') {
        if (put(paths[n], home, "/.config/opgp/opgp-pkcs11.conf"))
            n++;
    }
    return n;
}
