/* fingerprint.c - see fingerprint.h
 *
 * Cost: every byte passes the binary probe (first 8 KiB) and the
 * classification of its 64-byte block (a few vector compares); a token of
 * plain code costs a count of trailing zeros, a population count (its
 * line) and one or two multiplies (its hash) with no branch on what the
 * bytes are; a string's or comment's bytes cost a loop step.  Every token
 * then costs a rotate and two xors (the k-gram hash), a compare with the
 * window's minimum (a rescan of the window, O(w) without branches, only
 * when the minimum leaves it) and 8 bytes of XXH3 (the normalized hash).
 */
#include "fingerprint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NONE UINT64_MAX

enum { TK_NONE, TK_IDENT, TK_NUMBER };
enum { CM_NONE, CM_LINE, CM_BLOCK };
enum { P_NONE, P_SLASH, P_HASH };

static inline uint64_t rotl(uint64_t x, unsigned r)
{
	r &= 63;
	return x << r | x >> (-r & 63);
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
	wn->sel = NONE;
	wn->selhash = 0;
	wn->nsel = 0;
}

/* The rings are powers of two: a mask, not a division, per token. */
#define TMASK (LG_FP_RING - 1)
#define WMASK (LG_FP_WMAX - 1)

/* K-gram i (of tokens i .. i + k - 1) is selected. */
static void select_gram(lg_winnow *wn, uint64_t i)
{
	wn->sel = i;
	wn->selhash = wn->gram[i & WMASK];
	wn->nsel++;
	if (wn->fn) {
		lg_fp fp = { wn->gram[i & WMASK], wn->tokline[i & TMASK],
			     wn->tokline[(i + wn->k - 1) & TMASK] };
		wn->fn(wn->ud, &fp);
	}
}

/* The rightmost minimum of k-grams [lo, hi], without a branch per k-gram
 * (which way it goes is a coin toss). */
static uint64_t rightmost_min(const lg_winnow *wn, uint64_t lo, uint64_t hi)
{
	uint64_t best = lo, bh = wn->gram[lo & WMASK];
	for (uint64_t j = lo + 1; j <= hi; j++) {
		uint64_t h = wn->gram[j & WMASK];
		bool le = h <= bh;
		best = le ? j : best;
		bh = le ? h : bh;
	}
	return best;
}

/* The hot state in locals, the rings in memory; a selection (one k-gram
 * in about w / 2) goes out through select_gram().  The first k + w - 1
 * tokens of a text take the careful loop, the rest a lean one that knows
 * a full window and a selection exist. */
void lg_winnow_tokens(lg_winnow *wn, const uint64_t *restrict hash,
		      const uint32_t *restrict line, size_t n)
{
	const unsigned k = wn->k, w = wn->w;
	const lg_fp_fn gram_fn = wn->gram_fn;
	uint64_t *tok = wn->tok, *gram = wn->gram;
	uint32_t *tokline = wn->tokline;
	uint64_t ntok = wn->ntok, roll = wn->roll, sel = wn->sel, selhash = wn->selhash;
	size_t j = 0;
	for (; j < n && ntok < (uint64_t)k + w - 1; j++) {
		uint64_t h = hash[j];
		uint64_t out = ntok >= k ? rotl(tok[(ntok - k) & TMASK], k) : 0;
		roll = rotl(roll, 1) ^ out ^ h;
		tok[ntok & TMASK] = h;
		tokline[ntok & TMASK] = line[j];
		ntok++;
		if (ntok < k)
			continue;
		uint64_t i = ntok - k; /* this k-gram */
		gram[i & WMASK] = roll;
		if (gram_fn) {
			lg_fp fp = { roll, tokline[i & TMASK], line[j] };
			gram_fn(wn->gram_ud, &fp);
		}
		if (i + 1 == w) { /* the first full window */
			select_gram(wn, rightmost_min(wn, 0, i));
			sel = wn->sel;
			selhash = wn->selhash;
		}
	}
	const unsigned kr = k & 63;
	for (; j < n; j++) {
		uint64_t h = hash[j];
		roll = rotl(roll, 1) ^ rotl(tok[(ntok - k) & TMASK], kr) ^ h;
		tok[ntok & TMASK] = h;
		tokline[ntok & TMASK] = line[j];
		uint64_t i = ++ntok - k; /* this k-gram */
		gram[i & WMASK] = roll;
		if (__builtin_expect(gram_fn != NULL, 0)) {
			lg_fp fp = { roll, tokline[i & TMASK], line[j] };
			gram_fn(wn->gram_ud, &fp);
		}
		if (__builtin_expect(sel + w > i, 1)) {
			/* Robust: an equal hash does not move the selection. */
			if (__builtin_expect(roll >= selhash, 1))
				continue;
			sel = i;
		} else {
			sel = rightmost_min(wn, i + 1 - w, i);
		}
		select_gram(wn, sel);
		selhash = wn->selhash;
	}
	wn->ntok = ntok;
	wn->roll = roll;
	wn->sel = sel;
	wn->selhash = selhash;
}

