/* report_sbom.c - see report_sbom.h */
#include "report_sbom.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blob.h"
#include "spdx_ids.h"
#include "util.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_operator(const char *t, size_t n)
{
	return (n == 3 && (memcmp(t, "AND", 3) == 0 || memcmp(t, "and", 3) == 0)) ||
	       (n == 2 && (memcmp(t, "OR", 2) == 0 || memcmp(t, "or", 2) == 0));
}

static bool is_with(const char *t, size_t n)
{
	return n == 4 && (memcmp(t, "WITH", 4) == 0 || memcmp(t, "with", 4) == 0);
}

/* prefix + ID (bytes outside [A-Za-z0-9.-] as '-') appended to out, and
 * remembered once with the text it stands for. */
static void add_ref(lg_sbom_refs *refs, const char *prefix, const char *t, size_t n,
		    char *text, lg_buf *out)
{
	lg_buf id = LG_BUF_INIT;
	lg_buf_append(&id, prefix, strlen(prefix));
	for (size_t i = 0; i < n && i < 64; i++) {
		char c = t[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-';
		lg_buf_putc(&id, ok ? c : '-');
	}
	lg_buf_append(out, id.data, id.len);
	for (size_t i = 0; i < refs->n; i++)
		if (strcmp(refs->refs[i].id, id.data) == 0) {
			lg_buf_free(&id);
			free(text);
			return;
		}
	lg_xgrow((void **)&refs->refs, &refs->cap, refs->n + 1, sizeof(*refs->refs));
	refs->refs[refs->n++] = (lg_sbom_ref){ .id = lg_buf_steal(&id), .text = text };
}

/* LicenseRef-ID for an identifier SPDX does not know. */
static void append_ref(lg_sbom_refs *refs, const char *t, size_t n, lg_buf *out)
{
	lg_buf text = LG_BUF_INIT;
	lg_buf_append(&text, "licgate found the license identifier \"", 38);
	lg_buf_append_escaped(&text, t, n);
	lg_buf_appendf(&text, "\", which is not on the SPDX License List, in the file's "
		       "license information");
	add_ref(refs, "LicenseRef-", t, n, lg_buf_steal(&text), out);
}

/* A license identifier of an expression: as listed (in its listed
 * case), or a LicenseRef-. */
static void append_license(lg_sbom_refs *refs, const char *t, size_t n, lg_buf *out)
{
	bool plus = n > 1 && t[n - 1] == '+';
	size_t base = plus ? n - 1 : n;
	if (!lg_spdx_license_known(t, base)) {
		append_ref(refs, t, n, out);
		return;
	}
	bool ref = base > 11 && memcmp(t, "LicenseRef-", 11) == 0;
	char canon[LG_SPDX_ID_MAX];
	if (!ref && lg_spdx_suggest(t, base, canon, sizeof(canon)) == 0)
		lg_buf_append(out, canon, strlen(canon));
	else
		lg_buf_append(out, t, base);
	if (plus)
		lg_buf_putc(out, '+');
}

/* The exception after WITH, appended to out where the license before it
 * starts at lic: as listed; else SPDX 2.3 has no way to name it (no
 * AdditionRef- before SPDX 3), so "LICENSE WITH EXCEPTION" as a whole
 * becomes one LicenseRef-. */
static void append_exception(lg_sbom_refs *refs, size_t lic, const char *t, size_t n, lg_buf *out)
{
	char canon[LG_SPDX_ID_MAX];
	bool addition = n > 12 && memcmp(t, "AdditionRef-", 12) == 0;
	if (!addition && lg_spdx_exception_known(t, n)) {
		lg_buf_append(out, " WITH ", 6);
		if (lg_spdx_exception_suggest(t, n, canon, sizeof(canon)) == 0)
			lg_buf_append(out, canon, strlen(canon));
		else
			lg_buf_append(out, t, n);
		return;
	}
	lg_buf whole = LG_BUF_INIT;
	lg_buf_append(&whole, out->data + lic, out->len - lic);
	lg_buf_append(&whole, "-WITH-", 6);
	lg_buf_append(&whole, t, n);
	out->len = lic;
	lg_buf text = LG_BUF_INIT;
	lg_buf_append(&text, "licgate found the license exception \"", 38);
	lg_buf_append_escaped(&text, t, n);
	lg_buf_appendf(&text, "\", which is not on the SPDX exceptions list, after WITH in the "
		       "file's license information");
	add_ref(refs, "LicenseRef-", whole.data, whole.len, lg_buf_steal(&text), out);
	lg_buf_free(&whole);
}

/* Rewrite expression e into out: operators and parentheses kept,
 * identifiers canonical or LicenseRef-. */
static void rewrite(lg_sbom_refs *refs, const char *e, size_t len, lg_buf *out)
{
	bool after_with = false, space = false;
	size_t lic = 0; /* where the last license identifier starts in out */
	for (size_t i = 0; i < len;) {
		if (is_space(e[i])) {
			space = true;
			i++;
			continue;
		}
		if (e[i] == '(' || e[i] == ')') {
			if (e[i] == '(' && space && out->len && out->data[out->len - 1] != '(')
				lg_buf_putc(out, ' ');
			lg_buf_putc(out, e[i++]);
			space = false;
			continue;
		}
		size_t j = i;
		while (j < len && !is_space(e[j]) && e[j] != '(' && e[j] != ')')
			j++;
		if (is_with(e + i, j - i)) {
			after_with = true;
		} else if (after_with) {
			append_exception(refs, lic, e + i, j - i, out);
			after_with = false;
		} else {
			if (out->len && out->data[out->len - 1] != '(')
				lg_buf_putc(out, ' ');
			if (is_operator(e + i, j - i)) {
				bool and = e[i] == 'a' || e[i] == 'A';
				lg_buf_append(out, and ? "AND" : "OR", and ? 3 : 2);
			} else {
				lic = out->len;
				append_license(refs, e + i, j - i, out);
			}
		}
		space = false;
		i = j;
	}
	if (out->data)
		out->data[out->len] = '\0';
}

static bool expression_evidence(const lg_evidence *e)
{
	return e->kind == LG_EV_TAG || e->kind == LG_EV_SIDECAR || e->kind == LG_EV_NPM ||
	       e->kind == LG_EV_PYTHON;
}

bool lg_sbom_concluded(const lg_classification *c, lg_sbom_refs *refs, lg_buf *out)
{
	size_t start = out->len, n = 0;
	lg_buf one = LG_BUF_INIT;
	for (size_t i = 0; i < c->nevidence; i++) {
		const lg_evidence *e = &c->evidence[i];
		if (!expression_evidence(e))
			continue;
		lg_buf_reset(&one);
		if (e->read_as)
			rewrite(refs, e->read_as, strlen(e->read_as), &one);
		else
			rewrite(refs, e->value, e->value_len, &one);
		if (!one.len)
			continue;
		/* the same expression twice says nothing more */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++) {
			const lg_evidence *p = &c->evidence[k];
			seen = expression_evidence(p) && !p->read_as && !e->read_as &&
			       p->value_len == e->value_len && memcmp(p->value, e->value, e->value_len) == 0;
		}
		if (seen)
			continue;
		if (n++)
			lg_buf_append(out, " AND ", 5);
		lg_buf_putc(out, '(');
		lg_buf_append(out, one.data, one.len);
		lg_buf_putc(out, ')');
	}
	lg_buf_free(&one);
	if (n == 1) { /* no parentheses around a lone expression */
		memmove(out->data + start, out->data + start + 1, out->len - start - 2);
		out->len -= 2;
		out->data[out->len] = '\0';
	}
	if (n == 0 && c->class_name && c->level != LG_LEVEL_UNKNOWN) {
		char *text = lg_xasprintf("Files licgate's rules put in class %s by a path or text "
					  "rule, without an SPDX expression; each file's comment "
					  "names the rule", c->class_name);
		add_ref(refs, "LicenseRef-licgate-", c->class_name, strlen(c->class_name), text, out);
		n = 1;
	}
	return n > 0;
}

