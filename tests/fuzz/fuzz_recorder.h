/* Seeds for the card-driven fuzz targets from the in-process simulator: a transport that
 * passes every command to a provisioned simulated card and records its answers as a response
 * stream (the input format of fuzz_transport.h), so that replaying the stream walks the same
 * path as the real exchange. */
#ifndef FUZZ_RECORDER_H
#define FUZZ_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "opgp_sim.h"

typedef struct fuzz_recorder {
    opgp_sim *sim;
    uint8_t *buf; /* the stream so far */
    size_t len, cap;
} fuzz_recorder;

/* A simulator provisioned with alg (opgp_sim_provision) and an empty stream; 0 on success. */
int fuzz_recorder_start(fuzz_recorder *r, const char *alg);
/* A minidriver transport provider (opgp/minidriver_test.h) recording into arg's stream. */
opgp_transport *fuzz_recorder_provide(void *arg, uintptr_t hscard);
/* The stream written to path; 0 on success. */
int fuzz_recorder_save(const fuzz_recorder *r, const char *path);
void fuzz_recorder_stop(fuzz_recorder *r);

#endif