void lg_winnow_token(lg_winnow *wn, uint64_t hash, uint32_t line)
{
	lg_winnow_tokens(wn, &hash, &line, 1);
}

void lg_winnow_end(lg_winnow *wn)
{
	uint64_t ngram = wn->ntok >= wn->k ? wn->ntok - wn->k + 1 : 0;
	if (ngram > 0 && ngram < wn->w)
		select_gram(wn, rightmost_min(wn, 0, ngram - 1));
}

/* ---- tokenizer -----------------------------------------------------------
 *
 * One table gives each byte its action; the common bytes (blanks, a
 * token's bytes, punctuation) cost a lookup and a predictable branch.  A
 * token that lies whole in the block is hashed where it lies, 8 bytes at a
 * time; one cut by the block's end is hashed as its bytes stream past,
 * the same words, so any chunking gives the same hash.  Comments are
 * skipped by tight loops; only the ends of blocks keep state. */

enum {
	C_ID = 1,     /* starts and continues an identifier */
	C_DIGIT = 2,  /* starts a number, continues both */
	C_NUM = 4,    /* continues a number ('.', and what C_ID has) */
	C_BLANK = 8,  /* space, tab, FF, VT, NUL: dropped */
	C_NL = 16,    /* LF, CR */
};

/* What a byte does outside a comment. */
enum {
	A_PUNCT,  /* a token of its own */
	A_BLANK,
	A_LF,
	A_CR,
	A_ID,
	A_DIGIT,
	A_SLASH,  /* a comment? */
	A_HASH,   /* a comment at the start of a line? */
	A_QUOTE,  /* ' " ` */
	A_BSLASH, /* escapes in strings */
};

#define WORD_MUL 0x9fb21c651e98df25ull
#define WORD_SEED 0x2d358dccaa6c78a5ull
#define LEN_MUL 0x9e3779b97f4a7c15ull

/* A token's hash: its bytes as little-endian 8-byte words (the last
 * padded with zeros), each folded in by a multiply, then its length. */
static inline uint64_t word_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * WORD_MUL;
	return h ^ (h >> 32);
}

static inline uint64_t word_final(uint64_t h, size_t len)
{
	h = (h ^ (uint64_t)len) * LEN_MUL;
	return h ^ (h >> 29);
}

static uint8_t cls[256];
static uint8_t act[256];
static uint64_t punct_hash[256];

static void init_tables(void)
{
	for (int c = 0; c < 256; c++) {
		uint8_t k = 0, a = A_PUNCT;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
		    c >= 0x80)
			k = C_ID | C_NUM, a = A_ID;
		else if (c >= '0' && c <= '9')
			k = C_DIGIT | C_NUM, a = A_DIGIT;
		else if (c == '.')
			k = C_NUM;
		else if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == 0)
			k = C_BLANK, a = A_BLANK;
		else if (c == '\n' || c == '\r')
			k = C_NL, a = c == '\n' ? A_LF : A_CR;
		else if (c == '/')
			a = A_SLASH;
		else if (c == '#')
			a = A_HASH;
		else if (c == '"' || c == '\'' || c == '`')
			a = A_QUOTE;
		else if (c == '\\')
			a = A_BSLASH;
		cls[c] = k;
		act[c] = a;
		punct_hash[c] = word_final(word_step(WORD_SEED, (uint64_t)c), 1); /* as a word */
	}
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The hash of the token s[0, len), with avail >= len bytes readable at s. */
static inline uint64_t hash_token(const unsigned char *s, size_t len, size_t avail)
{
	uint64_t h = WORD_SEED;
	size_t l = len;
	for (; l >= 8; s += 8, l -= 8, avail -= 8)
		h = word_step(h, load64(s));
	if (l) {
		uint64_t w = 0;
		if (avail >= 8) {
			w = load64(s) & ((1ull << (8 * l)) - 1);
		} else {
			for (size_t j = 0; j < l; j++)
				w |= (uint64_t)s[j] << (8 * j);
		}
		h = word_step(h, w);
	}
	return word_final(h, len);
}

