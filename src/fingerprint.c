/* fingerprint.c - see fingerprint.h
 *
 * Cost: every byte passes the binary probe (first 8 KiB), the normalizer
 * (one copy into a line buffer, then XXH3) and the tokenizer (one state
 * step); every token costs one XXH3 of its bytes, one multiply-add for the
 * rolling k-gram hash and one compare against the window's minimum (a
 * rescan of the window, O(w), only when the minimum leaves it).
 */
#include "fingerprint.h"

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

static void select_gram(lg_winnow *wn, uint64_t i)
{
	wn->sel = i;
	wn->nsel++;
	if (wn->fn)
		wn->fn(wn->ud, &wn->win[i % wn->w]);
}

/* The rightmost minimum of k-grams [lo, hi]. */
static uint64_t rightmost_min(const lg_winnow *wn, uint64_t lo, uint64_t hi)
{
	uint64_t best = lo;
	for (uint64_t j = lo + 1; j <= hi; j++)
		if (wn->win[j % wn->w].hash <= wn->win[best % wn->w].hash)
			best = j;
	return best;
}

static void add_gram(lg_winnow *wn, const lg_fp *g)
{
	uint64_t i = wn->ngram++;
	wn->win[i % wn->w] = *g;
	if (wn->ngram < wn->w)
		return;
	uint64_t lo = i + 1 - wn->w;
	if (wn->sel != NONE && wn->sel >= lo) {
		/* Robust: an equal hash does not move the selection. */
		if (g->hash < wn->win[wn->sel % wn->w].hash)
			select_gram(wn, i);
		return;
	}
	select_gram(wn, rightmost_min(wn, lo, i));
}

void lg_winnow_token(lg_winnow *wn, uint64_t hash, uint32_t line)
{
	size_t slot = (size_t)(wn->ntok % wn->k);
	if (wn->ntok >= wn->k)
		wn->roll -= wn->tok[slot] * wn->bpow;
	wn->roll = wn->roll * BASE + hash;
	wn->tok[slot] = hash;
	wn->tokline[slot] = line;
	wn->ntok++;
	if (wn->ntok < wn->k)
		return;
	lg_fp g = {
		.hash = mix(wn->roll),
		.line = wn->tokline[wn->ntok % wn->k], /* the oldest token */
		.line_end = line,
	};
	if (wn->gram_fn)
		wn->gram_fn(wn->gram_ud, &g);
	add_gram(wn, &g);
}

void lg_winnow_end(lg_winnow *wn)
{
	if (wn->ngram > 0 && wn->ngram < wn->w)
		select_gram(wn, rightmost_min(wn, 0, wn->ngram - 1));
}

/* ---- normalizer ------------------------------------------------------------ */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static bool starts(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && memcmp(s, p, k) == 0;
}

static bool has_close(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '*' && s[i + 1] == '/')
			return true;
	return false;
}

/* Is this line (or the first piece of it) part of the leading comment
 * block?  The first line that is not ends the header. */
static bool header_line(lg_fingerprinter *f, const char *s, size_t n)
{
	if (f->in_block) {
		if (has_close(s, n))
			f->in_block = false;
		return true;
	}
	while (n && blank(*s))
		s++, n--;
	if (n == 0 || starts(s, n, "//") || starts(s, n, "#") || starts(s, n, "--"))
		return true;
	if (starts(s, n, "/*")) {
		f->in_block = !has_close(s + 2, n - 2);
		return true;
	}
	f->in_header = false;
	return false;
}

static void norm_put(lg_fingerprinter *f, const char *s, size_t n)
{
	if (n)
		XXH3_128bits_update(f->norm, s, n);
}

/* The line buffer holds a whole line (eol) or a full piece of a longer one. */
static void norm_piece(lg_fingerprinter *f, bool eol)
{
	const char *s = f->nline;
	size_t n = f->nline_len;
	bool cont = f->nline_cont;
	f->nline_len = 0;
	f->nline_cont = !eol;
	if (eol)
		while (n && blank(s[n - 1]))
			n--;
	if (cont && f->skip_rest) {
		f->skip_rest = !eol;
		return;
	}
	if (!cont && f->in_header && header_line(f, s, n)) {
		f->skip_rest = !eol;
		return;
	}
	if (!cont && n == 0) {
		f->blank_lines++;
		return;
	}
	if (!cont && f->wrote)
		for (uint64_t i = 0; i <= f->blank_lines; i++)
			norm_put(f, "\n", 1);
	f->blank_lines = 0;
	norm_put(f, s, n);
	f->wrote = true;
}

