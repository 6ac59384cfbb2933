/* fingerprint.c - see fingerprint.h
 *
 * Cost: every byte passes the binary probe (first 8 KiB) and the
 * classification of its 64-byte block (four table lookups and a few
 * shifts per 32 bytes); a block's words, comments and line ends then come
 * from its masks.  A word costs a count of trailing zeros, a population
 * count (its line) and two or three multiplies (its hash), with no branch
 * on what its bytes are.  Every word then costs a rotate and two xors
 * (the k-gram hash), a compare with the window's minimum (a rescan of the
 * window, O(w) without branches, only when the minimum leaves it) and 8
 * bytes of XXH3 (the normalized hash).
 */
#include "fingerprint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NONE UINT64_MAX


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

/* A fingerprint's hash: its k-gram's rolling hash, mixed (a bijection),
 * so that every bit of it depends on every token: the rolling hash of
 * two k-grams that differ in a token differ in that token's bits only,
 * and a set's filter reads a few of them. */
static inline uint64_t fp_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* K-gram i (of tokens i .. i + k - 1) is selected. */
static void select_gram(lg_winnow *wn, uint64_t i)
{
	wn->sel = i;
	wn->selhash = wn->gram[i & WMASK];
	wn->nsel++;
	if (wn->fn) {
		lg_fp fp = { fp_mix(wn->gram[i & WMASK]), wn->tokline[i & TMASK],
			     wn->tokline[(i + wn->k - 1) & TMASK] };
		wn->fn(wn->ud, &fp);
	}
}