/* The tokens so far: into the normalized hash (XXH3-128 of the token
 * hashes) and the winnow, a batch at a time. */
static void flush_tokens(lg_fingerprinter *f)
{
	if (!f->nbuf)
		return;
	XXH3_128bits_update(f->norm, f->buf_hash, f->nbuf * sizeof(f->buf_hash[0]));
	lg_winnow_tokens(&f->wn, f->buf_hash, f->buf_line, f->nbuf);
	f->tokens += f->nbuf;
	f->nbuf = 0;
}

static inline __attribute__((always_inline)) void emit(lg_fingerprinter *f, uint64_t hash,
						       uint32_t line, const void *text,
						       size_t len)
{
	size_t n = f->nbuf;
	f->buf_hash[n] = hash;
	f->buf_line[n] = line;
	f->nbuf = ++n;
	if (__builtin_expect(f->token_fn != NULL, 0)) {
		f->token_fn(f->token_ud, hash, line, text, len);
		flush_tokens(f);
	} else if (__builtin_expect(n == LG_ARRAY_LEN(f->buf_hash), 0)) {
		flush_tokens(f);
	}
}

static void emit_punct(lg_fingerprinter *f, unsigned char c, uint32_t line)
{
	emit(f, punct_hash[c], line, &c, 1);
}

/* A token cut by a block's end: its bytes p[0, n) so far. */
static void cut_token_add(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	uint64_t h = f->tok_hash, w = f->tok_word;
	size_t len = f->tok_len;
	for (size_t j = 0; j < n; j++, len++) {
		if (len < LG_FP_TOKEN_TEXT)
			f->tok_text[len] = (char)p[j];
		w |= (uint64_t)p[j] << (8 * (len & 7));
		if ((len & 7) == 7) {
			h = word_step(h, w);
			w = 0;
		}
	}
	f->tok_hash = h;
	f->tok_word = w;
	f->tok_len = len;
}

static void cut_token_end(lg_fingerprinter *f)
{
	if (f->state == TK_NONE)
		return;
	uint64_t h = f->tok_hash;
	if (f->tok_len & 7)
		h = word_step(h, f->tok_word);
	f->state = TK_NONE;
	emit(f, word_final(h, f->tok_len), f->tok_line, f->tok_text,
	     f->tok_len < LG_FP_TOKEN_TEXT ? f->tok_len : LG_FP_TOKEN_TEXT);
}

/* Flush a '/' or '#' held at a block's end: not a comment after all. */
static void flush_pending(lg_fingerprinter *f)
{
	int p = f->pending;
	f->pending = P_NONE;
	if (p == P_SLASH)
		emit_punct(f, '/', f->tok_line);
	else if (p == P_HASH)
		emit_punct(f, '#', f->tok_line);
}

/* A line comment from p[i]: the index of the line's end (or n). */
static size_t skip_line_comment(const unsigned char *p, size_t i, size_t n)
{
	while (i < n && !(cls[p[i]] & C_NL))
		i++;
	return i;
}

/* A block comment from p[i]: the index after its end (f->comment is then
 * CM_NONE) or n; lines counted. */
static size_t skip_block_comment(lg_fingerprinter *f, const unsigned char *p, size_t i,
				 size_t n)
{
	bool star = f->star;
	uint32_t line = f->line;
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c == '/' && star) {
			f->comment = CM_NONE;
			f->line = line;
			f->star = false;
			return i + 1;
		}
		star = c == '*';
		if (__builtin_expect(cls[c] & C_NL, 0)) {
			line++;
			if (c == '\r') {
				if (i + 1 == n)
					f->prev_cr = true;
				else if (p[i + 1] == '\n')
					i++;
			}
		}
	}
	f->comment = CM_BLOCK;
	f->star = star;
	f->line = line;
	return n;
}

/* After '/' (not in a string) at p[i - 1], or after a line's first '#':
 * the byte c that decides. */
static bool slash_comment(unsigned char c)
{
	return c == '/' || c == '*';
}

static bool hash_comment(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '!' || c == '#';
}

/* The byte-at-a-time tokenizer, from p[i]: runs until it is back in plain
 * code (outside strings and comments, nothing held) after at least one
 * byte, or to n.  Returns where it stopped; f holds the state. */
