/* Unit tests for chat/greet.c: chatd's first line is recognised, anything
 * else is told apart as early as possible and shown escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "chat/greet.h"

static const struct {
    const char *bytes;
    enum greet_verdict want;
} cases[] = {
    {"NOTICE welcome chatd 1.0.0 on h: 1 online.\n", GREET_CHATD},
    {"ERR server_full the server is full\n", GREET_CHATD},
    {"ASK name Choose a name\r\n", GREET_CHATD},
    {"NOTICE wel", GREET_MORE}, /* half of chatd's line: wait */
    {"NOT", GREET_MORE},
    {"", GREET_MORE},
    {"SSH-2.0-OpenSSH_9.6\r\n", GREET_OTHER},
    {"SSH-", GREET_OTHER}, /* no kind starts like that: no need to wait */
    {"HTTP/1.1 400 Bad Request\r\n", GREET_OTHER},
    {"220 mail ESMTP\r\n", GREET_OTHER},
    {"DIAG chatd 1.0.0: every byte you send is echoed back\n", GREET_OTHER},
    {"NOTICEwelcome\n", GREET_OTHER},
    {"\x16\x03\x01", GREET_OTHER},
};

static void first_bytes_are_judged(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(greet_check(cases[i].bytes, strlen(cases[i].bytes)), cases[i].want);
    }
}

static void a_long_first_line_without_lf_is_not_chatd(void **state)
{
    (void)state;
    static char buf[GREET_LINE_MAX];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "NOTICE ", 7);
    assert_int_equal(greet_check(buf, sizeof buf - 1), GREET_MORE);
    assert_int_equal(greet_check(buf, sizeof buf), GREET_OTHER);
}

static void escaping_makes_every_byte_visible_and_inert(void **state)
{
    (void)state;
    char out[128];
    greet_escape("SSH-2.0\r\n\x1b[2J\\\t\xff", 16, 64, out, sizeof out);
    assert_string_equal(out, "SSH-2.0\\r\\n\\x1B[2J\\\\\\t\\xFF");
    greet_escape("abcdefgh", 8, 4, out, sizeof out);
    assert_string_equal(out, "abcd...");
    /* A small buffer cuts between escapes, never inside one. */
    greet_escape("\x01\x02\x03\x04", 4, 64, out, 12);
    assert_string_equal(out, "\\x01\\x02");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_bytes_are_judged),
        cmocka_unit_test(a_long_first_line_without_lf_is_not_chatd),
        cmocka_unit_test(escaping_makes_every_byte_visible_and_inert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
