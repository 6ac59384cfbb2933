/* fuzz_common.h - what the libFuzzer harnesses in fuzz/ share.
 *
 * Each harness is one fuzz_<target>.c defining LLVMFuzzerTestOneInput();
 * libFuzzer provides main().  A harness checks what must hold for any
 * input with FUZZ_CHECK(), which aborts (libFuzzer reports a crash and
 * keeps the input), so a broken invariant is found like a memory error.
 *
 * Ownership: fuzz_mem_input() returns an lg_input freed with
 * lg_input_free(); the bytes given to fuzz_mem_add() are copied.
 * fuzz_default_rules() is loaded once and never freed.
 */
#ifndef LICGATE_FUZZ_COMMON_H
#define LICGATE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "blob.h"
#include "input.h"
#include "layer.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/* An image held in memory: a set of named files, as an lg_input whose
 * form is "memory".  Names are matched exactly (input.c has checked them). */
lg_input *fuzz_mem_input(void);
void fuzz_mem_add(lg_input *in, const char *name, const void *data,
		  size_t len);

/* The sha256 digest of data[0..len). */
void fuzz_sha256(const void *data, size_t len, lg_digest *out);

/* The built-in rules (rules/default.rules), with text rules, so a walk
 * exercises them too. */
const lg_rules *fuzz_default_rules(void);

/* Stack layer l on itself and resolve whiteouts (whiteout.c): the upper
 * copy must hide every file of the lower one, and nothing the upper. */
void fuzz_check_self_stack(const lg_layer *l);

/* A small deterministic generator, seeded from the input, for choices
 * (chunk sizes) that must be the same each time an input is replayed. */
typedef struct fuzz_rng {
	uint64_t s;
} fuzz_rng;

fuzz_rng fuzz_rng_seed(const uint8_t *data, size_t size);
uint32_t fuzz_rng_next(fuzz_rng *r);

#endif
