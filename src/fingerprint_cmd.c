/* fingerprint_cmd.c - see fingerprint_cmd.h */
#include "fingerprint_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "evidence_fingerprint.h"
#include "fingerprint.h"
#include "layer.h"
#include "source_tree.h"
#include "tagscan.h"
#include "util.h"

/* Tags kept per file; more is a tag bomb, not a license. */
#define READ_BLOCK 65536

typedef struct vec_fp {
	lg_fp *v;
	size_t n, cap;
} vec_fp;

typedef struct vec_u64 {
	uint64_t *v;
	size_t n, cap;
} vec_u64;

typedef struct maker {
	const lg_rules *rules;
	const lg_fingerprint_options *o;
	lg_fpset *set;
	lg_buf path;            /* PREFIX/relative path of the current file */
	char *head;             /* LG_TEXT_HEAD bytes */
	size_t head_len;
	lg_source_tags tags;  /* the current file's */
	const lg_rule **texts;
	lg_fingerprinter fp;
	vec_fp fps;             /* the current file's fingerprints */
	vec_u64 grams;          /* ... and all its k-gram hashes */
	size_t files, denied;
	unsigned char *buf;
} maker;

static void on_fp(void *ud, const lg_fp *fp)
{
	vec_fp *v = ud;
	lg_xgrow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v));
	v->v[v->n++] = *fp;
}

static void on_gram(void *ud, const lg_fp *fp)
{
	vec_u64 *v = ud;
	lg_xgrow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v));
	v->v[v->n++] = fp->hash;
}

/* Read the file once: tags, the head for text rules, XXH3 and the
 * fingerprints. */
static int read_file(maker *m, int fd, uint8_t exact[16], lg_fp_summary *sum, lg_error *err)
{
	lg_tagscan ts;
	lg_tagscan_init(&ts, lg_source_tags_event, &m->tags);
	m->head_len = 0;
	m->fps.n = 0;
	m->grams.n = 0;
	lg_source_tags_reset(&m->tags);
	lg_fp_begin(&m->fp, LG_FP_K, LG_FP_W, on_fp, &m->fps, NULL, NULL);
	lg_fp_each_gram(&m->fp, on_gram, &m->grams);
	XXH3_state_t *x = XXH3_createState();
	XXH3_128bits_reset(x);
	for (;;) {
		ssize_t n = read(fd, m->buf, READ_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			XXH3_freeState(x);
			return lg_err_errno(err, errno, "%s", m->path.data);
		}
		if (n == 0)
			break;
		if (m->head_len < LG_TEXT_HEAD) {
			size_t k = LG_TEXT_HEAD - m->head_len < (size_t)n ? LG_TEXT_HEAD - m->head_len
									   : (size_t)n;
			memcpy(m->head + m->head_len, m->buf, k);
			m->head_len += k;
		}
		lg_tagscan_feed(&ts, m->buf, (size_t)n);
		lg_fp_feed(&m->fp, m->buf, (size_t)n);
		XXH3_128bits_update(x, m->buf, (size_t)n);
	}
	lg_tagscan_end(&ts);
	lg_fp_end(&m->fp, sum);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(x));
	memcpy(exact, c.digest, 16);
	XXH3_freeState(x);
	lg_source_tags_finish(&m->tags);
	if (sum->binary)
		m->fps.n = m->grams.n = 0;
	return 0;
}

static int gave_up(const lg_rule *r, const char *path, lg_error *err)
{
	return lg_err(err, "%s:%u: pattern '%s' exceeded the regex work limits on %s", r->file,
		      r->line, r->pattern, path);
}

