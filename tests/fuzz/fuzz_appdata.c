/* libFuzzer target: every decoder of appdata.h on the same arbitrary bytes: application related
 * data 6E, cardholder 65, algorithm information FA, KDF-DO F9, PW status C4, AID, historical
 * bytes, algorithm attributes. Properties beyond "no crash": decoded strings are terminated,
 * counts stay in their arrays, attributes re-encode to what decodes equal. */
#include <stdint.h>
#include <string.h>

#include "fuzz_transport.h"
#include "opgp/appdata.h"
#include "opgp/card.h"

static void check_attr(const opgp_algo_attr *a)
{
    char desc[64], tiny[5];
    opgp_algo_attr_describe(a, desc, sizeof desc);
    FUZZ_ASSERT(memchr(desc, 0, sizeof desc) != NULL, "description terminated");
    opgp_algo_attr_describe(a, tiny, sizeof tiny);
    FUZZ_ASSERT(memchr(tiny, 0, sizeof tiny) != NULL, "short description terminated");
    (void)opgp_algo_attr_key_bytes(a);
    if (a->algo == OPGP_ALGO_NONE)
        return;
    FUZZ_ASSERT(a->oid_len <= OPGP_MAX_OID, "OID fits");
    uint8_t enc[2 + OPGP_MAX_OID];
    size_t enc_len = sizeof enc;
    FUZZ_ASSERT(opgp_algo_attr_encode(a, enc, &enc_len) == OPGP_OK, "decoded attributes encode");
    opgp_algo_attr back;
    FUZZ_ASSERT(opgp_algo_attr_decode(enc, enc_len, &back) == OPGP_OK, "re-encoded decodes");
    FUZZ_ASSERT(opgp_algo_attr_equal(a, &back) && back.curve == a->curve, "round trip equal");
}

static void check_kdf(const opgp_kdf *k)
{
    FUZZ_ASSERT(k->salt_pw1_len <= OPGP_KDF_MAX_SALT && k->salt_rc_len <= OPGP_KDF_MAX_SALT &&
                    k->salt_pw3_len <= OPGP_KDF_MAX_SALT,
                "salts fit");
    FUZZ_ASSERT(k->initial_pw1_len <= OPGP_KDF_MAX_HASH && k->initial_pw3_len <= OPGP_KDF_MAX_HASH,
                "initial PIN hashes fit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    opgp_appdata ad;
    if (opgp_appdata_decode(data, size, &ad) == OPGP_OK) {
        FUZZ_ASSERT(ad.historical.len <= sizeof ad.historical.raw, "historical bytes fit");
        for (int s = 0; s < OPGP_KEY_SLOT_COUNT; s++) {
            check_attr(&ad.attr[s]);
            (void)opgp_appdata_key_present(&ad, (opgp_key_slot)s);
        }
        check_kdf(&ad.kdf);
        FUZZ_ASSERT(opgp_manufacturer_name(ad.aid.manufacturer) != NULL, "manufacturer name");
    }

    opgp_cardholder ch;
    if (opgp_cardholder_decode(data, size, &ch) == OPGP_OK) {
        FUZZ_ASSERT(memchr(ch.name, 0, sizeof ch.name) && memchr(ch.language, 0, sizeof ch.language),
                    "cardholder strings terminated");
    }

    /* opgp_algo_info is large (64 entries): static keeps it off the fuzzer's stack. */
    static opgp_algo_info info;
    if (opgp_algo_info_decode(data, size, &info) == OPGP_OK) {
        FUZZ_ASSERT(info.count <= OPGP_MAX_ALGO_INFO, "algorithm list fits");
        for (size_t i = 0; i < info.count; i++) {
            FUZZ_ASSERT((unsigned)info.entry[i].slot < OPGP_KEY_SLOT_COUNT, "slot of an entry");
            check_attr(&info.entry[i].attr);
        }
    }

    opgp_kdf kdf;
    if (opgp_kdf_decode(data, size, &kdf) == OPGP_OK)
        check_kdf(&kdf);

    opgp_pw_status pw;
    (void)opgp_pw_status_decode(data, size, &pw);
    opgp_aid aid;
    (void)opgp_aid_decode(data, size, &aid);
    opgp_historical h;
    if (opgp_historical_decode(data, size, &h) == OPGP_OK)
        FUZZ_ASSERT(h.len <= sizeof h.raw, "historical bytes fit");

    opgp_algo_attr a;
    if (opgp_algo_attr_decode(data, size, &a) == OPGP_OK)
        check_attr(&a);
    /* The attributes of a C1 TLV too, as 6E carries them. */
    if (size > 2 && opgp_algo_attr_decode(data + 2, size - 2, &a) == OPGP_OK)
        check_attr(&a);
    return 0;
}
