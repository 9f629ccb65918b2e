/* The configuration parser: key = value lines, blanks, comments, CRLF, malformed and oversized
 * lines, NUL bytes, no final newline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

static p11_config parse(const char *text, size_t len)
{
    p11_config c;
    memset(&c, 0, sizeof c);
    p11_config_parse(text, len, &c);
    return c;
}
#define PARSE(s) parse((s), sizeof(s) - 1)

static void plain_and_blanks(void **state)
{
    (void)state;
    assert_string_equal(PARSE("pinentry=/usr/bin/pinentry-curses").pinentry,
                        "/usr/bin/pinentry-curses");
    assert_string_equal(PARSE("# comment\n\t pinentry  =  /a b/c  \r\n").pinentry, "/a b/c");
    assert_string_equal(PARSE("other = 1\npinentry = /x\npinentry = /y\n").pinentry, "/y");
    assert_string_equal(PARSE("pinentry = /x\npinentry =\n").pinentry, ""); /* switched off */
}

static void malformed_lines_are_skipped(void **state)
{
    (void)state;
    assert_string_equal(PARSE("pinentry /x\n").pinentry, "");
    assert_string_equal(PARSE("#pinentry = /x\n").pinentry, "");
    assert_string_equal(PARSE("pinentryx = /x\npin = /y\n").pinentry, "");
    assert_string_equal(PARSE("pinentry = /a\0b\n").pinentry, "");
    assert_string_equal(PARSE("pinentry = /ok\npinentry = /a\0b\n").pinentry, "/ok");
    assert_string_equal(PARSE("").pinentry, "");
}

static void value_bounds(void **state)
{
    (void)state;
    static char text[P11_CONFIG_MAX_VALUE + 32];
    size_t n = (size_t)snprintf(text, sizeof text, "pinentry = ");
    memset(text + n, 'a', P11_CONFIG_MAX_VALUE - 1);
    n += P11_CONFIG_MAX_VALUE - 1;
    p11_config c = parse(text, n); /* the longest value that fits, no newline at the end */
    assert_int_equal(strlen(c.pinentry), P11_CONFIG_MAX_VALUE - 1);
    text[n++] = 'a';
    c = parse(text, n);
    assert_string_equal(c.pinentry, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_and_blanks),
        cmocka_unit_test(malformed_lines_are_skipped),
        cmocka_unit_test(value_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
