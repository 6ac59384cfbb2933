/* fingerprint.h - what a text is, independent of its name: a streaming
 * tokenizer, a normalizer and winnowing (Schleimer, Wilkerson and Aiken,
 * "Winnowing: local algorithms for document fingerprinting", SIGMOD 2003,
 * the method of MOSS).  Fed block by block, in any chunking, with the same
 * result; memory is fixed (no copy of the file is kept).
 *
 *   tokenizer:  words: runs of [A-Za-z0-9_$] and bytes >= 0x80.
 *               Whitespace and comments are dropped: // to the line's end,
 *               / * .. * / (the opener's '*' does not close it), and a '#'
 *               that is the first visible byte of its line when a blank,
 *               '!', '#' or the line's end follows it (a shell, Python or
 *               YAML comment; "#include" stays code).  Strings are not
 *               told from code.  Each word keeps the line it starts on
 *               (LF, CRLF and CR end a line).  A word's hash: its bytes as
 *               16-byte chunks of two little-endian 8-byte words (the last
 *               padded with zeros) folded by multiplies, then its length.
 *               Every other byte (punctuation, operators, quotes) only
 *               separates words.
 *   normalized hash: XXH3-128 of the word hashes in order: two texts that
 *               differ only in line endings, blanks (trailing or not), blank
 *               lines, comments -- the leading license header among them --
 *               and punctuation hash alike.
 *   winnowing:  a k-gram hash per run of k consecutive words (a cyclic
 *               polynomial of the word hashes: rotate, xor in, xor out); in
 *               every window of w consecutive k-grams the minimal hash is
 *               selected (robust winnowing: a tie keeps the previous
 *               selection, else the rightmost minimum).  Guarantee: two
 *               texts that share a run of at least w + k - 1 tokens share
 *               a selected hash.  A text of fewer than w k-grams (but at
 *               least k tokens) selects its one minimum.  A selected
 *               k-gram's hash is mixed (a bijection, murmur3's finalizer)
 *               before it is given out, so that every bit of a
 *               fingerprint depends on every word.
 *
 * A text with a NUL byte in its first LG_FP_BINARY_PROBE bytes is binary:
 * it has no tokens, no fingerprints and no normalized hash.
 *
 * The text is read in blocks of 64 bytes at offsets that are multiples of
 * 64 (a chunk's last bytes wait for the rest of their block), each
 * classified into bit masks (SSE2, or AVX2 with BMI and POPCNT when the
 * CPU has them, chosen once at run time): any chunking and either
 * instruction set give the same words.  Words are winnowed and hashed in
 * batches: callbacks may come later than the lg_fp_feed() that read their
 * word, never later than lg_fp_end().
 *
 * Ownership: every struct here is a value the caller embeds and owns.  An
 * lg_fingerprinter holds one allocation (the normalizer's hash state), made
 * by lg_fp_init() and released by lg_fp_release(); it is then reused for
 * every text (lg_fp_begin() .. lg_fp_end()), which allocates nothing.
 * Callbacks receive pointers valid during the call.
 */
#ifndef LICGATE_FINGERPRINT_H
#define LICGATE_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xxhash.h>

/* Defaults: words per k-gram, k-grams per window.  A shared run of
 * LG_FP_K + LG_FP_W - 1 = 13 words (two or three lines of code) is
 * always seen. */
#define LG_FP_K 8
#define LG_FP_W 6
#define LG_FP_KMAX 64
#define LG_FP_WMAX 128
#define LG_FP_BINARY_PROBE 8192
/* Bytes of a token kept as text for the token callback; longer tokens are
 * hashed whole, their text cut. */
#define LG_FP_TOKEN_TEXT 64

/* One selected k-gram. */
typedef struct lg_fp {
	uint64_t hash;
	uint32_t line;     /* line of its first token */
	uint32_t line_end; /* line of its last token */
} lg_fp;

typedef void (*lg_fp_fn)(void *ud, const lg_fp *fp);
/* A token: its hash, its line, its first bytes (text, len <= LG_FP_TOKEN_TEXT). */
typedef void (*lg_token_fn)(void *ud, uint64_t hash, uint32_t line, const char *text,
			    size_t len);

/* ---- winnowing over a stream of token hashes ---------------------------- */

/* Tokens remembered: at least k + w - 1 of them (a fingerprint names the
 * lines of its first and last token). */
#define LG_FP_RING 256

