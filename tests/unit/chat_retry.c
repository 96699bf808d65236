/* Unit tests for chat/retry.c: reconnect delays double up to the cap with
 * bounded jitter, and names to take back stay valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "chat/retry.h"
#include "common/limits.h"
#include "common/proto.h"

static void delays_double_up_to_the_cap_with_ten_percent_jitter(void **state)
{
    (void)state;
    static const long long base[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (unsigned n = 0; n < sizeof base / sizeof base[0]; n++) {
        long long lo = retry_delay_ms(n, 0.0), mid = retry_delay_ms(n, 0.5),
                  hi = retry_delay_ms(n, 0.999);
        print_message("attempt %u: %lld %lld %lld\n", n, lo, mid, hi);
        assert_int_equal(mid, base[n]);
        assert_true(lo >= base[n] * 9 / 10 && lo < base[n]);
        assert_true(hi <= CHAT_RECONNECT_MAX_SEC * 1000LL);
        if (base[n] < CHAT_RECONNECT_MAX_SEC * 1000LL)
            assert_true(hi > base[n]);
    }
    assert_int_equal(retry_delay_ms(1000, 0.5), CHAT_RECONNECT_MAX_SEC * 1000LL);
}

static void names_to_take_back_are_the_name_then_numbered_and_valid(void **state)
{
    (void)state;
    char out[PROTO_NAME_MAX + 1];
    retry_name("ana", 0, out, sizeof out);
    assert_string_equal(out, "ana");
    retry_name("ana", 1, out, sizeof out);
    assert_string_equal(out, "ana2");
    retry_name("abcdefghijklmnop", 1, out, sizeof out); /* 16: cut to fit */
    assert_string_equal(out, "abcdefghijklmno2");
    retry_name("abcdefghijklmnop", 9, out, sizeof out);
    assert_string_equal(out, "abcdefghijklmn10");
    for (unsigned k = 0; k < RETRY_NAMES; k++) {
        retry_name("Zoe_x", k, out, sizeof out);
        assert_true(proto_name_valid(out, strlen(out)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delays_double_up_to_the_cap_with_ten_percent_jitter),
        cmocka_unit_test(names_to_take_back_are_the_name_then_numbered_and_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
