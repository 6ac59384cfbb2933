/* fingerprint.c - see fingerprint.h
 *
 * Cost: every byte passes the binary probe (first 8 KiB) and the
 * tokenizer (a table lookup, and a multiply inside identifiers and
 * numbers); every token costs a multiply-add for the rolling k-gram hash,
 * a mix, and one compare against the window's minimum (a rescan of the
 * window, O(w), only when the minimum leaves it), and 8 bytes of XXH3 for
 * the normalized hash.
 */
#include "fingerprint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Odd base of the polynomial k-gram hash (mod 2^64). */
#define BASE 0x100000001b3ull
#define NONE UINT64_MAX

enum { TK_NONE, TK_IDENT, TK_NUMBER };
enum { CM_NONE, CM_LINE, CM_BLOCK };
enum { P_NONE, P_SLASH, P_HASH };

/* splitmix64's finalizer: spreads the polynomial hash so that the window
 * minimum is a uniform choice. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* ---- winnowing ------------------------------------------------------------ */

void lg_winnow_init(lg_winnow *wn, unsigned k, unsigned w, lg_fp_fn fn, void *ud)
{
	wn->k = k < 1 ? 1 : k > LG_FP_KMAX ? LG_FP_KMAX : k;
	wn->w = w < 1 ? 1 : w > LG_FP_WMAX ? LG_FP_WMAX : w;
	wn->fn = fn;
	wn->ud = ud;
	wn->gram_fn = NULL;
	wn->gram_ud = NULL;
	wn->ntok = 0;
	wn->roll = 0;
	wn->ngram = 0;
	wn->sel = NONE;
	wn->nsel = 0;
	wn->bpow = 1;
	for (unsigned i = 1; i < wn->k; i++)
		wn->bpow *= BASE;
}

/* The rings are powers of two at least k and w long: a mask, not a
 * division, per token. */
#define KMASK (LG_FP_KMAX - 1)
#define WMASK (LG_FP_WMAX - 1)

static void select_gram(lg_winnow *wn, uint64_t i)
{
	wn->sel = i;
	wn->nsel++;
	if (wn->fn)
		wn->fn(wn->ud, &wn->win[i & WMASK]);
}

/* The rightmost minimum of k-grams [lo, hi]. */
static uint64_t rightmost_min(const lg_winnow *wn, uint64_t lo, uint64_t hi)
{
	uint64_t best = lo;
	for (uint64_t j = lo + 1; j <= hi; j++)
		if (wn->win[j & WMASK].hash <= wn->win[best & WMASK].hash)
			best = j;
	return best;
}

static void add_gram(lg_winnow *wn, const lg_fp *g)
{
	uint64_t i = wn->ngram++;
	wn->win[i & WMASK] = *g;
	if (wn->ngram < wn->w)
		return;
	uint64_t lo = i + 1 - wn->w;
	if (wn->sel != NONE && wn->sel >= lo) {
		/* Robust: an equal hash does not move the selection. */
		if (g->hash < wn->win[wn->sel & WMASK].hash)
			select_gram(wn, i);
		return;
	}
	select_gram(wn, rightmost_min(wn, lo, i));
}

/* Inlined into the tokenizer's emit(): it runs once per token. */
static inline __attribute__((always_inline)) void winnow_token(lg_winnow *wn, uint64_t hash,
							      uint32_t line)
{
	if (wn->ntok >= wn->k)
		wn->roll -= wn->tok[(wn->ntok - wn->k) & KMASK] * wn->bpow;
	wn->roll = wn->roll * BASE + hash;
	wn->tok[wn->ntok & KMASK] = hash;
	wn->tokline[wn->ntok & KMASK] = line;
	wn->ntok++;
	if (wn->ntok < wn->k)
		return;
	lg_fp g = {
		.hash = mix(wn->roll),
		.line = wn->tokline[(wn->ntok - wn->k) & KMASK], /* the oldest token */
		.line_end = line,
	};
	if (wn->gram_fn)
		wn->gram_fn(wn->gram_ud, &g);
	add_gram(wn, &g);
}

void lg_winnow_token(lg_winnow *wn, uint64_t hash, uint32_t line)
{
	winnow_token(wn, hash, line);
}

void lg_winnow_end(lg_winnow *wn)
{
	if (wn->ngram > 0 && wn->ngram < wn->w)
		select_gram(wn, rightmost_min(wn, 0, wn->ngram - 1));
}

/* ---- tokenizer -----------------------------------------------------------
 *
 * A byte class table drives it; identifiers and numbers are hashed as they
 * stream past (FNV-1a, 64 bits: no copy of the token), a punctuation byte
 * takes its hash from a table. */

