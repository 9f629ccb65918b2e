/* The winscard bridge's conversions, natively: the cases a Wine run against an ASCII-named virtual
 * reader never reaches (surrogate pairs, malformed UTF-8, RAW protocol, feature TLVs, buffer rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <PCSC/reader.h>

#include "opgpscard_convert.h"

static void protocols_map_both_ways(void **state)
{
  (void)state;
  assert_int_equal(protocols_to_pcsc(1), SCARD_PROTOCOL_T0);
  assert_int_equal(protocols_to_pcsc(2), SCARD_PROTOCOL_T1);
  assert_int_equal(protocols_to_pcsc(3), SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1);
  assert_int_equal(protocols_to_pcsc(0x10000), SCARD_PROTOCOL_RAW);
  assert_int_equal(protocols_to_pcsc(0x80000000u), SCARD_PROTOCOL_ANY);
  assert_int_equal(protocols_to_pcsc(0), SCARD_PROTOCOL_UNDEFINED);
  assert_int_equal(protocols_to_win(SCARD_PROTOCOL_RAW), 0x10000);
  assert_int_equal(protocols_to_win(SCARD_PROTOCOL_T1), 2);
  assert_int_equal(protocols_to_win(SCARD_PROTOCOL_T0), 1);
  assert_int_equal(protocols_to_win(SCARD_PROTOCOL_T15), 0); /* Windows has no T=15 */
}

static void card_state_becomes_windows_enum(void **state)
{
  (void)state;
  DWORD powered = SCARD_PRESENT | SCARD_POWERED | SCARD_NEGOTIABLE;
  assert_int_equal(card_state_to_win(powered, SCARD_PROTOCOL_T1), 6);        /* SCARD_SPECIFIC */
  assert_int_equal(card_state_to_win(powered, SCARD_PROTOCOL_UNDEFINED), 5); /* SCARD_NEGOTIABLE */
  assert_int_equal(card_state_to_win(SCARD_PRESENT | SCARD_POWERED, 0), 4);
  assert_int_equal(card_state_to_win(SCARD_PRESENT | SCARD_SWALLOWED, 0), 3);
  assert_int_equal(card_state_to_win(SCARD_PRESENT, 0), 2);
  assert_int_equal(card_state_to_win(SCARD_ABSENT, 0), 1);
  assert_int_equal(card_state_to_win(SCARD_UNKNOWN, 0), 0);
  assert_int_equal(card_state_to_win(SCARD_ABSENT, SCARD_PROTOCOL_T1), 1);
}

static void control_codes_map_both_ways(void **state)
{
  (void)state;
  wdword win_feature_request = 0x310000u + 3400u * 4u; /* SCARD_CTL_CODE(3400) on Windows */
  assert_int_equal(control_code_to_pcsc(win_feature_request), CM_IOCTL_GET_FEATURE_REQUEST);
  assert_int_equal(control_code_to_win(CM_IOCTL_GET_FEATURE_REQUEST), win_feature_request);
  assert_int_equal(control_code_to_pcsc(0x310000u + 1u * 4u), SCARD_CTL_CODE(1));
  /* Codes of other device types or with access bits, and codes already in pcsc-lite's form, pass. */
  assert_int_equal(control_code_to_pcsc(0x00220004u), 0x00220004u);
  assert_int_equal(control_code_to_pcsc(0x00314004u), 0x00314004u);
  assert_int_equal(control_code_to_pcsc(SCARD_CTL_CODE(7)), SCARD_CTL_CODE(7));
  assert_int_equal(control_code_to_win(0x12345678u), 0x12345678u);
}

static void feature_tlvs_rewritten_in_place_and_bounded(void **state)
{
  (void)state;
  uint8_t tlv[] = {
      0x06, 4, 0x42, 0x33, 0x00, 0x0D, /* FEATURE_VERIFY_PIN_DIRECT, not a pcsc-lite ioctl range */
      0x12, 4, 0x42, 0x00, 0x00, 0x01, /* FEATURE_CCID_ESC_COMMAND = SCARD_CTL_CODE(1) */
      0x20, 2, 0x42, 0x00,             /* not a 4-byte value: untouched */
      0x13, 4, 0x42, 0x00,             /* overruns the buffer: untouched */
  };
  feature_codes_to_win(tlv, sizeof tlv);
  const uint8_t expect[] = {
      0x06, 4, 0x42, 0x33, 0x00, 0x0D, 0x12, 4, 0x00, 0x31, 0x00, 0x04,
      0x20, 2, 0x42, 0x00, 0x13, 4, 0x42, 0x00,
  };
  assert_memory_equal(tlv, expect, sizeof expect);
}

