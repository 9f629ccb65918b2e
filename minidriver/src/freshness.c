/* Process-wide write generations: how a write through one context (certificate, key, the CSP's
 * own cardcf) reaches every other context of this process and cardcf.
 *
 * An OpenPGP card has no spare counter to bump (private DOs 0101-0104 belong to the user), so
 * the card cannot tell us that a certificate changed. Within the process we can: each write
 * bumps a generation kept per card, cardcf's files counter moves with it (md_cardcf_build),
 * and a context that sees the generation moved since its last call forgets what it keeps in
 * memory (certificates, cardholder name) and reads 6E again. Cards are spread over buckets by
 * their AID; two cards sharing a bucket only cost each other a spurious refresh. Atomics, as
 * the CSP may drive contexts from several threads. */
#include <stdatomic.h>

#include "md.h"

#define GENERATION_BUCKETS 64

static atomic_uint_least32_t generations[GENERATION_BUCKETS];
/* Every write to any card: lets a context being opened notice a write that raced its 6E read
 * before it knew which card (AID) it was looking at. */
static atomic_uint_least32_t writes_total;

static atomic_uint_least32_t *bucket(const uint8_t aid[OPGP_AID_LEN])
{
    /* Bucket choice only (not a digest): the serial number sits in bytes 10-13. */
    uint32_t h = 0;
    for (int i = 0; i < OPGP_AID_LEN; i++)
        h = h * 31u + aid[i];
    return &generations[h % GENERATION_BUCKETS];
}

uint32_t md_write_generation(const uint8_t aid[OPGP_AID_LEN])
{
    return (uint32_t)atomic_load(bucket(aid));
}

uint32_t md_writes_total(void)
{
    return (uint32_t)atomic_load(&writes_total);
}

static const uint8_t *aid_of(const md_state *st)
{
    return opgp_card_appdata(st->card)->aid.raw;
}

void md_generation_start(md_state *st, uint32_t writes_before_open)
{
    st->seen_generation = md_write_generation(aid_of(st));
    /* A write during our open may predate our read of 6E or not: look again on the first
     * call rather than trust it. */
    if (md_writes_total() != writes_before_open)
        st->seen_generation--;
}

void md_generation_wrote(md_state *st)
{
    atomic_fetch_add(&writes_total, 1);
    uint32_t before = (uint32_t)atomic_fetch_add(bucket(aid_of(st)), 1);
    /* The writer knows what it wrote. When someone else wrote since its last look, it stays
     * behind and catches up on its next call like any other context. */
    if (before == st->seen_generation)
        st->seen_generation = before + 1;
}

void md_generation_follow(md_state *st)
{
    uint32_t now = md_write_generation(aid_of(st));
    if (now == st->seen_generation)
        return;
    md_cert_forget(st);
    st->holder_known = false;
    opgp_status s = opgp_card_refresh_appdata(st->card, NULL);
    if (s == OPGP_E_CARD_RESET) {
        md_after_reset(st);
        s = opgp_card_refresh_appdata(st->card, NULL);
    }
    /* On failure the next call tries again; the call itself reports what the card says. */
    if (s == OPGP_OK)
        st->seen_generation = now;
}