enum {
	C_ID = 1,     /* starts and continues an identifier */
	C_DIGIT = 2,  /* starts a number, continues both */
	C_NUM = 4,    /* continues a number ('.', and what C_ID has) */
	C_BLANK = 8,  /* space, tab, FF, VT, NUL: dropped */
	C_NL = 16,    /* LF, CR */
};

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint8_t cls[256];
static uint64_t punct_hash[256];

static void init_tables(void)
{
	for (int c = 0; c < 256; c++) {
		uint8_t k = 0;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
		    c >= 0x80)
			k = C_ID | C_NUM;
		else if (c >= '0' && c <= '9')
			k = C_DIGIT | C_NUM;
		else if (c == '.')
			k = C_NUM;
		else if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == 0)
			k = C_BLANK;
		else if (c == '\n' || c == '\r')
			k = C_NL;
		cls[c] = k;
		punct_hash[c] = mix(0x9e3779b97f4a7c15ull * (uint64_t)(c + 1));
	}
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The normalized hash: XXH3-128 of the token hashes, in batches. */
static void norm_flush(lg_fingerprinter *f)
{
	if (f->nnorm)
		XXH3_128bits_update(f->norm, f->normbuf, f->nnorm * sizeof(f->normbuf[0]));
	f->nnorm = 0;
}

static void emit(lg_fingerprinter *f, uint64_t hash, uint32_t line, const char *text,
		 size_t len)
{
	f->tokens++;
	f->normbuf[f->nnorm++] = hash;
	if (f->nnorm == LG_ARRAY_LEN(f->normbuf))
		norm_flush(f);
	if (f->token_fn)
		f->token_fn(f->token_ud, hash, line, text, len);
	winnow_token(&f->wn, hash, line);
}

static void emit_punct(lg_fingerprinter *f, char c, uint32_t line)
{
	emit(f, punct_hash[(unsigned char)c], line, &c, 1);
}

static void end_token(lg_fingerprinter *f)
{
	if (f->state == TK_NONE)
		return;
	emit(f, mix(f->tok_hash ^ f->tok_len), f->tok_line, f->tok_text,
	     f->tok_len < LG_FP_TOKEN_TEXT ? f->tok_len : LG_FP_TOKEN_TEXT);
	f->state = TK_NONE;
}

static void start_token(lg_fingerprinter *f, int kind, unsigned char c)
{
	f->state = kind;
	f->tok_line = f->line;
	f->tok_hash = (FNV_OFFSET ^ c) * FNV_PRIME;
	f->tok_len = 1;
	f->tok_text[0] = (char)c;
}

/* Flush a '/' or '#' held to see whether a comment starts. */
static void flush_pending(lg_fingerprinter *f)
{
	int p = f->pending;
	f->pending = P_NONE;
	if (p == P_SLASH)
		emit_punct(f, '/', f->tok_line);
	else if (p == P_HASH)
		emit_punct(f, '#', f->tok_line);
}

/* Every byte that no fast path in tokenize() took. */
static void code_byte(lg_fingerprinter *f, unsigned char c, bool newline)
{
	if (f->comment == CM_LINE) {
		if (!newline)
			return;
		f->comment = CM_NONE;
	} else if (f->comment == CM_BLOCK) {
		if (f->star && c == '/')
			f->comment = CM_NONE;
		f->star = c == '*';
		return;
	}
	if (f->pending == P_SLASH && !f->quote && (c == '/' || c == '*')) {
		f->pending = P_NONE;
		f->comment = c == '/' ? CM_LINE : CM_BLOCK;
		f->star = false;
		return;
	}
	if (f->pending == P_HASH && (c == ' ' || c == '\t' || c == '!' || c == '#')) {
		f->pending = P_NONE;
		f->comment = CM_LINE;
		return;
	}
	if (f->pending == P_HASH && newline)
		f->pending = P_NONE; /* a lone '#': an empty comment */
	flush_pending(f);
	end_token(f);
	if (newline) {
		f->line_start = true;
		if (f->quote && f->quote != '`')
			f->quote = 0; /* an unterminated string ends with its line */
		return;
	}
	if (cls[c] & C_BLANK)
		return;
	bool at_start = f->line_start;
	f->line_start = false;
	if (f->escape) {
		f->escape = false;
		if (c == (unsigned char)f->quote) {
			emit_punct(f, (char)c, f->line);
			return;
		}
	}
	if (c == '/' && !f->quote) {
		f->pending = P_SLASH;
		f->tok_line = f->line;
		return;
	}
	if (c == '#' && at_start && !f->quote) {
		f->pending = P_HASH;
		f->tok_line = f->line;
		return;
	}
	if (cls[c] & C_ID) {
		start_token(f, TK_IDENT, c);
		return;
	}
	if (cls[c] & C_DIGIT) {
		start_token(f, TK_NUMBER, c);
		return;
	}
	emit_punct(f, (char)c, f->line);
	if (f->quote) {
		if (c == '\\')
			f->escape = true;
		else if (c == (unsigned char)f->quote)
			f->quote = 0;
	} else if (c == '"' || c == '\'' || c == '`') {
		f->quote = (char)c;
	}
}