typedef struct lg_winnow {
	unsigned k, w;
	lg_fp_fn fn;
	void *ud;
	lg_fp_fn gram_fn;           /* every k-gram, selected or not; may be NULL */
	void *gram_ud;
	uint64_t ntok;
	uint64_t roll;              /* cyclic polynomial hash of the last k tokens */
	uint64_t sel;               /* index of the selected k-gram; UINT64_MAX: none */
	uint64_t selhash;           /* its hash */
	uint64_t nsel;              /* fingerprints emitted */
	/* rings, written before they are read: not cleared */
	uint64_t tok[LG_FP_RING];   /* the last token hashes */
	uint32_t tokline[LG_FP_RING]; /* and their lines */
	uint64_t gram[LG_FP_WMAX];  /* the last w k-gram hashes */
} lg_winnow;

/* k in [1, LG_FP_KMAX], w in [1, LG_FP_WMAX]; fn gets each fingerprint. */
void lg_winnow_init(lg_winnow *wn, unsigned k, unsigned w, lg_fp_fn fn, void *ud);
void lg_winnow_token(lg_winnow *wn, uint64_t hash, uint32_t line);
/* n tokens at once. */
void lg_winnow_tokens(lg_winnow *wn, const uint64_t *restrict hash,
		      const uint32_t *restrict line, size_t n);
/* The end of the text: a text too short for one full window selects its
 * minimum now.  The winnow can then be initialized again. */
void lg_winnow_end(lg_winnow *wn);

/* ---- tokenizer + normalizer + winnowing ---------------------------------- */

/* What a text was, at its end. */
typedef struct lg_fp_summary {
	bool binary;
	uint64_t tokens;
	uint64_t fingerprints;
	uint8_t normalized[16]; /* XXH3-128, canonical; zeros when binary */
} lg_fp_summary;

typedef struct lg_fingerprinter {
	lg_token_fn token_fn; /* may be NULL */
	void *token_ud;
	/* tokenizer: what the end of the last block left open */
	uint8_t comment;      /* none, to the end of the line, to the next * / */
	uint8_t pending;      /* a '/' or a line's first '#' ended the block: a comment? */
	bool in_word;         /* a word runs on into the next block */
	size_t skip;          /* bytes of the next blocks read with a word before them */
	bool star_carry;      /* in a block comment, the block ended with '*' */
	bool line_start;      /* nothing but blanks so far on this line */
	bool cr_carry;        /* the block ended with a CR (its LF may follow) */
	uint32_t line;
	uint32_t tok_line;    /* the cut word: its line, */
	uint64_t tok_hash;    /* its whole 16-byte chunks hashed, */
	uint64_t tok_word[2]; /* and the bytes of the last chunk so far */
	size_t tok_len;
	char tok_text[LG_FP_TOKEN_TEXT]; /* its first bytes */
	size_t nstage;        /* bytes of the next block, waiting in the stage */
	unsigned char stage[64 + 16]; /* (16: a word's hash reads past its end) */
	uint64_t tokens;
	/* binary probe */
	uint64_t offset;
	bool binary;
	/* normalized hash */
	XXH3_state_t *norm;
	/* tokens not yet winnowed nor hashed (not cleared; wn last) */
	size_t nbuf;
	uint64_t buf_hash[256];
	uint32_t buf_line[256];
	lg_winnow wn;
} lg_fingerprinter;

void lg_fp_init(lg_fingerprinter *f);
void lg_fp_release(lg_fingerprinter *f);
/* Begin a text: k, w as for lg_winnow_init(); fp_fn gets each
 * fingerprint; token_fn (may be NULL) each token. */
void lg_fp_begin(lg_fingerprinter *f, unsigned k, unsigned w, lg_fp_fn fp_fn, void *ud,
		 lg_token_fn token_fn, void *token_ud);
/* After lg_fp_begin(): also call fn with every k-gram of the text. */
void lg_fp_each_gram(lg_fingerprinter *f, lg_fp_fn fn, void *ud);
void lg_fp_feed(lg_fingerprinter *f, const void *data, size_t len);
/* End the text: the last fingerprints are emitted, then *out is filled. */
void lg_fp_end(lg_fingerprinter *f, lg_fp_summary *out);
/* For tests: tokenize with the widest vector instructions this CPU has
 * (the default), or with the baseline ones only; both give the same
 * tokens.  Not thread-safe: call before any lg_fp_init() of other threads. */
void lg_fp_use_simd(bool on);

#endif