static size_t scalar_run(lg_fingerprinter *f, const unsigned char *p, size_t i, size_t n)
{
	uint32_t line = f->line;
	char quote = f->quote;
	bool escape = f->escape, line_start = f->line_start;
	while (i < n) {
		unsigned char c = p[i];
		switch (act[c]) {
		case A_BLANK:
			escape = false;
			i++;
			break;
		case A_LF:
		case A_CR:
			line++;
			line_start = true;
			escape = false;
			if (quote != '`')
				quote = 0; /* an unterminated string ends with its line */
			i++;
			if (c == '\r') {
				if (i == n)
					f->prev_cr = true;
				else if (p[i] == '\n')
					i++;
			}
			break;
		case A_ID:
		case A_DIGIT: {
			uint8_t want = act[c] == A_ID ? (C_ID | C_DIGIT) : C_NUM;
			size_t j = i + 1;
			while (j < n && (cls[p[j]] & want))
				j++;
			line_start = escape = false;
			if (j == n) { /* cut by the block's end */
				f->state = act[c] == A_ID ? TK_IDENT : TK_NUMBER;
				f->tok_line = line;
				f->tok_hash = WORD_SEED;
				f->tok_word = 0;
				f->tok_len = 0;
				cut_token_add(f, p + i, n - i);
				i = n;
				break;
			}
			emit(f, hash_token(p + i, j - i, n - i), line, p + i,
			     j - i < LG_FP_TOKEN_TEXT ? j - i : LG_FP_TOKEN_TEXT);
			i = j;
			break;
		}
		case A_SLASH:
			line_start = false;
			if (!quote) {
				if (i + 1 == n) {
					f->pending = P_SLASH;
					f->tok_line = line;
					i = n;
					break;
				}
				if (slash_comment(p[i + 1])) {
					if (p[i + 1] == '/') {
						i = skip_line_comment(p, i + 2, n);
						if (i == n)
							f->comment = CM_LINE;
					} else {
						f->line = line;
						f->star = false;
						i = skip_block_comment(f, p, i + 2, n);
						line = f->line;
					}
					break;
				}
			}
			escape = false;
			emit_punct(f, c, line);
			i++;
			break;
		case A_HASH:
			if (line_start && !quote) {
				line_start = false;
				if (i + 1 == n) {
					f->pending = P_HASH;
					f->tok_line = line;
					i = n;
					break;
				}
				if (hash_comment(p[i + 1])) {
					i = skip_line_comment(p, i + 2, n);
					if (i == n)
						f->comment = CM_LINE;
					break;
				}
				if (cls[p[i + 1]] & C_NL) { /* a lone '#' */
					i++;
					break;
				}
			}
			line_start = escape = false;
			emit_punct(f, c, line);
			i++;
			break;
		case A_QUOTE:
			line_start = false;
			emit_punct(f, c, line);
			if (!quote)
				quote = (char)c;
			else if (escape)
				escape = false;
			else if (c == (unsigned char)quote)
				quote = 0;
			i++;
			break;
		case A_BSLASH:
			line_start = false;
			emit_punct(f, c, line);
			escape = quote && !escape;
			i++;
			break;
		default:
			line_start = escape = false;
			emit_punct(f, c, line);
			i++;
			break;
		}
		if (!quote)
			break;
	}
	f->line = line;
	f->quote = quote;
	f->escape = escape;
	f->line_start = line_start;
	return i;
}

/* ---- plain code, 64 bytes at a time ----
 *
 * Bit masks of a block's bytes (bit j: byte j) give every token's start
 * and length without a branch per byte: a word token is a run of
 * identifier bytes (a number also takes '.'), every other visible byte a
 * token of its own.  A line is the count of line ends before a token.
 * The bytes that open a comment or a string (/ # ' " ` \) go to
 * scalar_run(), which comes back once the code is plain again. */

typedef struct masks {
	uint64_t word;  /* identifier bytes */
	uint64_t num;   /* what continues a number */
	uint64_t blank;
	uint64_t lf, cr;
	uint64_t digit;
	uint64_t special; /* / # */
	uint64_t dq, sq, bq, bs; /* " ' ` \ */
} masks;

#if defined(__SSE2__)
#include <emmintrin.h>

static inline uint64_t bits16(__m128i v, unsigned at)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(v) << at;
}

/* x in [lo, hi], bytewise, unsigned */
static inline __m128i in_range(__m128i x, unsigned char lo, unsigned char hi)
{
	__m128i y = _mm_add_epi8(x, _mm_set1_epi8((char)(unsigned char)(128 - lo)));
	return _mm_cmplt_epi8(y, _mm_set1_epi8((char)(unsigned char)(128 + hi - lo + 1)));
}