static void normalize(lg_fingerprinter *f, const char *p, size_t n)
{
	size_t i = 0;
	if (f->norm_prev_cr && n && p[0] == '\n')
		i = 1; /* the LF of a CRLF split across blocks */
	f->norm_prev_cr = false;
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '\n' && p[j] != '\r')
			j++;
		while (i < j) {
			size_t room = LG_FP_LINE - f->nline_len;
			size_t k = j - i < room ? j - i : room;
			memcpy(f->nline + f->nline_len, p + i, k);
			f->nline_len += k;
			i += k;
			if (f->nline_len == LG_FP_LINE)
				norm_piece(f, false);
		}
		if (j == n)
			break;
		norm_piece(f, true);
		if (p[j] == '\r') {
			if (j + 1 < n && p[j + 1] == '\n')
				j++;
			else if (j + 1 == n)
				f->norm_prev_cr = true;
		}
		i = j + 1;
	}
}

/* ---- tokenizer ----------------------------------------------------------- */

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
	       c >= 0x80;
}

static bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void emit(lg_fingerprinter *f, uint64_t hash, uint32_t line, const char *text,
		 size_t len)
{
	f->tokens++;
	if (f->token_fn)
		f->token_fn(f->token_ud, hash, line, text, len);
	lg_winnow_token(&f->wn, hash, line);
}

static void emit_punct(lg_fingerprinter *f, char c, uint32_t line)
{
	emit(f, XXH3_64bits(&c, 1), line, &c, 1);
}

static void end_token(lg_fingerprinter *f)
{
	if (f->state == TK_NONE)
		return;
	uint64_t h = XXH3_64bits_withSeed(f->tok_text, f->tok_len, f->tok_hash);
	if (!f->tok_long)
		h = XXH3_64bits(f->tok_text, f->tok_len);
	emit(f, h, f->tok_line, f->tok_text, f->tok_len);
	f->state = TK_NONE;
}

static void token_byte(lg_fingerprinter *f, char c)
{
	if (f->tok_len == LG_FP_TOKEN_TEXT) {
		f->tok_hash = XXH3_64bits_withSeed(f->tok_text, f->tok_len, f->tok_hash);
		f->tok_long = true;
		f->tok_len = 0;
	}
	f->tok_text[f->tok_len++] = c;
}

static void start_token(lg_fingerprinter *f, int kind, char c)
{
	f->state = kind;
	f->tok_line = f->line;
	f->tok_hash = 0;
	f->tok_long = false;
	f->tok_len = 0;
	token_byte(f, c);
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
	if (f->state == TK_IDENT && (ident_start(c) || digit(c))) {
		token_byte(f, (char)c);
		return;
	}
	if (f->state == TK_NUMBER && (ident_start(c) || digit(c) || c == '.')) {
		token_byte(f, (char)c);
		return;
	}
	end_token(f);
	if (newline) {
		f->line_start = true;
		if (f->quote && f->quote != '`')
			f->quote = 0; /* an unterminated string ends with its line */
		return;
	}
	if (blank((char)c) || c == 0)
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
	if (ident_start(c)) {
		start_token(f, TK_IDENT, (char)c);
		return;
	}
	if (digit(c)) {
		start_token(f, TK_NUMBER, (char)c);
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

static void tokenize(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == '\n') {
			if (f->prev_cr) { /* the LF of a CRLF */
				f->prev_cr = false;
				continue;
			}
			f->line++;
			code_byte(f, c, true);
		} else if (c == '\r') {
			f->prev_cr = true;
			f->line++;
			code_byte(f, c, true);
		} else {
			f->prev_cr = false;
			code_byte(f, c, false);
		}
	}
}

/* ---- the whole ------------------------------------------------------------ */

void lg_fp_init(lg_fingerprinter *f)
{
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
	memset(f, 0, sizeof(*f));
	f->norm = norm;
	f->in_header = true;
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
	normalize(f, data, len);
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
	if (f->nline_len || f->nline_cont)
		norm_piece(f, true);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(f->norm));
	memcpy(out->normalized, c.digest, sizeof(out->normalized));
	out->tokens = f->tokens;
	out->fingerprints = f->wn.nsel;
}
