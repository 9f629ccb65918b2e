/* Structured output for people (aligned "Label ....: value" lines) or scripts (JSON), from one
 * sequence of calls. Each field has a JSON key and a text label; inside an array the key is
 * unused. Strings are written as UTF-8: bytes that are not valid UTF-8 (cardholder names are
 * ISO 8859-1 on some cards) are taken as Latin-1. Control characters never reach a terminal
 * raw, and JSON strings are escaped per RFC 8259. */
#ifndef OPGP_TOOL_OUTPUT_H
#define OPGP_TOOL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#define OUT_MAX_DEPTH 16

typedef struct out {
    FILE *f;
    bool json;
    int depth;
    bool need_comma[OUT_MAX_DEPTH];
    bool is_array[OUT_MAX_DEPTH];
    bool labelled[OUT_MAX_DEPTH]; /* text: the level printed a heading and indents */
    int indent;
} out;

void out_init(out *o, FILE *f, bool json);
/* Close what is still open (JSON) and end the output with a newline. */
void out_finish(out *o);

/* Nested object / array. The text form prints label as a heading (when not NULL) and indents
 * what follows. */
void out_begin_object(out *o, const char *key, const char *label);
void out_end_object(out *o);
void out_begin_array(out *o, const char *key, const char *label);
void out_end_array(out *o);

/* Fields. value NULL: JSON null, text "[none]". */
void out_str(out *o, const char *key, const char *label, const char *value);
void out_strf(out *o, const char *key, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void out_int(out *o, const char *key, const char *label, long long value);
/* JSON true/false; text the given word. */
void out_bool(out *o, const char *key, const char *label, bool value, const char *text_true,
              const char *text_false);
/* JSON null; text shows text. */
void out_null(out *o, const char *key, const char *label, const char *text);

/* Write s as a JSON string literal (quotes included). Exposed for tests. */
void out_json_string(FILE *f, const char *s);

/* Text helpers for other files. */
/* "YYYY-MM-DD HH:MM:SS" (UTC) of a Unix time; buf needs 20 bytes. */
char *out_format_time(unsigned long long t, char *buf, size_t cap);
/* Uppercase hex of len bytes; groups of 4 hex digits separated by a space and a double space
 * in the middle when gnupg_style (fingerprints as GnuPG shows them). */
char *out_format_hex(const unsigned char *b, size_t len, bool gnupg_style, char *buf,
                     size_t cap);

#endif