static inline void classify(const unsigned char *p, masks *m)
{
	m->word = m->num = m->blank = m->lf = m->cr = m->digit = m->special = 0;
	m->dq = m->sq = m->bq = m->bs = 0;
	for (unsigned k = 0; k < 64; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
		__m128i alpha = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
		__m128i digit = in_range(v, '0', '9');
		__m128i w = _mm_or_si128(alpha, digit);
		w = _mm_or_si128(w, _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
		w = _mm_or_si128(w, _mm_cmpeq_epi8(v, _mm_set1_epi8('$')));
		w = _mm_or_si128(w, _mm_cmplt_epi8(v, _mm_setzero_si128())); /* >= 0x80 */
		__m128i num = _mm_or_si128(w, _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
		__m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
		b = _mm_or_si128(b, _mm_cmpeq_epi8(v, _mm_setzero_si128()));
		b = _mm_or_si128(b, _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
		b = _mm_or_si128(b, in_range(v, '\v', '\f'));
		m->word |= bits16(w, k);
		m->num |= bits16(num, k);
		m->blank |= bits16(b, k);
		m->lf |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), k);
		m->cr |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), k);
		m->digit |= bits16(digit, k);
		__m128i sp = _mm_cmpeq_epi8(v, _mm_set1_epi8('/'));
		sp = _mm_or_si128(sp, _mm_cmpeq_epi8(v, _mm_set1_epi8('#')));
		m->special |= bits16(sp, k);
		m->dq |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), k);
		m->sq |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')), k);
		m->bq |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('`')), k);
		m->bs |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), k);
	}
}
#else
static inline void classify(const unsigned char *p, masks *m)
{
	m->word = m->num = m->blank = m->lf = m->cr = m->digit = m->special = 0;
	m->dq = m->sq = m->bq = m->bs = 0;
	for (unsigned k = 0; k < 64; k++) {
		uint8_t c = cls[p[k]];
		m->digit |= (uint64_t)((c & C_DIGIT) != 0) << k;
		m->special |= (uint64_t)(p[k] == '/' || p[k] == '#') << k;
		m->dq |= (uint64_t)(p[k] == '"') << k;
		m->sq |= (uint64_t)(p[k] == '\'') << k;
		m->bq |= (uint64_t)(p[k] == '`') << k;
		m->bs |= (uint64_t)(p[k] == '\\') << k;
		m->word |= (uint64_t)((c & (C_ID | C_DIGIT)) != 0) << k;
		m->num |= (uint64_t)((c & C_NUM) != 0) << k;
		m->blank |= (uint64_t)((c & C_BLANK) != 0) << k;
		m->lf |= (uint64_t)(p[k] == '\n') << k;
		m->cr |= (uint64_t)(p[k] == '\r') << k;
	}
}
#endif

/* hw: the caller was compiled for the POPCNT instruction. */
static inline __attribute__((always_inline)) unsigned popcount64_hw(uint64_t x, bool hw)
{
	if (hw)
		return (unsigned)__builtin_popcountll(x);
#if defined(__POPCNT__)
	return (unsigned)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}


#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

static inline __attribute__((target("avx2"), always_inline)) uint64_t bits32(__m256i v,
									     unsigned at)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << at;
}

static inline __attribute__((target("avx2"), always_inline)) __m256i
in_range32(__m256i x, unsigned char lo, unsigned char hi)
{
	__m256i y = _mm256_add_epi8(x, _mm256_set1_epi8((char)(unsigned char)(128 - lo)));
	return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(unsigned char)(128 + hi - lo + 1)), y);
}

