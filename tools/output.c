/* Text and JSON output. The text layout follows gpg --card-status (dotted labels) so that
 * people used to it find things where they expect them. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define LABEL_WIDTH 20

void out_init(out *o, FILE *f, bool json)
{
    memset(o, 0, sizeof *o);
    o->f = f;
    o->json = json;
    if (json) {
        fputc('{', f);
        o->depth = 1;
        o->is_array[0] = false;
    }
}

void out_finish(out *o)
{
    if (o->json) {
        while (o->depth > 0) {
            o->depth--;
            fputc(o->is_array[o->depth] ? ']' : '}', o->f);
        }
        fputc('\n', o->f);
    }
    fflush(o->f);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when s does not start one. Overlong forms,
 * surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Walk s as UTF-8 with the Latin-1 fallback, calling emit for each code point's bytes. */
static void put_utf8_latin1(FILE *f, unsigned char c)
{
    fputc(0xC0 | (c >> 6), f);
    fputc(0x80 | (c & 0x3F), f);
}

void out_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            s++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            s++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            s++;
        } else {
            size_t n = utf8_seq_len(s);
            if (n == 0) {
                put_utf8_latin1(f, (unsigned char)c);
                s++;
            } else {
                fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
    fputc('"', f);
}

/* Text form: control characters as '?', the rest as UTF-8 with the Latin-1 fallback. */
static void text_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        if (*s < 0x20 || *s == 0x7F) {
            fputc('?', f);
            s++;
        } else if (*s < 0x80) {
            fputc(*s++, f);
        } else {
            size_t n = utf8_seq_len(s);
            if (n == 0) {
                put_utf8_latin1(f, *s++);
            } else {
                /* C1 controls (U+0080-U+009F) could drive a terminal too. */
                if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)
                    fputc('?', f);
                else
                    fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
}

static int text_indent(const out *o)
{
    return o->indent * 2;
}

/* JSON: the comma and key before a value. Text: the indented, dotted label. */
static void field_start(out *o, const char *key, const char *label)
{
    if (o->json) {
        int d = o->depth - 1;
        if (d >= 0) {
            if (o->need_comma[d])
                fputc(',', o->f);
            o->need_comma[d] = true;
            if (!o->is_array[d] && key) {
                out_json_string(o->f, key);
                fputc(':', o->f);
            }
        }
        return;
    }
    int indent = text_indent(o);
    fprintf(o->f, "%*s", indent, "");
    const char *l = label ? label : key ? key : "";
    text_string(o->f, l);
    int len = (int)strlen(l);
    int width = LABEL_WIDTH - indent;
    if (len < width) {
        fputc(' ', o->f);
        for (int i = len + 1; i < width; i++)
            fputc('.', o->f);
    }
    fputs(": ", o->f);
}

static void push(out *o, bool array, bool labelled)
{
    if (o->depth < OUT_MAX_DEPTH) {
        o->is_array[o->depth] = array;
        o->need_comma[o->depth] = false;
        o->labelled[o->depth] = labelled;
    }
    o->depth++;
    if (labelled)
        o->indent++;
}

static void begin(out *o, const char *key, const char *label, bool array)
{
    if (o->json) {
        field_start(o, key, label);
        fputc(array ? '[' : '{', o->f);
    } else if (label) {
        fprintf(o->f, "%*s", text_indent(o), "");
        text_string(o->f, label);
        fputs(":\n", o->f);
    }
    push(o, array, !o->json && label);
}

static void end(out *o)
{
    if (o->depth <= (o->json ? 1 : 0))
        return;
    o->depth--;
    if (o->depth < OUT_MAX_DEPTH && o->labelled[o->depth])
        o->indent--;
    if (o->json)
        fputc(o->depth < OUT_MAX_DEPTH && o->is_array[o->depth] ? ']' : '}', o->f);
}

void out_begin_object(out *o, const char *key, const char *label) { begin(o, key, label, false); }
void out_end_object(out *o) { end(o); }
void out_begin_array(out *o, const char *key, const char *label) { begin(o, key, label, true); }
void out_end_array(out *o) { end(o); }

void out_str(out *o, const char *key, const char *label, const char *value)
{
    field_start(o, key, label);
    if (o->json) {
        if (value)
            out_json_string(o->f, value);
        else
            fputs("null", o->f);
    } else {
        text_string(o->f, value ? value : "[none]");
        fputc('\n', o->f);
    }
}

void out_strf(out *o, const char *key, const char *label, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out_str(o, key, label, buf);
}

void out_int(out *o, const char *key, const char *label, long long value)
{
    field_start(o, key, label);
    fprintf(o->f, o->json ? "%lld" : "%lld\n", value);
}

void out_bool(out *o, const char *key, const char *label, bool value, const char *text_true,
              const char *text_false)
{
    field_start(o, key, label);
    if (o->json)
        fputs(value ? "true" : "false", o->f);
    else
        fprintf(o->f, "%s\n", value ? text_true : text_false);
}

void out_null(out *o, const char *key, const char *label, const char *text)
{
    field_start(o, key, label);
    if (o->json)
        fputs("null", o->f);
    else
        fprintf(o->f, "%s\n", text);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): no gmtime_r/gmtime_s
 * difference between the platforms, and no dependence on the local time zone. */
char *out_format_time(unsigned long long t, char *buf, size_t cap)
{
    long long days = (long long)(t / 86400), secs = (long long)(t % 86400);
    long long z = days + 719468;
    long long era = z / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    snprintf(buf, cap, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", y, m, d, secs / 3600,
             secs / 60 % 60, secs % 60);
    return buf;
}

char *out_format_hex(const unsigned char *b, size_t len, bool gnupg_style, char *buf, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t pos = 0;
    if (cap == 0)
        return buf;
    for (size_t i = 0; i < len; i++) {
        if (gnupg_style && i > 0 && i % 2 == 0) {
            size_t spaces = (i == len / 2) ? 2 : 1;
            for (size_t s = 0; s < spaces && pos + 1 < cap; s++)
                buf[pos++] = ' ';
        }
        if (pos + 2 >= cap)
            break;
        buf[pos++] = hex[b[i] >> 4];
        buf[pos++] = hex[b[i] & 15];
    }
    buf[pos] = '\0';
    return buf;
}