/* A newline byte: count the line (a CRLF once), then the slow path. */
static void newline_byte(lg_fingerprinter *f, unsigned char c)
{
	if (c == '\n' && f->prev_cr) { /* the LF of a CRLF */
		f->prev_cr = false;
		return;
	}
	f->prev_cr = c == '\r';
	f->line++;
	code_byte(f, c, true);
}

/* The common runs (a token's bytes, a comment's, blanks) in tight loops
 * over locals; every other byte through code_byte(). */
static void tokenize(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (f->state != TK_NONE) {
			uint8_t want = f->state == TK_IDENT ? (C_ID | C_DIGIT) : C_NUM;
			uint64_t h = f->tok_hash;
			size_t len = f->tok_len;
			for (; i < n && (cls[p[i]] & want); i++, len++) {
				h = (h ^ p[i]) * FNV_PRIME;
				if (len < LG_FP_TOKEN_TEXT)
					f->tok_text[len] = (char)p[i];
			}
			f->tok_hash = h;
			f->tok_len = len;
			if (i == n)
				break;
		}
		size_t from = i;
		if (f->comment == CM_LINE) {
			while (i < n && !(cls[p[i]] & C_NL))
				i++;
			if (i > from)
				f->prev_cr = false;
			if (i == n)
				break;
		} else if (f->comment == CM_BLOCK) {
			bool star = f->star;
			for (; i < n && !(cls[p[i]] & C_NL); i++) {
				if (star && p[i] == '/') {
					f->comment = CM_NONE;
					star = false;
					i++;
					break;
				}
				star = p[i] == '*';
			}
			f->star = star;
			if (i > from)
				f->prev_cr = false;
			if (i == n || f->comment == CM_NONE)
				continue;
		}
		unsigned char c = p[i++];
		uint8_t k = cls[c];
		if (k & C_NL) {
			newline_byte(f, c);
			continue;
		}
		f->prev_cr = false;
		if ((k & C_BLANK) && f->state == TK_NONE && f->pending == P_NONE &&
		    f->comment == CM_NONE)
			continue;
		code_byte(f, c, false);
	}
}

/* ---- the whole ------------------------------------------------------------ */

void lg_fp_init(lg_fingerprinter *f)
{
	pthread_once(&tables_once, init_tables);
	memset(f, 0, sizeof(*f));
	f->norm = XXH3_createState();
	if (!f->norm) {
		fputs("licgate: out of memory\n", stderr);
		exit(2);
	}
}

void lg_fp_release(lg_fingerprinter *f)
{
	XXH3_freeState(f->norm);
	f->norm = NULL;
}

void lg_fp_begin(lg_fingerprinter *f, unsigned k, unsigned w, lg_fp_fn fp_fn, void *ud,
		 lg_token_fn token_fn, void *token_ud)
{
	XXH3_state_t *norm = f->norm;
	memset(f, 0, offsetof(lg_fingerprinter, normbuf));
	f->norm = norm;
	lg_winnow_init(&f->wn, k, w, fp_fn, ud);
	f->token_fn = token_fn;
	f->token_ud = token_ud;
	f->line = 1;
	f->line_start = true;
	XXH3_128bits_reset(f->norm);
}

void lg_fp_each_gram(lg_fingerprinter *f, lg_fp_fn fn, void *ud)
{
	f->wn.gram_fn = fn;
	f->wn.gram_ud = ud;
}

void lg_fp_feed(lg_fingerprinter *f, const void *data, size_t len)
{
	if (f->binary || !len)
		return;
	if (f->offset < LG_FP_BINARY_PROBE) {
		size_t probe = LG_FP_BINARY_PROBE - f->offset < len
				       ? (size_t)(LG_FP_BINARY_PROBE - f->offset)
				       : len;
		if (memchr(data, 0, probe)) {
			f->binary = true;
			return;
		}
	}
	f->offset += len;
	tokenize(f, data, len);
}

void lg_fp_end(lg_fingerprinter *f, lg_fp_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->binary = f->binary;
	if (f->binary)
		return;
	flush_pending(f);
	end_token(f);
	lg_winnow_end(&f->wn);
	norm_flush(f);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(f->norm));
	memcpy(out->normalized, c.digest, sizeof(out->normalized));
	out->tokens = f->tokens;
	out->fingerprints = f->wn.nsel;
}