static void deliver_follows_windows_buffer_rules(void **state)
{
  (void)state;
  const char src[] = "abc";
  char buf[8] = "zzzzzzz";
  wdword n = 0;
  assert_int_equal(deliver(src, 4, 1, NULL, &n), SCARD_S_SUCCESS); /* size query */
  assert_int_equal(n, 4);
  n = 3;
  assert_int_equal(deliver(src, 4, 1, buf, &n), (wlong)SCARD_E_INSUFFICIENT_BUFFER);
  assert_int_equal(n, 4);
  assert_memory_equal(buf, "zzzzzzz", 8); /* nothing written */
  n = sizeof buf;
  assert_int_equal(deliver(src, 4, 1, buf, &n), SCARD_S_SUCCESS);
  assert_int_equal(n, 4);
  assert_string_equal(buf, "abc");

  const wchar16 wide[] = {'a', 0, 0};
  wchar16 *got = NULL;
  n = W_AUTOALLOCATE;
  assert_int_equal(deliver(wide, 3, sizeof *wide, &got, &n), SCARD_S_SUCCESS);
  assert_int_equal(n, 3);
  assert_non_null(got);
  assert_memory_equal(got, wide, sizeof wide);
  free(got);

  n = W_AUTOALLOCATE;
  assert_int_equal(deliver(src, 4, 1, NULL, &n), (wlong)SCARD_E_INVALID_PARAMETER);
  assert_int_equal(deliver(src, 4, 1, buf, NULL), (wlong)SCARD_E_INVALID_PARAMETER);
}

static void utf8_to_utf16_keeps_multistrings_and_pairs(void **state)
{
  (void)state;
  const char multi[] = "R\xC3\xA9" "a\0\xE2\x82\xAC\xF0\x9F\x98\x80\0"; /* "Réa", "€😀", end */
  size_t n = sizeof multi;                                           /* includes the final NUL */
  wchar16 out[16];
  size_t units = utf8_to_utf16(multi, n, NULL);
  assert_int_equal(units, 9);
  assert_int_equal(utf8_to_utf16(multi, n, out), units);
  const wchar16 expect[] = {'R', 0xE9, 'a', 0, 0x20AC, 0xD83D, 0xDE00, 0, 0};
  assert_memory_equal(out, expect, sizeof expect);
}

static void utf8_malformed_becomes_replacement_without_overread(void **state)
{
  (void)state;
  wchar16 out[8];
  /* overlong '/', an encoded surrogate, a stray continuation byte */
  const char bad[] = {(char)0xC0, (char)0xAF, (char)0xED, (char)0xA0, (char)0x80, (char)0x80};
  size_t units = utf8_to_utf16(bad, sizeof bad, out);
  assert_int_equal(units, 3);
  for (size_t i = 0; i < units; i++)
    assert_int_equal(out[i], 0xFFFD);
  /* a sequence cut by the end of the buffer: heap-allocated so ASan sees any read past it */
  char *cut = malloc(2);
  assert_non_null(cut);
  cut[0] = (char)0xE2, cut[1] = (char)0x82;
  units = utf8_to_utf16(cut, 2, out);
  free(cut);
  assert_int_equal(units, 2);
  assert_int_equal(out[0], 0xFFFD);
  assert_int_equal(out[1], 0xFFFD);
}

static void utf16_to_utf8_pairs_and_lone_surrogates(void **state)
{
  (void)state;
  const wchar16 in[] = {'A', 0xE9, 0x20AC, 0xD83D, 0xDE00, 0, 0xD800, 'B', 0};
  char out[32];
  size_t n = utf16_to_utf8(in, sizeof in / sizeof in[0], NULL);
  assert_int_equal(n, 1 + 2 + 3 + 4 + 1 + 3 + 1 + 1);
  assert_int_equal(utf16_to_utf8(in, sizeof in / sizeof in[0], out), n);
  const char expect[] = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\0\xEF\xBF\xBD" "B";
  assert_memory_equal(out, expect, n);
  /* a high surrogate at the very end is not paired with what lies beyond the buffer */
  const wchar16 tail[] = {0xD83D, 0xDE00};
  assert_int_equal(utf16_to_utf8(tail, 1, out), 3);
  assert_memory_equal(out, "\xEF\xBF\xBD", 3);
}