/* classify(), 32 bytes a step. */
static inline __attribute__((target("avx2"))) void
classify_avx2(const unsigned char *p, masks *m)
{
	m->word = m->num = m->blank = m->lf = m->cr = m->digit = m->special = 0;
	m->dq = m->sq = m->bq = m->bs = 0;
	for (unsigned k = 0; k < 64; k += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + k));
		__m256i alpha = in_range32(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), 'a', 'z');
		__m256i digit = in_range32(v, '0', '9');
		__m256i w = _mm256_or_si256(alpha, digit);
		w = _mm256_or_si256(w, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_')));
		w = _mm256_or_si256(w, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('$')));
		w = _mm256_or_si256(w, _mm256_cmpgt_epi8(_mm256_setzero_si256(), v)); /* >= 0x80 */
		__m256i num = _mm256_or_si256(w, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')));
		__m256i b = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(' '));
		b = _mm256_or_si256(b, _mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
		b = _mm256_or_si256(b, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t')));
		b = _mm256_or_si256(b, in_range32(v, '\v', '\f'));
		m->word |= bits32(w, k);
		m->num |= bits32(num, k);
		m->blank |= bits32(b, k);
		m->lf |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')), k);
		m->cr |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')), k);
		m->digit |= bits32(digit, k);
		__m256i sp = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/'));
		sp = _mm256_or_si256(sp, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('#')));
		m->special |= bits32(sp, k);
		m->dq |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')), k);
		m->sq |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\'')), k);
		m->bq |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('`')), k);
		m->bs |= bits32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')), k);
	}
}
#endif

static inline unsigned ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64;
}

/* Bits [0, k) for k in [0, 64]. */
static inline uint64_t below(unsigned k)
{
	return k >= 64 ? ~0ull : (1ull << k) - 1;
}

/* Is there nothing but blanks on the line before bit pos?  From bit from,
 * where the answer was start. */
static inline bool at_line_start(uint64_t le, uint64_t visible, unsigned from, bool start,
				 unsigned pos)
{
	uint64_t r = below(pos) & ~below(from);
	uint64_t l = le & r;
	if (l) {
		unsigned last = 63 - (unsigned)__builtin_clzll(l);
		return !(visible & r & ~below(last + 1));
	}
	return start && !(visible & r);
}

/* A word or punctuation token of the block at p, bit pos, length len
 * (at most 16, or any length when avail, the bytes readable from it, is
 * short): hashed as hash_token() does. */
static inline uint64_t hash_short(const unsigned char *s, size_t len, size_t avail)
{
	if (__builtin_expect(len > 16 || avail < 16, 0))
		return hash_token(s, len, avail);
	/* one or two words, both hashed, one kept: no branch */
	size_t l0 = len < 8 ? len : 8, l1 = len - l0;
	uint64_t w0 = load64(s) & (~0ull >> (64 - 8 * l0));
	uint64_t w1 = load64(s + 8) & (l1 ? ~0ull >> (64 - 8 * l1) : 0);
	uint64_t h0 = word_step(WORD_SEED, w0);
	uint64_t h1 = word_step(h0, w1);
	return word_final(l1 ? h1 : h0, len);
}

/* A word token from p[a] whose run reaches its block's end: scanned on
 * to its end, emitted, or kept as cut by the end of the data.  Returns
 * where the code goes on. */
static size_t long_token(lg_fingerprinter *f, const unsigned char *p, size_t a, size_t n,
			 bool number, uint32_t line)
{
	uint8_t want = number ? C_NUM : (C_ID | C_DIGIT);
	size_t j = a + 1;
	while (j < n && (cls[p[j]] & want))
		j++;
	f->line = line;
	f->line_start = false;
	if (j == n) {
		f->state = number ? TK_NUMBER : TK_IDENT;
		f->tok_line = line;
		f->tok_hash = WORD_SEED;
		f->tok_word = 0;
		f->tok_len = 0;
		cut_token_add(f, p + a, n - a);
		return n;
	}
	emit(f, hash_token(p + a, j - a, n - a), line, p + a,
	     j - a < LG_FP_TOKEN_TEXT ? j - a : LG_FP_TOKEN_TEXT);
	return j;
}

static inline __attribute__((always_inline)) void classify_any(const unsigned char *p, masks *m,
								 bool avx2)
{
#ifdef HAVE_AVX2_PATH
	if (avx2) {
		classify_avx2(p, m);
		return;
	}
#endif
	(void)avx2;
	classify(p, m);
}

/* Code from p[i], in a string or not (f outside comments, nothing
 * held): returns n, or where a token runs on past a block (the caller
 * goes on there).  The tokens of a block up to its next event (a byte
 * that may open or close a comment or a string, an escape, a line's end
 * in a string, a number, a word that runs past the block) are taken in a
 * loop whose only carried work is clearing the lowest bit of a mask:
 * their lengths come from the masks, not from the bytes. */
