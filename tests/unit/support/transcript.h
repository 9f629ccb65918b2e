/* Replay of recorded card exchanges (the .txt files of /work/shared/transcripts) as a transport.
 * File format: "# ..." comments, "> HEX" a command, "< HEX" its response (SW1 SW2 last).
 * strict: each command must equal the next recorded one. lookup: any recorded command with the
 * same bytes is answered, the earliest not yet used first (so repeated commands get their
 * recorded answers in order), the last match again once all are used.
 * A command that cannot be answered fails with OPGP_E_TRANSPORT; opgp_transcript_error says why. */
#ifndef OPGP_TEST_TRANSCRIPT_H
#define OPGP_TEST_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/transport.h"

typedef struct opgp_transcript opgp_transcript;

typedef struct opgp_transcript_entry {
    const uint8_t *cmd;
    size_t cmd_len;
    const uint8_t *resp;  /* as recorded: data then SW1 SW2 (length not checked here) */
    size_t resp_len;
} opgp_transcript_entry;

/* NULL when the file cannot be read or is malformed (the reason goes to stderr). */
opgp_transcript *opgp_transcript_load(const char *path, bool strict);
/* The same from text in memory (for tests of the parser). */
opgp_transcript *opgp_transcript_parse(const char *text, size_t len, bool strict);
/* The transport answering from t; owned by t (closing it does nothing). */
opgp_transport *opgp_transcript_transport(opgp_transcript *t);
/* strict: every exchange replayed; lookup: every recorded exchange used at least once. */
bool opgp_transcript_done(opgp_transcript *t);
void opgp_transcript_free(opgp_transcript *t);

size_t opgp_transcript_count(const opgp_transcript *t);
/* NULL past the end. */
const opgp_transcript_entry *opgp_transcript_entry_at(const opgp_transcript *t, size_t i);
/* The last replay failure ("" when none). */
const char *opgp_transcript_error(const opgp_transcript *t);

#endif