/* The simulated card's ATR (tests/sim) and the generic OpenPGP card entry of inf/cards.txt. */
static const uint8_t sim_atr[] = {0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03, 0x00,
                                  0x31, 0xC5, 0x73, 0xC0, 0x01, 0x40, 0x00, 0x90, 0x00, 0x0C};
static const uint8_t openpgp_atr[] = {0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03, 0x00,
                                      0x31, 0x00, 0x73, 0xC0, 0x01, 0x00, 0x00, 0x90, 0x00, 0x00};
static const uint8_t openpgp_mask[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                       0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0x00};

static void atr_length_from_its_structure(void **state)
{
  (void)state;
  uint8_t buf[36];
  memset(buf, 0xAA, sizeof buf); /* what follows the ATR in a caller's buffer is not part of it */
  memcpy(buf, sim_atr, sizeof sim_atr);
  /* TA1 TC1 TD1, TD2 (T=1: TCK follows), TA3 TB3 TD3, TA4, 10 historical bytes, TCK */
  assert_int_equal(atr_length(buf, sizeof buf), 21);
  /* T=0 only: no TCK. 3B 02 14 50: no interface bytes, two historical bytes. */
  const uint8_t t0[] = {0x3B, 0x02, 0x14, 0x50, 0x99};
  assert_int_equal(atr_length(t0, sizeof t0), 4);
  /* TD1 announcing T=0 then nothing: still no TCK */
  const uint8_t t0_td[] = {0x3B, 0x81, 0x00, 0x42};
  assert_int_equal(atr_length(t0_td, sizeof t0_td), 4);
  /* every cap short of the whole ATR says 0, never reads past it */
  for (size_t cap = 0; cap < sizeof sim_atr; cap++)
    assert_int_equal(atr_length(sim_atr, cap), 0);
  assert_int_equal(atr_length(NULL, 36), 0);
  /* an endless chain of TDi stops at the 33 bytes an ATR may have */
  uint8_t chain[36];
  chain[0] = 0x3B;
  memset(chain + 1, 0x81, sizeof chain - 1);
  assert_int_equal(atr_length(chain, sizeof chain), 0);
  /* 15 historical bytes and a TCK at exactly 33 bytes is fine; one more interface byte is not */
  uint8_t longest[36] = {0x3B, 0xFF, 1, 2, 3, 0xF1, 4, 5, 6, 0xF1, 7, 8, 9, 0x71};
  assert_int_equal(atr_length(longest, sizeof longest), 33); /* 17 + 15 historical + TCK */
  longest[13] = 0xF1; /* TD3 announces a TD4 as well: 34 bytes */
  longest[17] = 0x00;
  assert_int_equal(atr_length(longest, sizeof longest), 0);
}

static void atr_matches_with_and_without_mask(void **state)
{
  (void)state;
  size_t n = sizeof sim_atr;
  assert_true(atr_matches(sim_atr, n, openpgp_atr, n, openpgp_mask, n));
  /* without the mask the serial-dependent bytes differ */
  assert_false(atr_matches(sim_atr, n, openpgp_atr, n, NULL, 0));
  assert_true(atr_matches(sim_atr, n, sim_atr, n, NULL, 0));
  /* a bit the mask keeps */
  uint8_t other[sizeof sim_atr];
  memcpy(other, sim_atr, n);
  other[1] ^= 0x01;
  assert_false(atr_matches(other, n, openpgp_atr, n, openpgp_mask, n));
  /* lengths must agree, the mask must be as long as the ATR */
  assert_false(atr_matches(sim_atr, n - 1, openpgp_atr, n, openpgp_mask, n));
  assert_false(atr_matches(sim_atr, n, openpgp_atr, n, openpgp_mask, n - 1));
  assert_false(atr_matches(sim_atr, 0, openpgp_atr, 0, NULL, 0));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(protocols_map_both_ways),
      cmocka_unit_test(card_state_becomes_windows_enum),
      cmocka_unit_test(control_codes_map_both_ways),
      cmocka_unit_test(feature_tlvs_rewritten_in_place_and_bounded),
      cmocka_unit_test(deliver_follows_windows_buffer_rules),
      cmocka_unit_test(utf8_to_utf16_keeps_multistrings_and_pairs),
      cmocka_unit_test(utf8_malformed_becomes_replacement_without_overread),
      cmocka_unit_test(utf16_to_utf8_pairs_and_lone_surrogates),
      cmocka_unit_test(atr_length_from_its_structure),
      cmocka_unit_test(atr_matches_with_and_without_mask),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