static inline __attribute__((always_inline)) size_t
block_run_body(lg_fingerprinter *f, const unsigned char *p, size_t i, size_t n, bool avx2)
{
	unsigned char tail[64];
	char quote = f->quote;
	while (i < n) {
		size_t blen = n - i < 64 ? n - i : 64;
		const unsigned char *q = p + i;
		masks m;
		if (blen == 64) {
			classify_any(q, &m, avx2);
		} else {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, q, blen);
			classify_any(tail, &m, avx2);
		}
		uint64_t valid = below((unsigned)blen);
		bool cr_before = i > 0 && p[i - 1] == '\r';
		uint64_t le = m.cr | (m.lf & ~((m.cr << 1) | (uint64_t)cr_before));
		uint64_t visible = valid & ~(m.blank | m.lf | m.cr);
		uint64_t word = m.word & valid, num = m.num & valid;
		uint64_t wstart = word & ~(word << 1);
		uint64_t todo = wstart | (visible & ~word);
		uint64_t words_ev = m.digit & wstart;
		if (word >> (blen - 1) & 1) /* the last run may go on */
			words_ev |= 1ull << (63 - __builtin_clzll(wstart));
		uint64_t code_ev = (m.special | m.dq | m.sq | m.bq) & valid;
		uint32_t line_base = f->line;
		unsigned ls_from = 0, cur = 0;
		bool ls = f->line_start;
		size_t avail = n - i;
		for (;;) {
			uint64_t ev = words_ev;
			if (!quote)
				ev |= code_ev;
			else
				ev |= (quote == '"' ? m.dq : quote == '\'' ? m.sq : m.bq) | m.bs |
				      (quote != '`' ? le : 0);
			ev &= ~below(cur);
			uint64_t fast = todo & (ev ? below((unsigned)__builtin_ctzll(ev)) : ~0ull);
			todo &= ~fast;
			while (fast) {
				unsigned pos = (unsigned)__builtin_ctzll(fast);
				fast &= fast - 1;
				size_t len = ctz64(~(word >> pos));
				len += len == 0; /* punctuation */
				uint32_t line = line_base + popcount64_hw(le & below(pos), avx2);
				emit(f, hash_short(q + pos, len, avail - pos), line, q + pos,
				     len < LG_FP_TOKEN_TEXT ? len : LG_FP_TOKEN_TEXT);
			}
			if (!ev)
				break;
			/* the event */
			unsigned pos = (unsigned)__builtin_ctzll(ev);
			size_t a = i + pos;
			unsigned char c = p[a];
			uint32_t line = line_base + popcount64_hw(le & below(pos), avx2);
			size_t to = a + 1;
			if (words_ev >> pos & 1) {
				bool number = m.digit >> pos & 1;
				size_t len = ctz64(~((number ? num : word) >> pos));
				if (pos + len >= blen) {
					f->quote = quote;
					f->escape = false;
					return long_token(f, p, a, n, number, line);
				}
				emit(f, hash_short(p + a, len, n - a), line, p + a,
				     len < LG_FP_TOKEN_TEXT ? len : LG_FP_TOKEN_TEXT);
				to = a + len;
			} else if (cls[c] & C_NL) { /* a string's line ends: so does it */
				quote = 0;
			} else if (quote && c == '\\') {
				emit_punct(f, c, line);
				if (a + 1 == n) { /* what it escapes is in the next block */
					f->line = line;
					f->line_start = false;
					f->quote = quote;
					f->escape = true;
					return n;
				}
				if (p[a + 1] == (unsigned char)quote || p[a + 1] == '\\') {
					emit_punct(f, p[a + 1], line);
					to = a + 2;
				}
			} else if (quote) { /* its closing quote */
				emit_punct(f, c, line);
				quote = 0;
			} else if (c == '"' || c == '\'' || c == '`') {
				emit_punct(f, c, line);
				quote = (char)c;
			} else if (c == '/' && a + 1 < n && !slash_comment(p[a + 1])) {
				emit_punct(f, c, line);
			} else if (c == '#' && !at_line_start(le, visible, ls_from, ls, pos)) {
				emit_punct(f, c, line);
			} else { /* a comment, perhaps */
				f->line = line;
				f->line_start = at_line_start(le, visible, ls_from, ls, pos);
				f->quote = 0;
				f->escape = false;
				to = scalar_run(f, p, a, n);
				if (to >= i + blen)
					return to; /* f holds all */
				unsigned at = (unsigned)(to - i);
				line_base = f->line - popcount64_hw(le & below(at), avx2);
				ls_from = at;
				ls = f->line_start;
				quote = f->quote;
			}
			if (to == i + blen)
				break; /* the block's end, as if no event */
			if (to > i + blen) { /* an escaped byte past it */
				f->line = line_base + popcount64_hw(le & below((unsigned)(to - i)), avx2);
				f->line_start = false;
				f->quote = quote;
				f->escape = false;
				return to;
			}
			cur = (unsigned)(to - i);
			todo &= ~below(cur);
		}
		f->line = line_base + popcount64_hw(le, avx2);
		f->line_start = at_line_start(le, visible, ls_from, ls, (unsigned)blen);
		i += blen;
		if (i == n && p[n - 1] == '\r')
			f->prev_cr = true;
	}
	f->quote = quote;
	f->escape = false;
	return n;
}