/* Selections made in a batch: counted, and out to the callback. */
static void emit_fps(lg_winnow *wn, const lg_fp *fp, size_t n)
{
	wn->nsel += n;
	if (wn->fn)
		for (size_t i = 0; i < n; i++) {
			lg_fp x = { fp_mix(fp[i].hash), fp[i].line, fp[i].line_end };
			wn->fn(wn->ud, &x);
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

/* Tokens [j, n) of a batch past the text's first window: the hot state
 * in locals, the rings in memory; selections wait in a queue that goes
 * out after the loop (or when it is full): no call in the loop keeps its
 * state in registers.  Inlined with constant k and w for the defaults. */
static inline __attribute__((always_inline)) void
winnow_lean(lg_winnow *wn, const uint64_t *restrict hash, const uint32_t *restrict line,
	    size_t j, size_t n, const unsigned k, const unsigned w, const bool grams)
{
	uint64_t *tok = wn->tok, *gram = wn->gram;
	uint32_t *tokline = wn->tokline;
	uint64_t ntok = wn->ntok, roll = wn->roll, sel = wn->sel, selhash = wn->selhash;
	lg_fp out[64];
	size_t nout = 0;
	const unsigned kr = k & 63;
	for (; j < n; j++) {
		uint64_t h = hash[j];
		roll = rotl(roll, 1) ^ rotl(tok[(ntok - k) & TMASK], kr) ^ h;
		tok[ntok & TMASK] = h;
		tokline[ntok & TMASK] = line[j];
		uint64_t i = ++ntok - k; /* this k-gram */
		gram[i & WMASK] = roll;
		if (grams) {
			lg_fp fp = { fp_mix(roll), tokline[i & TMASK], line[j] };
			wn->gram_fn(wn->gram_ud, &fp);
		}
		if (__builtin_expect(sel + w > i, 1)) {
			/* A new minimum is selected (robust: an equal hash does
			 * not move the selection); whether it is, is a coin
			 * toss: written always, kept or not, no branch. */
			bool lt = roll < selhash;
			sel = lt ? i : sel;
			selhash = lt ? roll : selhash;
			out[nout] = (lg_fp){ roll, tokline[i & TMASK], line[j] };
			nout += lt;
		} else {
			sel = rightmost_min(wn, i + 1 - w, i);
			selhash = gram[sel & WMASK];
			out[nout++] = (lg_fp){ selhash, tokline[sel & TMASK],
					       tokline[(sel + k - 1) & TMASK] };
		}
		if (__builtin_expect(nout == LG_ARRAY_LEN(out), 0)) {
			emit_fps(wn, out, nout);
			nout = 0;
		}
	}
	emit_fps(wn, out, nout);
	wn->ntok = ntok;
	wn->roll = roll;
	wn->sel = sel;
	wn->selhash = selhash;
}

/* The first k + w - 1 tokens of a text take the careful loop, the rest
 * winnow_lean(), which knows a full window and a selection exist. */
void lg_winnow_tokens(lg_winnow *wn, const uint64_t *restrict hash,
		      const uint32_t *restrict line, size_t n)
{
	const unsigned k = wn->k, w = wn->w;
	const lg_fp_fn gram_fn = wn->gram_fn;
	uint64_t *tok = wn->tok, *gram = wn->gram;
	uint32_t *tokline = wn->tokline;
	uint64_t ntok = wn->ntok, roll = wn->roll;
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
			lg_fp fp = { fp_mix(roll), tokline[i & TMASK], line[j] };
			gram_fn(wn->gram_ud, &fp);
		}
		if (i + 1 == w) { /* the first full window */
			wn->ntok = ntok;
			select_gram(wn, rightmost_min(wn, 0, i));
		}
	}
	wn->ntok = ntok;
	wn->roll = roll;
	if (j == n)
		return;
	if (gram_fn)
		winnow_lean(wn, hash, line, j, n, k, w, true);
	else if (k == LG_FP_K && w == LG_FP_W)
		winnow_lean(wn, hash, line, j, n, LG_FP_K, LG_FP_W, false);
	else
		winnow_lean(wn, hash, line, j, n, k, w, false);
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
 * The text goes by blocks of 64 bytes at offsets that are multiples of 64
 * in the text: a chunk's last bytes wait in the stage for the rest of
 * their block, so how a text is cut into chunks changes nothing.  Bit
 * masks of a block's bytes (bit j: byte j) give every word's start and
 * length, every comment's opening and end and every line's end without a
 * branch per byte; what a block leaves open for the next is a few bits of
 * state (a word, a comment, a '/' or '#' whose next byte decides, a CR
 * whose LF may follow). */

enum { CM_NONE, CM_LINE, CM_BLOCK };
enum { P_NONE, P_SLASH, P_HASH };

#define K0 0x9fb21c651e98df25ull
#define K1 0xc2b2ae3d27d4eb4full
#define CHUNK_MUL 0x9e3779b97f4a7c15ull
#define WORD_SEED 0x2d358dccaa6c78a5ull

/* A token's hash: its bytes as 16-byte chunks (the last padded with
 * zeros), each two little-endian 8-byte words w0, w1 folded in as
 * w0 * K0 + w1 * K1, then its length, then a final mix.  A token of up to
 * 8 bytes costs two multiplies in all; of up to 16, three. */
static inline uint64_t chunk_step(uint64_t h, uint64_t w0, uint64_t w1)
{
	return rotl(h, 29) * CHUNK_MUL ^ (w0 * K0 + w1 * K1);
}

static inline uint64_t word_final(uint64_t h, size_t len)
{
	h ^= (uint64_t)len * CHUNK_MUL;
	h ^= h >> 32;
	h *= K1;
	return h ^ (h >> 29);
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Bytes [0, l) of an 8-byte word, l in [0, 8]. */
static const uint64_t keep[9] = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull, 0xffffffffffffull,
	0xffffffffffffffull, ~0ull,
};

/* The 8-byte word of s[0, l), l in [0, 8], with avail bytes readable. */
static inline uint64_t part64(const unsigned char *s, size_t l, size_t avail)
{
	if (avail >= 8)
		return load64(s) & keep[l];
	uint64_t w = 0;
	for (size_t j = 0; j < l; j++)
		w |= (uint64_t)s[j] << (8 * j);
	return w;
}

/* The hash of the token s[0, len), with avail >= len bytes readable at s. */
static __attribute__((noinline)) uint64_t hash_token(const unsigned char *s, size_t len,
						      size_t avail)
{
	uint64_t h = WORD_SEED;
	size_t l = len;
	for (; l >= 16; s += 16, l -= 16, avail -= 16)
		h = chunk_step(h, load64(s), load64(s + 8));
	if (l) {
		size_t l0 = l < 8 ? l : 8;
		uint64_t w0 = part64(s, l0, avail);
		uint64_t w1 = l > 8 ? part64(s + 8, l - 8, avail - 8) : 0;
		h = chunk_step(h, w0, w1);
	}
	return word_final(h, len);
}

/* hash_token() of a token of at most 16 bytes with 16 readable: no
 * branch. */
static inline __attribute__((always_inline)) uint64_t hash_short(const unsigned char *s,
								 size_t len, size_t avail)
{
	if (__builtin_expect(len > 16 || avail < 16, 0))
		return hash_token(s, len, avail);
	size_t l0 = len < 8 ? len : 8;
	uint64_t w0 = load64(s) & keep[l0];
	uint64_t w1 = load64(s + 8) & keep[len - l0];
	return word_final(chunk_step(WORD_SEED, w0, w1), len);
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
		f->token_fn(f->token_ud, hash, line, text, len < LG_FP_TOKEN_TEXT ? len : LG_FP_TOKEN_TEXT);
		flush_tokens(f);
	} else if (__builtin_expect(n == LG_ARRAY_LEN(f->buf_hash), 0)) {
		flush_tokens(f);
	}
}

