/* The reader layer of bridge/host (host_token.h's reader list, host_reader.h's connection)
 * replaced for the PKCS#11 fuzz targets, which link the module's sources with bridge/host and
 * the static minidriver: FUZZ_P11_READERS readers, "Fuzz reader 0N 00", each card whatever
 * transport the target hands out through the minidriver's transport hook (the fuzz-input card
 * or the simulator). */
#ifndef FUZZ_P11_READER_H
#define FUZZ_P11_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "opgp/minidriver_test.h"

#define FUZZ_P11_READERS 2

/* A card in reader n: every context the minidriver acquires on it gets a transport from
 * provide(arg, ...). NULL empties the reader. */
void fuzz_p11_reader_insert(unsigned n, opgpmd_transport_provider provide, void *arg);

#endif