/* One file (path relative to the root, open at fd). */
static int add_file(maker *m, const char *rel, int fd, uint64_t size, uint32_t mode,
		    lg_error *err)
{
	lg_buf_reset(&m->path);
	lg_buf_appendf(&m->path, "%s/%s", strcmp(m->o->prefix, "/") == 0 ? "" : m->o->prefix,
		       rel);
	uint8_t exact[16];
	lg_fp_summary sum;
	if (read_file(m, fd, exact, &sum, err) < 0)
		return -1;
	const char *p = m->path.data;
	size_t ntexts = 0;
	for (size_t i = 0; i < lg_rules_text_count(m->rules); i++) {
		int hit = lg_rules_text_match(m->rules, i, m->head, m->head_len);
		if (hit < 0)
			return gave_up(lg_rules_text_at(m->rules, i), p, err);
		if (hit)
			m->texts[ntexts++] = lg_rules_text_at(m->rules, i);
	}
	/* One file as a layer of its own, for lg_classify(). */
	lg_file f = {
		.path = p,
		.len = (uint32_t)m->path.len,
		.mode = mode,
		.size = size,
		.ntags = (uint32_t)m->tags.n,
		.ntext = (uint32_t)ntexts,
	};
	memcpy(f.xxh3, exact, 16);
	lg_layer l = { .files = &f, .nfiles = 1, .tags = m->tags.tags, .ntags = m->tags.n,
		       .texts = m->texts, .ntexts = ntexts };
	lg_classification cl;
	lg_classify(m->rules, m->o->target, &l, &f, &cl);
	if (lg_rules_match_error(m->rules, err) < 0)
		return -1;
	m->files++;
	if (cl.outcome == LG_OUT_DENY && cl.class_name) {
		m->denied++;
		lg_fpset_add(m->set, p, cl.class_name, exact, sum.normalized, sum.tokens, m->fps.v,
			     m->fps.n);
	} else {
		lg_fpset_allow(m->set, exact, sum.normalized, m->grams.v, m->grams.n);
	}
	return 0;
}

/* Each file the build would send (source_tree.h); a symlink ships as one,
 * with no content to fingerprint. */
static int on_file(void *ud, const lg_source_file *sf, lg_error *err)
{
	if (sf->link)
		return 0;
	return add_file(ud, sf->path, sf->fd, sf->size, sf->mode, err);
}

/* ---- output ---- */

static int write_set(const char *output, const lg_buf *b, lg_error *err)
{
	if (!output) {
		if (isatty(STDOUT_FILENO))
			return lg_err(err, "fingerprint: the set is binary; give -o FILE");
		if (lg_write_all(STDOUT_FILENO, b->data, b->len) < 0)
			return lg_err_errno(err, errno, "standard output");
		return 0;
	}
	char *tmp = lg_xasprintf("%s.XXXXXX", output);
	int fd = mkostemp(tmp, O_CLOEXEC);
	int r = 0;
	if (fd < 0) {
		r = lg_err_errno(err, errno, "%s", output);
	} else {
		mode_t um = umask(022);
		umask(um);
		fchmod(fd, 0644 & ~um);
		if (lg_write_all(fd, b->data, b->len) < 0 || close(fd) < 0)
			r = lg_err_errno(err, errno, "%s", output);
		else if (rename(tmp, output) < 0)
			r = lg_err_errno(err, errno, "%s", output);
		if (r < 0)
			unlink(tmp);
	}
	free(tmp);
	return r;
}

int lg_fingerprint_make(const lg_rules *rules, const lg_fingerprint_options *o, lg_error *err)
{
	struct stat st;
	if (stat(o->source, &st) < 0)
		return lg_err_errno(err, errno, "%s", o->source);
	if (!S_ISDIR(st.st_mode))
		return lg_err(err, "%s: not a directory", o->source);
	maker m = {
		.rules = rules,
		.o = o,
		.set = lg_fpset_new(lg_rules_name(rules), lg_rules_digest(rules),
				    lg_target_name(o->target), o->prefix),
		.head = lg_xmalloc(LG_TEXT_HEAD),
		.texts = lg_xcalloc(lg_rules_text_count(rules) + 1, sizeof(*m.texts)),
		.buf = lg_xmalloc(READ_BLOCK),
	};
	lg_fp_init(&m.fp);
	int r = lg_source_walk(o->source, NULL, on_file, &m, err);
	lg_buf out = LG_BUF_INIT;
	if (r == 0) {
		lg_fpset_encode(m.set, &out);
		r = write_set(o->output, &out, err);
	}
	if (r == 0)
		fprintf(stderr, "licgate: fingerprint: %zu files, %zu denied by target %s: %zu bytes "
			"written to %s\n", m.files, m.denied, lg_target_name(o->target), out.len,
			o->output ? o->output : "standard output");
	lg_buf_free(&out);
	lg_fpset_free(m.set);
	lg_fp_release(&m.fp);
	free(m.fps.v);
	free(m.grams.v);
	free(m.head);
	free(m.texts);
	free(m.buf);
	lg_buf_free(&m.path);
	lg_source_tags_free(&m.tags);
	return r;
}

int lg_fingerprint_show(const char *path, lg_error *err)
{
	lg_fpset *s = NULL;
	if (lg_fpset_load(&s, path, err) < 0)
		return -1;
	lg_fpset_show(s, stdout);
	lg_fpset_free(s);
	return 0;
}
