/* The configuration file parser: bounded, line by line, nothing kept but known keys. */
#include <stdio.h>
#include <string.h>

#include "config.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* One line [p, end): "key = value" with blanks around either. */
static void parse_line(const char *p, const char *end, p11_config *cfg)
{
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    if (p == end || *p == '#' || memchr(p, '\0', (size_t)(end - p)) != NULL)
        return;
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq == NULL)
        return;
    const char *key_end = eq;
    while (key_end > p && is_space(key_end[-1]))
        key_end--;
    const char *v = eq + 1;
    while (v < end && is_space(*v))
        v++;
    size_t key_len = (size_t)(key_end - p), v_len = (size_t)(end - v);
    if (key_len == 8 && memcmp(p, "pinentry", 8) == 0 && v_len < sizeof cfg->pinentry) {
        memcpy(cfg->pinentry, v, v_len);
        cfg->pinentry[v_len] = '\0';
    }
}

void p11_config_parse(const char *text, size_t len, p11_config *cfg)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl != NULL ? nl : end;
        parse_line(p, line_end, cfg);
        p = nl != NULL ? nl + 1 : end;
    }
}

static void load_file(const char *path, p11_config *cfg)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    static char text[P11_CONFIG_MAX_FILE + 1]; /* module lock held: one reader at a time */
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    if (n <= P11_CONFIG_MAX_FILE)
        p11_config_parse(text, n, cfg);
}

void p11_config_load(p11_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    char paths[P11_CONFIG_MAX_PATHS][P11_CONFIG_MAX_PATH];
    size_t n = p11_config_paths(paths);
    for (size_t i = 0; i < n; i++)
        load_file(paths[i], cfg);
}
