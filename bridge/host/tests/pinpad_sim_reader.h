/* The reader layer of bridge/host (host_reader.h) replaced for in-process tests: one simulated
 * RSA card behind a pinpad reader (PC/SC part 10 emulated by tests/sim), handed to the static
 * minidriver through its transport hook. A program linking this defines no reader layer. */
#ifndef PINPAD_SIM_READER_H
#define PINPAD_SIM_READER_H

#include <stdint.h>

#include "opgp/host_token.h"
#include "opgp_sim.h"

/* The card in the reader (NULL: none). */
extern opgp_sim *pinpad_sim;

/* A new card provisioned with rsa2048 (serial number serial) in the reader named reader (the
 * only name opgp_host_reader_connect accepts), its pinpad "typing" pinpad_pin (NULL: a reader
 * without a pinpad; "": Cancel); asserts success. */
opgp_sim *pinpad_sim_insert(const char *reader, uint32_t serial, const char *pinpad_pin);
/* The card out of the reader and freed. */
void pinpad_sim_remove(void);
/* A card inserted as pinpad_sim_insert("sim", serial, pinpad_pin) and its token opened;
 * asserts success. pinpad_sim_token_close closes it and removes the card. */
opgp_token *pinpad_sim_token_open(uint32_t serial, const char *pinpad_pin);
void pinpad_sim_token_close(opgp_token *t);
/* The card's counters (pinpad entries, VERIFYs, signatures). */
opgp_sim_stats pinpad_sim_stats(void);

#endif
