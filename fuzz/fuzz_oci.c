/* fuzz_oci.c - the image's JSON documents (oci.c: oci-layout, index.json,
 * nested indexes, manifests, configs, docker-archive manifest.json),
 * through lg_oci_load() over an in-memory image.
 *
 * Input: documents separated by lines "--".
 *   - An optional first part of selection lines: "ref NAME", "platform
 *     OS/ARCH[/VARIANT]" (it does not start with '{' or '[').
 *   - The top document: index.json of an OCI layout (with a fixed
 *     oci-layout), or manifest.json of a docker archive when it starts
 *     with '['.
 *   - Blobs 1..9, each stored at blobs/sha256/<its sha256>.
 * So that mutations get past digest checks, "$dN", "$hN" and "$sN" in a
 * document become the digest ("sha256:..."), the hex and the size of blob
 * N, for blobs after it (blobs are finished from the last one up).
 * fuzz/seeds.sh writes the fixture layouts in this form.
 */
#include <string.h>

#include "fuzz_common.h"
#include "oci.h"
#include "util.h"

#define MAX_DOCS 11
#define MAX_SELECT 4

typedef struct doc {
	const char *p;
	size_t len;
	lg_buf text;      /* after substitution */
	lg_digest digest; /* blobs only */
} doc;

/* Replace the placeholders of d that name blobs after it (index > self). */
static void substitute(doc *docs, size_t ndocs, size_t self, size_t first_blob)
{
	doc *d = &docs[self];
	for (size_t i = 0; i < d->len; i++) {
		char c = d->p[i];
		size_t n = i + 2 < d->len ? (size_t)(d->p[i + 2] - '0') : 0;
		size_t at = first_blob + n - 1;
		bool ph = c == '$' && i + 2 < d->len && n >= 1 && n <= 9 &&
			  at < ndocs && at > self && strchr("dhs", d->p[i + 1]);
		if (!ph) {
			lg_buf_putc(&d->text, c);
			continue;
		}
		const doc *t = &docs[at];
		if (d->p[i + 1] == 'd')
			lg_buf_appendf(&d->text, "%s", t->digest.str);
		else if (d->p[i + 1] == 'h')
			lg_buf_appendf(&d->text, "%s", lg_digest_hex(&t->digest));
		else
			lg_buf_appendf(&d->text, "%zu", t->text.len);
		i += 2;
	}
}

static size_t split(const char *s, size_t size, doc *docs)
{
	size_t n = 0;
	const char *end = s + size;
	while (n < MAX_DOCS) {
		const char *sep = memmem(s, (size_t)(end - s), "\n--\n", 4);
		docs[n].p = s;
		docs[n].len = sep ? (size_t)(sep - s) + 1 : (size_t)(end - s);
		n++;
		if (!sep)
			break;
		s = sep + 4;
	}
	return n;
}

/* Parse the selection lines of d into sel. */
static void parse_select(const doc *d, lg_select *sel, char **refs,
			 lg_platform_filter *plats)
{
	const char *s = d->p, *end = d->p + d->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl : end) - s);
		if (len > 4 && strncmp(s, "ref ", 4) == 0 && sel->nrefs < MAX_SELECT) {
			refs[sel->nrefs++] = lg_xstrndup(s + 4, len - 4);
		} else if (len > 9 && strncmp(s, "platform ", 9) == 0 &&
			   sel->nplatforms < MAX_SELECT) {
			char *v = lg_xstrndup(s + 9, len - 9);
			lg_error err = LG_ERROR_INIT;
			if (lg_platform_filter_parse(v, &plats[sel->nplatforms], &err) == 0)
				sel->nplatforms++;
			else
				FUZZ_CHECK(err.msg != NULL);
			lg_error_clear(&err);
			free(v);
		}
		s += len + 1;
	}
}

static void check_set(const lg_image_set *set)
{
	FUZZ_CHECK(set->nimages > 0);
	for (size_t i = 0; i < set->nimages; i++) {
		const lg_image *img = &set->images[i];
		char buf[200];
		lg_platform_string(&img->platform, buf, sizeof buf);
		for (size_t l = 0; l < img->nlayers; l++) {
			const lg_layer_desc *d = &img->layers[l];
			FUZZ_CHECK(d->size >= 0 && d->media_type);
			FUZZ_CHECK(strncmp(d->digest.str, "sha", 3) == 0);
			FUZZ_CHECK(strncmp(d->diff_id.str, "sha", 3) == 0);
		}
	}
	for (size_t i = 0; i < set->nskipped; i++)
		FUZZ_CHECK(set->skipped[i].reason && set->skipped[i].digest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	doc docs[MAX_DOCS] = { { 0 } };
	size_t ndocs = split((const char *)data, size, docs);
	lg_select sel = { 0 };
	char *refs[MAX_SELECT];
	lg_platform_filter plats[MAX_SELECT];
	size_t top = 0;
	if (docs[0].len && docs[0].p[0] != '{' && docs[0].p[0] != '[') {
		parse_select(&docs[0], &sel, refs, plats);
		top = 1;
	}
	sel.refs = (const char *const *)refs;
	sel.platforms = plats;
	if (top >= ndocs)
		goto out;

	for (size_t i = ndocs; i-- > top;) {
		substitute(docs, ndocs, i, top + 1);
		if (i > top)
			fuzz_sha256(docs[i].text.data ? docs[i].text.data : "",
				    docs[i].text.len, &docs[i].digest);
	}
	lg_input *in = fuzz_mem_input();
	const char *text0 = docs[top].text.data ? docs[top].text.data : "";
	if (text0[0] == '[') {
		fuzz_mem_add(in, "manifest.json", text0, docs[top].text.len);
	} else {
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		fuzz_mem_add(in, "oci-layout", layout, sizeof layout - 1);
		fuzz_mem_add(in, "index.json", text0, docs[top].text.len);
	}
	for (size_t i = top + 1; i < ndocs; i++) {
		char name[100];
		snprintf(name, sizeof name, "blobs/sha256/%s",
			 lg_digest_hex(&docs[i].digest));
		fuzz_mem_add(in, name, docs[i].text.data ? docs[i].text.data : "",
			     docs[i].text.len);
	}
	lg_image_set *set = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_oci_load(in, &sel, &set, &err) == 0) {
		check_set(set);
		lg_image_set_free(set);
	} else {
		FUZZ_CHECK(err.msg != NULL);
	}
	lg_error_clear(&err);
	lg_input_free(in);
out:
	for (size_t i = 0; i < sel.nrefs; i++)
		free(refs[i]);
	for (size_t i = 0; i < ndocs; i++)
		lg_buf_free(&docs[i].text);
	return 0;
}