size_t lg_sbom_declared(const lg_layer *l, const lg_file *f, lg_sbom_refs *refs,
			void (*fn)(void *ud, const char *id), void *ud)
{
	lg_buf all = LG_BUF_INIT, one = LG_BUF_INIT;
	size_t n = 0;
	for (uint32_t t = f->first_tag; t < f->first_tag + f->ntags; t++) {
		const lg_tag *tag = &l->tags[t];
		lg_buf_reset(&one);
		rewrite(refs, tag->expr, tag->len, &one);
		/* split the rewritten expression into its identifiers */
		for (size_t i = 0; i < one.len;) {
			while (i < one.len && (one.data[i] == ' ' || one.data[i] == '(' || one.data[i] == ')'))
				i++;
			size_t j = i;
			while (j < one.len && one.data[j] != ' ' && one.data[j] != '(' && one.data[j] != ')')
				j++;
			if (j == i)
				break;
			bool op = is_operator(one.data + i, j - i) || is_with(one.data + i, j - i);
			size_t idlen = j - i - (one.data[j - 1] == '+' ? 1 : 0);
			if (!op && idlen) {
				/* distinct: all is ",A,B," */
				lg_buf key = LG_BUF_INIT;
				lg_buf_putc(&key, ',');
				lg_buf_append(&key, one.data + i, idlen);
				lg_buf_putc(&key, ',');
				if (!all.len)
					lg_buf_putc(&all, ',');
				if (!strstr(all.data, key.data)) {
					lg_buf_append(&all, key.data + 1, key.len - 1);
					key.data[key.len - 1] = '\0';
					fn(ud, key.data + 1);
					n++;
				}
				lg_buf_free(&key);
			}
			i = j;
		}
	}
	lg_buf_free(&all);
	lg_buf_free(&one);
	return n;
}

void lg_sbom_refs_free(lg_sbom_refs *refs)
{
	for (size_t i = 0; i < refs->n; i++) {
		free(refs->refs[i].id);
		free(refs->refs[i].text);
	}
	free(refs->refs);
	*refs = (lg_sbom_refs){ 0 };
}

void lg_sbom_uuid(const char *seed, char out[37])
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, seed, strlen(seed));
	char d[sizeof(((lg_digest *)0)->str)];
	lg_hasher_final(h, d);
	lg_hasher_free(h);
	const char *x = d + 7;
	/* version 5, variant 10xx */
	snprintf(out, 37, "%.8s-%.4s-5%.3s-%c%.3s-%.12s", x, x + 8, x + 13,
		 "89ab"[x[16] % 4], x + 17, x + 20);
}

void lg_sbom_created(char out[21])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	long long v = sde ? strtoll(sde, &end, 10) : -1;
	time_t t = sde && end && !*end && v >= 0 ? (time_t)v : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