/* A word cut by a block's end: its bytes p[0, n) so far. */
static void cut_token_add(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	uint64_t h = f->tok_hash;
	size_t len = f->tok_len;
	for (size_t j = 0; j < n; j++, len++) {
		if (len < LG_FP_TOKEN_TEXT)
			f->tok_text[len] = (char)p[j];
		f->tok_word[(len >> 3) & 1] |= (uint64_t)p[j] << (8 * (len & 7));
		if ((len & 15) == 15) {
			h = chunk_step(h, f->tok_word[0], f->tok_word[1]);
			f->tok_word[0] = f->tok_word[1] = 0;
		}
	}
	f->tok_hash = h;
	f->tok_len = len;
}

static void cut_token_end(lg_fingerprinter *f)
{
	if (!f->in_word)
		return;
	uint64_t h = f->tok_hash;
	if (f->tok_len & 15)
		h = chunk_step(h, f->tok_word[0], f->tok_word[1]);
	f->in_word = false;
	emit(f, word_final(h, f->tok_len), f->tok_line, f->tok_text, f->tok_len);
}

/* ---- a block's masks ---- */

typedef struct masks {
	uint64_t word;  /* [A-Za-z0-9_$] and bytes >= 0x80 */
	uint64_t blank; /* space, tab, VT, FF, NUL */
	uint64_t lf, cr;
	uint64_t slash, star, hash, bang;
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

static inline __m128i eq16(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static inline void classify_sse2(const unsigned char *p, masks *m)
{
	m->word = m->blank = m->lf = m->cr = m->slash = m->star = m->hash = m->bang = 0;
	for (unsigned k = 0; k < 64; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
		__m128i w = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
		w = _mm_or_si128(w, in_range(v, '0', '9'));
		w = _mm_or_si128(w, _mm_or_si128(eq16(v, '_'), eq16(v, '$')));
		w = _mm_or_si128(w, _mm_cmplt_epi8(v, _mm_setzero_si128())); /* >= 0x80 */
		__m128i b = _mm_or_si128(eq16(v, ' '), eq16(v, 0));
		b = _mm_or_si128(b, _mm_or_si128(eq16(v, '\t'), in_range(v, '\v', '\f')));
		m->word |= bits16(w, k);
		m->blank |= bits16(b, k);
		m->lf |= bits16(eq16(v, '\n'), k);
		m->cr |= bits16(eq16(v, '\r'), k);
		m->slash |= bits16(eq16(v, '/'), k);
		m->star |= bits16(eq16(v, '*'), k);
		m->hash |= bits16(eq16(v, '#'), k);
		m->bang |= bits16(eq16(v, '!'), k);
	}
}
#define classify_base classify_sse2
#else
/* Without SSE2: a byte at a time. */
static void classify_base(const unsigned char *p, masks *m)
{
	m->word = m->blank = m->lf = m->cr = m->slash = m->star = m->hash = m->bang = 0;
	for (unsigned k = 0; k < 64; k++) {
		unsigned c = p[k];
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
		m->word |= (uint64_t)word << k;
		m->blank |= (uint64_t)(c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == 0)
			    << k;
		m->lf |= (uint64_t)(c == '\n') << k;
		m->cr |= (uint64_t)(c == '\r') << k;
		m->slash |= (uint64_t)(c == '/') << k;
		m->star |= (uint64_t)(c == '*') << k;
		m->hash |= (uint64_t)(c == '#') << k;
		m->bang |= (uint64_t)(c == '!') << k;
	}
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,bmi,popcnt")))

/* classify_sse2() with two table lookups per class byte (the low and the
 * high nibble of each byte, ANDed): every class below is a set of bytes
 * whose low nibbles and high nibbles are independent, so one bit of a
 * table pair names it.  Bytes 0x80 and up have high nibbles 8-15. */
enum { /* the bits of the first pair: hi nibble 0 or 2 */
	K_LF = 1, K_CR = 2, K_SLASH = 4, K_STAR = 8, K_HASH = 16, K_BANG = 32,
	K_BLANK0 = 64,  /* NUL, TAB, VT, FF */
	K_SPACE = 128,
};

#define LANES(...) { __VA_ARGS__, __VA_ARGS__ }
static const uint8_t spec_lo[32] __attribute__((aligned(32))) = LANES(
	K_BLANK0 | K_SPACE, K_BANG, 0, K_HASH, 0, 0, 0, 0, 0, K_BLANK0, K_LF | K_STAR,
	K_BLANK0, K_BLANK0, K_CR, 0, K_SLASH);
static const uint8_t spec_hi[32] __attribute__((aligned(32))) = LANES(
	K_LF | K_CR | K_BLANK0, 0, K_SLASH | K_STAR | K_HASH | K_BANG | K_SPACE, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0);
/* word bytes: 1 digits, 2 A-O a-o, 4 P-Z p-z, 8 '_', 16 '$', 32 0x80 and up */
static const uint8_t word_lo[32] __attribute__((aligned(32))) = LANES(
	1 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 16 | 32,
	1 | 2 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 32, 1 | 2 | 4 | 32,
	2 | 4 | 32, 2 | 32, 2 | 32, 2 | 32, 2 | 32, 2 | 8 | 32);
static const uint8_t word_hi[32] __attribute__((aligned(32))) = LANES(
	0, 0, 16, 1, 2, 4 | 8, 2, 4, 32, 32, 32, 32, 32, 32, 32, 32);
#undef LANES

static inline AVX2 __attribute__((always_inline)) __m256i load32(const uint8_t *t)
{
	return _mm256_load_si256((const __m256i *)(const void *)t);
}

/* Bit b of each class byte, as a 32-bit mask. */
#define CLASS_BIT(c, b) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16((c), 7 - (b))))

static inline AVX2 __attribute__((always_inline)) void classify_half(const unsigned char *p,
								     masks *m, unsigned at)
{
	__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i nib = _mm256_set1_epi8(0x0f);
	__m256i lo = _mm256_and_si256(v, nib);
	__m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
	__m256i spec = _mm256_and_si256(_mm256_shuffle_epi8(load32(spec_lo), lo),
					_mm256_shuffle_epi8(load32(spec_hi), hi));
	__m256i word = _mm256_and_si256(_mm256_shuffle_epi8(load32(word_lo), lo),
					_mm256_shuffle_epi8(load32(word_hi), hi));
	uint64_t notword = (uint32_t)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(word, _mm256_setzero_si256()));
	m->word |= (~notword & 0xffffffffull) << at;
	m->lf |= CLASS_BIT(spec, 0) << at;
	m->cr |= CLASS_BIT(spec, 1) << at;
	m->slash |= CLASS_BIT(spec, 2) << at;
	m->star |= CLASS_BIT(spec, 3) << at;
	m->hash |= CLASS_BIT(spec, 4) << at;
	m->bang |= CLASS_BIT(spec, 5) << at;
	m->blank |= (CLASS_BIT(spec, 6) | (uint32_t)_mm256_movemask_epi8(spec)) << at;
}
#undef CLASS_BIT

static inline AVX2 __attribute__((always_inline)) void classify_avx2(const unsigned char *p,
								     masks *m)
{
	m->word = m->blank = m->lf = m->cr = m->slash = m->star = m->hash = m->bang = 0;
	classify_half(p, m, 0);
	classify_half(p + 32, m, 32);
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

static inline unsigned ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64;
}

/* Bits [0, k) for k in [0, 64]. */
static inline uint64_t below(unsigned k)
{
	return ((uint64_t)(k < 64) << (k & 63)) - 1; /* no branch */
}

/* Is there nothing but blanks on the line before bit pos?  start: the
 * answer at bit 0. */
static inline bool at_line_start(uint64_t le, uint64_t visible, bool start, unsigned pos)
{
	uint64_t r = below(pos);
	uint64_t l = le & r;
	if (l) {
		unsigned last = 63 - (unsigned)__builtin_clzll(l);
		return !(visible & r & ~below(last + 1));
	}
	return start && !(visible & r);
}

/* ---- a block ---- */

/* One block's masks, and what they say. */
typedef struct block {
	const unsigned char *q;
	size_t avail;      /* bytes readable from q (64 or more, or the stage's) */
	size_t real;       /* of which the text's: what may follow the block */
	unsigned len;      /* the block's bytes: 64, or fewer at the text's end */
	masks m;           /* blank cut to len */
	uint64_t next_word; /* the next block's word bytes, */
	bool has_next;      /* when it is at hand (64 bytes of the text) */
	uint64_t le;       /* line ends: CR, and LF but after a CR */
	uint64_t visible;
	uint64_t wstart;   /* first bytes of words */
	uint32_t line;     /* the line at bit 0 */
	bool line_start;   /* nothing but blanks before bit 0 on its line */
	bool hw;
} block;

static inline bool word_byte(unsigned char c)
{
	return c >= 0x80 || (unsigned char)((c | 0x20) - 'a') < 26 ||
	       (unsigned char)(c - '0') < 10 || c == '_' || c == '$';
}

/* cut_word() without the next block's masks: the word is read on in
 * place and the next blocks skip it, or, at the end of the bytes at hand,
 * cut and finished by the next block. */
static void long_word(lg_fingerprinter *f, const block *b, unsigned pos, uint32_t line)
{
	size_t end = 64;
	while (end < b->real && word_byte(b->q[end]))
		end++;
	if (end < b->real) {
		emit(f, hash_short(b->q + pos, end - pos, b->avail - pos), line, b->q + pos,
		     end - pos);
		f->skip = end - 64;
		return;
	}
	f->in_word = true;
	f->tok_line = line;
	f->tok_hash = WORD_SEED;
	f->tok_word[0] = f->tok_word[1] = 0;
	f->tok_len = 0;
	cut_token_add(f, b->q + pos, 64 - pos);
}

/* The word from bit pos runs to the block's end: the next block's masks
 * tell where it ends (the next block skips it), unless that one is not at
 * hand or is all word. */
static inline __attribute__((always_inline)) void cut_word(lg_fingerprinter *f, const block *b,
							   unsigned pos)
{
	uint32_t line = b->line + popcount64_hw(b->le & below(pos), b->hw);
	unsigned more = ctz64(~b->next_word);
	if (b->has_next && more < 64) {
		size_t len = 64 - pos + more;
		emit(f, hash_short(b->q + pos, len, b->avail - pos), line, b->q + pos, len);
		f->skip = more;
		return;
	}
	long_word(f, b, pos, line);
}

/* The code bits [from, to) of a block: its words emitted.  A word that
 * runs to the block's end is read on, or cut to be finished by the next
 * block. */
static inline __attribute__((always_inline)) void code(lg_fingerprinter *f, const block *b,
						       unsigned from, unsigned to)
{
	uint64_t r = below(to) & ~below(from);
	uint64_t ws = b->wstart & r;
	const unsigned char *q = b->q;
	uint64_t cut = 0;
	if (to == 64 && (b->m.word >> 63) && ws) {
		cut = 1ull << (63 - __builtin_clzll(ws));
		ws &= ~cut;
	}
	if (__builtin_expect(f->token_fn != NULL, 0)) {
		for (; ws; ws &= ws - 1) {
			unsigned pos = (unsigned)__builtin_ctzll(ws);
			size_t len = ctz64(~(b->m.word >> pos));
			uint32_t line = b->line + popcount64_hw(b->le & below(pos), b->hw);
			emit(f, hash_short(q + pos, len, b->avail - pos), line, q + pos, len);
		}
	} else {
		/* room for a block's words (at most 32) */
		if (f->nbuf > LG_ARRAY_LEN(f->buf_hash) - 32)
			flush_tokens(f);
		uint64_t *hash = f->buf_hash + f->nbuf;
		uint32_t *line = f->buf_line + f->nbuf;
		size_t n = 0;
		for (; ws; ws &= ws - 1, n++) {
			/* each ends before the block's end: a bit of ~word is set */
			unsigned pos = (unsigned)__builtin_ctzll(ws);
			size_t len = (unsigned)__builtin_ctzll(~(b->m.word >> pos));
			line[n] = b->line + popcount64_hw(b->le & below(pos), b->hw);
			hash[n] = hash_short(q + pos, len, b->avail - pos);
		}
		f->nbuf += n;
	}
	if (cut)
		cut_word(f, b, (unsigned)__builtin_ctzll(cut));
}

/* What the last block left open, settled by this one's first bytes:
 * returns where the block goes on. */
static inline __attribute__((always_inline)) unsigned settle(lg_fingerprinter *f,
							     const block *b)
{
	if (f->skip) { /* a word read whole by an earlier block */
		if (f->skip >= b->len) {
			f->skip -= b->len;
			return 64;
		}
		unsigned at = (unsigned)f->skip;
		f->skip = 0;
		return at;
	}
	if (f->in_word) {
		unsigned run = ctz64(~b->m.word);
		cut_token_add(f, b->q, run < b->len ? run : b->len);
		if (run >= b->len)
			return 64; /* still in it */
		cut_token_end(f);
		return run;
	}
	int pending = f->pending;
	f->pending = P_NONE;
	if (pending == P_SLASH && ((b->m.slash | b->m.star) & 1)) {
		f->comment = b->m.slash & 1 ? CM_LINE : CM_BLOCK;
		return 1; /* past the '*': it cannot also close */
	}
	if (pending == P_HASH && ((b->m.blank | b->m.bang | b->m.hash | b->m.lf | b->m.cr) & 1))
		f->comment = CM_LINE; /* (blank is cut to the block's bytes) */
	return 0;
}

/* The first comment opener of code from bit cur on, or b->len. */
static inline __attribute__((always_inline)) unsigned next_opener(const block *b, unsigned cur,
								  uint64_t openers,
								  uint64_t hashes)
{
	uint64_t from = ~below(cur);
	unsigned stop = ctz64(openers & from);
	if (stop > b->len)
		stop = b->len;
	for (uint64_t h = hashes & from & below(stop); h; h &= h - 1) {
		unsigned pos = (unsigned)__builtin_ctzll(h);
		if (at_line_start(b->le, b->visible, b->line_start, pos))
			return pos;
	}
	return stop;
}

static inline __attribute__((always_inline)) void
block_body(lg_fingerprinter *f, const unsigned char *q, size_t avail, size_t real, unsigned len,
	   const masks *m, uint64_t next_word, bool hw)
{
	block b; /* every field set, none cleared: no memset in the loop */
	b.q = q;
	b.avail = avail;
	b.real = real;
	b.len = len;
	b.m = *m;
	b.next_word = next_word;
	b.has_next = real >= 128;
	b.line = f->line;
	b.line_start = f->line_start;
	b.hw = hw;
	uint64_t valid = below(len);
	b.m.blank &= valid; /* the stage's padding */
	b.le = (b.m.cr | (b.m.lf & ~((b.m.cr << 1) | f->cr_carry))) & valid;
	b.visible = valid & ~(b.m.blank | b.m.lf | b.m.cr);
	b.wstart = b.m.word & ~((b.m.word << 1) | (f->in_word || f->skip));
	/* comments: '/' then '/' or '*'; a line's first '#' then a blank,
	 * '!', '#' or the line's end; their end: a '/' after a '*' */
	uint64_t openers = b.m.slash & ((b.m.slash | b.m.star) >> 1);
	uint64_t hashes = b.m.hash & ((b.m.blank | b.m.bang | b.m.hash | b.m.lf | b.m.cr) >> 1);
	uint64_t closers = b.m.slash & ((b.m.star << 1) | f->star_carry);
	f->star_carry = false;

	unsigned cur = settle(f, &b);
	while (cur < len) {
		if (f->comment == CM_BLOCK) {
			uint64_t c = closers & ~below(cur + 1);
			if (cur == 0)
				c |= closers & 1;
			if (!c) {
				f->star_carry = len == 64 && (b.m.star >> 63);
				break;
			}
			cur = (unsigned)__builtin_ctzll(c) + 1;
			f->comment = CM_NONE;
			continue;
		}
		if (f->comment == CM_LINE) {
			uint64_t e = b.le & ~below(cur);
			if (!e)
				break;
			cur = (unsigned)__builtin_ctzll(e);
			f->comment = CM_NONE;
		}
		unsigned stop = next_opener(&b, cur, openers, hashes);
		if (stop == 64) { /* a '/' or a line's first '#' at the end: what next? */
			if (b.m.slash >> 63)
				f->pending = P_SLASH;
			else if ((b.m.hash >> 63) &&
				 at_line_start(b.le, b.visible, b.line_start, 63))
				f->pending = P_HASH;
		}
		code(f, &b, cur, stop);
		if (stop >= len)
			break;
		if (q[stop] == '#') {
			f->comment = CM_LINE;
			cur = stop + 1;
		} else {
			f->comment = q[stop + 1] == '/' ? CM_LINE : CM_BLOCK;
			cur = stop + 2;
		}
	}
	f->line = b.line + popcount64_hw(b.le, hw);
	f->line_start = at_line_start(b.le, b.visible, b.line_start, len);
	f->cr_carry = len == 64 && (b.m.cr >> 63);
}

/* Blocks of p[0, n) (each of 64 bytes but the text's last), with real
 * bytes of the text and avail bytes readable at p: for any x86-64 (SSE2),
 * and for one with AVX2, BMI and POPCNT, chosen once. */

/* Each block is classified once, a block ahead: a word that runs past a
 * block's end is measured with the next one's masks. */
static inline __attribute__((always_inline)) void
run_body(lg_fingerprinter *f, const unsigned char *p, size_t n, size_t real, size_t avail,
	 void (*classify_any)(const unsigned char *, masks *), bool hw)
{
	masks m, next = { 0 };
	classify_any(p, &m);
	for (size_t i = 0; i < n; i += 64) {
		uint64_t next_word = 0;
		if (real - i >= 128) {
			classify_any(p + i + 64, &next);
			next_word = next.word;
		}
		block_body(f, p + i, avail - i, real - i, n - i < 64 ? (unsigned)(n - i) : 64, &m,
			   next_word, hw);
		m = next;
	}
}

static void run_generic(lg_fingerprinter *f, const unsigned char *p, size_t n, size_t real,
			size_t avail)
{
	run_body(f, p, n, real, avail, classify_base, false);
}

#ifdef HAVE_AVX2_PATH
static AVX2 void run_avx2(lg_fingerprinter *f, const unsigned char *p, size_t n, size_t real,
			  size_t avail)
{
	run_body(f, p, n, real, avail, classify_avx2, true);
}
#endif

static void (*run_blocks)(lg_fingerprinter *, const unsigned char *, size_t, size_t, size_t) =
	run_generic;

static void pick_path(bool simd)
{
	run_blocks = run_generic;
#ifdef HAVE_AVX2_PATH
	__builtin_cpu_init();
	if (simd && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
	    __builtin_cpu_supports("popcnt"))
		run_blocks = run_avx2;
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
	pthread_once(&path_once, pick_default_path);
	pick_path(on);
}

/* p[0, n): whole blocks now, the rest staged. */
static void tokenize(lg_fingerprinter *f, const unsigned char *p, size_t n)
{
	if (f->nstage) {
		size_t take = 64 - f->nstage < n ? 64 - f->nstage : n;
		memcpy(f->stage + f->nstage, p, take);
		f->nstage += take;
		p += take;
		n -= take;
		if (f->nstage < 64)
			return;
		run_blocks(f, f->stage, 64, 64, sizeof(f->stage));
		f->nstage = 0;
	}
	size_t whole = n & ~(size_t)63;
	if (whole)
		run_blocks(f, p, whole, n, n);
	memcpy(f->stage, p + whole, n - whole);
	f->nstage = n - whole;
}

/* The text's end: its last block, then what it left open. */
static void tokenize_end(lg_fingerprinter *f)
{
	if (f->nstage) {
		memset(f->stage + f->nstage, 0, sizeof(f->stage) - f->nstage);
		run_blocks(f, f->stage, f->nstage, f->nstage, sizeof(f->stage));
		f->nstage = 0;
	}
	f->pending = P_NONE; /* a '/' or '#' at the end: not a comment */
	cut_token_end(f);
}

/* ---- the whole ------------------------------------------------------------ */

void lg_fp_init(lg_fingerprinter *f)
{
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
	tokenize_end(f);
	flush_tokens(f);
	lg_winnow_end(&f->wn);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(f->norm));
	memcpy(out->normalized, c.digest, sizeof(out->normalized));
	out->tokens = f->tokens;
	out->fingerprints = f->wn.nsel;
}
