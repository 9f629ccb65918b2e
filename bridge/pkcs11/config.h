/* The module's configuration file: "key = value" lines, '#' comments. Only what the module
 * needs is understood (unknown keys are ignored so that newer files work with older modules).
 * Files: $OPGP_PKCS11_CONF alone when set (tests); otherwise the system file, then the user's,
 * whose settings win (see config_unix.c / config_win32.c). */
#ifndef OPGP_P11_CONFIG_H
#define OPGP_P11_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define P11_CONFIG_MAX_FILE 16384   /* bigger files are not read at all */
#define P11_CONFIG_MAX_VALUE 1024

typedef struct p11_config {
    /* The pinentry program asked for a per-signature PIN no context-specific login gave;
     * empty: none (C_Sign fails with CKR_USER_NOT_LOGGED_IN). */
    char pinentry[P11_CONFIG_MAX_VALUE];
} p11_config;

/* Apply the settings of one file's text to cfg. Lines that are malformed, too long or hold
 * a NUL byte are skipped; a later line of the same key wins. */
void p11_config_parse(const char *text, size_t len, p11_config *cfg);
/* Read the configuration files (missing ones are fine). */
void p11_config_load(p11_config *cfg);

/* ---- config_unix.c / config_win32.c: where the files are ------------------------------- */
#define P11_CONFIG_MAX_PATHS 2
#define P11_CONFIG_MAX_PATH 1024
/* The files to read, in order (later ones win); returns how many. */
size_t p11_config_paths(char paths[P11_CONFIG_MAX_PATHS][P11_CONFIG_MAX_PATH]);

#endif
