/* Whether a new context may find our application still selected: the Base CSP opens a context
 * per operation and per process, and each one used to SELECT again although the previous one,
 * moments ago, had left the card exactly so. The hint is the ATR of the card this process last
 * opened; when the new card shows the same ATR, CardAcquireContext reads 6E without SELECT,
 * which proves the selection itself (6E carries the AID). A wrong hint (the card was reset, or a
 * second card of the same model) costs one refused GET DATA, never a wrong answer. Atomics, as
 * the CSP may open contexts from several threads. */
#include <stdatomic.h>

#include "md.h"

static atomic_uint_least32_t last_atr;

static uint32_t atr_key(const uint8_t *atr, size_t len)
{
    /* A tag, not a digest: ATRs differ by model, and a collision costs one APDU. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ atr[i]) * 16777619u;
    return h | 1u; /* 0 means no card opened yet */
}

bool md_selection_likely(const uint8_t *atr, size_t len)
{
    return atomic_load(&last_atr) == atr_key(atr, len);
}

void md_selection_opened(const uint8_t *atr, size_t len)
{
    atomic_store(&last_atr, atr_key(atr, len));
}