/* block_run_body() for any x86-64 (SSE2), and for one with AVX2, BMI and
 * POPCNT, chosen once (init_tables()). */
static size_t block_run_generic(lg_fingerprinter *f, const unsigned char *p, size_t i, size_t n)
{
	return block_run_body(f, p, i, n, false);
}

#ifdef HAVE_AVX2_PATH
static __attribute__((target("avx2,bmi,popcnt"))) size_t
block_run_avx2(lg_fingerprinter *f, const unsigned char *p, size_t i, size_t n)
{
	return block_run_body(f, p, i, n, true);
}
#endif

static size_t (*block_run)(lg_fingerprinter *, const unsigned char *, size_t, size_t) =
	block_run_generic;

static void pick_path(bool simd)
{
	block_run = block_run_generic;
#ifdef HAVE_AVX2_PATH
	__builtin_cpu_init();
	if (simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
	    __builtin_cpu_supports("popcnt"))
		block_run = block_run_avx2;
#else
	(void)simd;
#endif
}

static void pick_default_path(void)
{
	pick_path(true);
}

static pthread_once_t path_once = PTHREAD_ONCE_INIT;

void lg_fp_use_simd(bool on)
{
	pthread_once(&tables_once, init_tables);
	pthread_once(&path_once, pick_default_path);
	pick_path(on);
}

static void tokenize(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	size_t i = 0;
	if (f->prev_cr) { /* the LF of a CRLF cut by the block's end */
		f->prev_cr = false;
		if (p[0] == '\n')
			i = 1;
	}
	if (f->state != TK_NONE && i < n) {
		uint8_t want = f->state == TK_IDENT ? (C_ID | C_DIGIT) : C_NUM;
		size_t j = i;
		while (j < n && (cls[p[j]] & want))
			j++;
		cut_token_add(f, p + i, j - i);
		if (j == n)
			return;
		cut_token_end(f);
		i = j;
	}
	if (f->pending != P_NONE && i < n) {
		unsigned char c = p[i];
		if (f->pending == P_SLASH && slash_comment(c)) {
			f->comment = c == '/' ? CM_LINE : CM_BLOCK;
			f->star = false;
			f->pending = P_NONE;
			i++;
		} else if (f->pending == P_HASH && hash_comment(c)) {
			f->comment = CM_LINE;
			f->pending = P_NONE;
			i++;
		} else if (f->pending == P_HASH && (cls[c] & C_NL)) {
			f->pending = P_NONE; /* a lone '#': an empty comment */
		} else {
			flush_pending(f);
		}
	}
	if (f->comment == CM_LINE) {
		i = skip_line_comment(p, i, n);
		if (i == n)
			return;
		f->comment = CM_NONE;
	} else if (f->comment == CM_BLOCK) {
		i = skip_block_comment(f, p, i, n);
		if (i == n)
			return;
	}
	if (f->escape && i < n)
		i = scalar_run(f, p, i, n);
	while (i < n && f->state == TK_NONE && f->pending == P_NONE && f->comment == CM_NONE)
		i = block_run(f, p, i, n);
}

/* ---- the whole ------------------------------------------------------------ */

void lg_fp_init(lg_fingerprinter *f)
{
	pthread_once(&tables_once, init_tables);
	pthread_once(&path_once, pick_default_path);
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
	memset(f, 0, offsetof(lg_fingerprinter, buf_hash));
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
	flush_tokens(f);
}

void lg_fp_end(lg_fingerprinter *f, lg_fp_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->binary = f->binary;
	if (f->binary)
		return;
	flush_pending(f);
	cut_token_end(f);
	flush_tokens(f);
	lg_winnow_end(&f->wn);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(f->norm));
	memcpy(out->normalized, c.digest, sizeof(out->normalized));
	out->tokens = f->tokens;
	out->fingerprints = f->wn.nsel;
}
