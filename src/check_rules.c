/* check_rules.c - see check_rules.h */
#include "check_rules.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "evidence_licfile.h"
#include "layer.h"
#include "source_tree.h"
#include "strmap.h"
#include "tagscan.h"
#include "util.h"

/* Tags kept per file; more is a tag bomb, not a license. */

typedef struct class_count {
	const char *name;
	size_t n;
} class_count;

typedef struct checker {
	const lg_rules *rules;
	const lg_check_options *o;
	lg_buf path;          /* PREFIX/relative path of the current file */
	char *head;           /* LG_TEXT_HEAD bytes */
	size_t head_len;
	lg_source_tags tags;  /* the current file's */
	const lg_rule **texts;
	bool *path_used, *exempt_used, *text_used, *license_used;
	class_count *classes;
	size_t nclasses;
	size_t files;
	size_t nlicfiles;     /* license files of no class */
	char **unknown;       /* owned paths */
	size_t nunknown, unknown_cap;
	lg_error match_err;
	lg_layer lic;          /* the tree as a layer's walk keeps it (first pass) */
	lg_licfile_index *licfiles;
} checker;

/* Read the file: its head for text rules, all of it for tags. */
static int read_content(checker *c, int fd, lg_error *err)
{
	lg_tagscan ts;
	lg_tagscan_init(&ts, lg_source_tags_event, &c->tags);
	c->head_len = 0;
	lg_source_tags_reset(&c->tags);
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lg_err_errno(err, errno, "%s", c->path.data);
		if (n == 0)
			break;
		if (c->head_len < LG_TEXT_HEAD) {
			size_t k = LG_TEXT_HEAD - c->head_len < (size_t)n ? LG_TEXT_HEAD - c->head_len
									   : (size_t)n;
			memcpy(c->head + c->head_len, buf, k);
			c->head_len += k;
		}
		lg_tagscan_feed(&ts, buf, (size_t)n);
	}
	lg_tagscan_end(&ts);
	lg_source_tags_finish(&c->tags);
	return 0;
}

/* A license rule decided an identifier found in the tree. */
static void mark_license(checker *c, const lg_rule *r)
{
	for (size_t i = 0; i < lg_rules_license_count(c->rules); i++)
		if (lg_rules_license_at(c->rules, i) == r) {
			c->license_used[i] = true;
			return;
		}
}

static void count_class(checker *c, const char *name)
{
	for (size_t i = 0; i < c->nclasses; i++)
		if (c->classes[i].name == name || strcmp(c->classes[i].name, name) == 0) {
			c->classes[i].n++;
			return;
		}
	c->classes = lg_xrealloc(c->classes, (c->nclasses + 1) * sizeof(*c->classes));
	c->classes[c->nclasses++] = (class_count){ name, 1 };
}

static int gave_up(const lg_rule *r, const char *path, lg_error *err)
{
	return lg_err(err, "%s:%u: pattern '%s' exceeded the regex work limits on %s", r->file,
		      r->line, r->pattern, path);
}

static void place(checker *c, const lg_source_file *sf)
{
	lg_buf_reset(&c->path);
	lg_buf_appendf(&c->path, "%s/", strcmp(c->o->prefix, "/") == 0 ? "" : c->o->prefix);
	lg_buf_append(&c->path, sf->path, sf->len);
}

/* An entry of the tree as the walk of a layer would record it. */
static uint32_t add_entry(lg_layer *l, const char *path, size_t len, uint8_t type)
{
	lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1, sizeof(*l->entries));
	l->entries[l->nentries] = (lg_entry){ lg_arena_strndup(&l->arena, path, len),
					      (uint32_t)len, type };
	return (uint32_t)l->nentries++;
}

/* First pass: the tree as the walk of a layer keeps it, for
 * evidence_licfile.c: every file and symlink (where a symlinked license
 * file may lead: evidence_symlink.h), the targets of symlinks named like
 * license files, and what the license files and the files of a licenses/
 * directory say (their tags and the text rules, built-in license texts
 * included, that their head matches, with the line). */
static int on_license_file(void *ud, const lg_source_file *sf, lg_error *err)
{
	checker *c = ud;
	place(c, sf);
	lg_layer *l = &c->lic;
	const char *p = c->path.data;
	size_t len = c->path.len;
	if (sf->link) {
		uint32_t entry = add_entry(l, p, len, LG_ENTRY_OTHER);
		size_t tlen = strlen(sf->link);
		if (lg_rules_is_license_file(c->rules, p, len) && tlen <= LG_LINK_MAX) {
			lg_xgrow((void **)&l->links, &l->links_cap, l->nlinks + 1, sizeof(*l->links));
			l->links[l->nlinks++] = (lg_link){ entry, (uint32_t)tlen,
							   lg_arena_strndup(&l->arena, sf->link, tlen) };
		}
		return 0;
	}
	uint32_t entry = add_entry(l, p, len, LG_ENTRY_FILE);
	lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
	lg_file *f = &l->files[l->nfiles++];
	*f = (lg_file){ .path = l->entries[entry].path, .len = (uint32_t)len, .entry = entry,
			.first_tag = (uint32_t)l->ntags, .first_text = (uint32_t)l->ntexts };
	if (!lg_rules_reads_license_text(c->rules, p, len))
		return 0;
	if (read_content(c, sf->fd, err) < 0)
		return -1;
	for (size_t i = 0; i < c->tags.n; i++) {
		lg_xgrow((void **)&l->tags, &l->tags_cap, l->ntags + 1, sizeof(*l->tags));
		lg_tag t = c->tags.tags[i];
		t.expr = lg_arena_strndup(&l->arena, t.expr, t.len);
		l->tags[l->ntags++] = t;
		f->ntags++;
	}
	for (size_t i = 0; i < lg_rules_text_count(c->rules); i++) {
		size_t at = 0;
		int m = lg_rules_text_match_at(c->rules, i, c->head, c->head_len, &at);
		if (m < 0)
			return gave_up(lg_rules_text_at(c->rules, i), c->path.data, err);
		if (!m)
			continue;
		lg_xgrow((void **)&l->texts, &l->texts_cap, l->ntexts + 1, sizeof(*l->texts));
		lg_xgrow((void **)&l->text_lines, &l->text_lines_cap, l->ntexts + 1,
			 sizeof(*l->text_lines));
		l->text_lines[l->ntexts] = lg_line_at(c->head, at);
		l->texts[l->ntexts++] = lg_rules_text_at(c->rules, i);
		f->ntext++;
	}
	return 0;
}

static int on_file(void *ud, const lg_source_file *sf, lg_error *err)
{
	checker *c = ud;
	if (sf->link) /* a symlink ships as one: no content to classify */
		return 0;
	place(c, sf);
	if (read_content(c, sf->fd, err) < 0)
		return -1;
	const char *p = c->path.data;
	size_t len = c->path.len;
	for (int k = 0; k < 2; k++) {
		enum lg_rule_kind kind = k ? LG_RULE_EXEMPT : LG_RULE_PATH;
		bool *used = k ? c->exempt_used : c->path_used;
		for (size_t i = 0; i < lg_rules_pattern_count(c->rules, kind); i++) {
			int m = lg_rules_pattern_match(c->rules, kind, i, p, len);
			if (m < 0)
				return gave_up(lg_rules_pattern_at(c->rules, kind, i), p, err);
			used[i] |= m;
		}
	}
	size_t ntexts = 0;
	for (size_t i = 0; i < lg_rules_user_text_count(c->rules); i++) {
		int m = lg_rules_text_match(c->rules, i, c->head, c->head_len);
		if (m < 0)
			return gave_up(lg_rules_text_at(c->rules, i), p, err);
		if (m) {
			c->text_used[i] = true;
			c->texts[ntexts++] = lg_rules_text_at(c->rules, i);
		}
	}
	/* One file as a layer of its own, for lg_classify(). */
	lg_file f = {
		.path = p,
		.len = (uint32_t)len,
		.mode = sf->mode,
		.size = sf->size,
		.ntags = (uint32_t)c->tags.n,
		.ntext = (uint32_t)ntexts,
	};
	lg_layer l = { .files = &f, .nfiles = 1, .tags = c->tags.tags, .ntags = c->tags.n,
		       .texts = c->texts, .ntexts = ntexts };
	lg_classification cl;
	lg_classify_dir(c->rules, c->o->target, &l, &f, lg_licfile_lookup(c->licfiles, p, len), &cl);
	if (lg_rules_match_error(c->rules, err) < 0)
		return -1;
	for (size_t i = 0; i < cl.nevidence; i++) {
		const lg_evidence *e = &cl.evidence[i];
		if (e->rule && e->rule->kind == LG_RULE_LICENSE)
			mark_license(c, e->rule);
	}
	c->files++;
	if (cl.class_name) {
		count_class(c, cl.class_name);
	} else if (lg_rules_is_license_file(c->rules, p, len)) {
		/* evidence about the files below it, not code of its own */
		c->nlicfiles++;
	} else {
		count_class(c, "unknown");
		lg_xgrow((void **)&c->unknown, &c->unknown_cap, c->nunknown + 1, sizeof(*c->unknown));
		c->unknown[c->nunknown++] = lg_xstrndup(p, len);
	}
	return 0;
}

static const char *kind_word(enum lg_rule_kind k)
{
	switch (k) {
	case LG_RULE_LICENSE:
		return "license";
	case LG_RULE_PATH:
		return "path";
	case LG_RULE_EXEMPT:
		return "exempt";
	default:
		return "text";
	}
}

/* Can path or exempt rule i match anything the source lands as, some
 * path below the prefix?  "/usr/lib/..." cannot match a tree copied to
 * /app, and is not dead for matching nothing there.  No answer: in reach. */
static bool in_reach(const checker *c, enum lg_rule_kind kind, size_t i)
{
	lg_buf start = LG_BUF_INIT;
	lg_buf_appendf(&start, "%s/", strcmp(c->o->prefix, "/") == 0 ? "" : c->o->prefix);
	int r = lg_rules_pattern_reaches(c->rules, kind, i, start.data, start.len);
	lg_buf_free(&start);
	return r != 0;
}

typedef void (*dead_fn)(void *ud, const lg_rule *r);

/* Each rule that matched nothing, in the order of the rules file's kinds. */
static size_t each_dead(const checker *c, dead_fn fn, void *ud)
{
	size_t n = 0;
	for (size_t i = 0; i < lg_rules_pattern_count(c->rules, LG_RULE_PATH); i++)
		if (!c->path_used[i] && in_reach(c, LG_RULE_PATH, i) && ++n)
			fn(ud, lg_rules_pattern_at(c->rules, LG_RULE_PATH, i));
	for (size_t i = 0; i < lg_rules_user_text_count(c->rules); i++)
		if (!c->text_used[i] && ++n)
			fn(ud, lg_rules_text_at(c->rules, i));
	for (size_t i = 0; i < lg_rules_pattern_count(c->rules, LG_RULE_EXEMPT); i++)
		if (!c->exempt_used[i] && in_reach(c, LG_RULE_EXEMPT, i) && ++n)
			fn(ud, lg_rules_pattern_at(c->rules, LG_RULE_EXEMPT, i));
	return n;
}

/* License rules are a vocabulary (SPDX identifiers), most of them for
 * what the build adds (npm packages, the base image): one that decides no
 * identifier of the source is listed, but not counted as dead. */
static void each_unused_license(const checker *c, dead_fn fn, void *ud)
{
	for (size_t i = 0; i < lg_rules_license_count(c->rules); i++)
		if (!c->license_used[i])
			fn(ud, lg_rules_license_at(c->rules, i));
}

static void text_unused(void *ud, const lg_rule *r)
{
	fprintf(ud, "unused  %s:%u: license %s decides no identifier found\n", r->file, r->line,
		r->pattern);
}

static void text_dead(void *ud, const lg_rule *r)
{
	lg_buf b = LG_BUF_INIT;
	lg_buf_append_escaped(&b, r->pattern, strlen(r->pattern));
	fprintf(ud, "dead  %s:%u: %s %s matches nothing\n", r->file, r->line, kind_word(r->kind),
		b.data);
	lg_buf_free(&b);
}

static void json_dead(void *ud, const lg_rule *r)
{
	json_array_append_new(ud, json_pack("{s:s,s:i,s:s,s:s*,s:s*}", "file", r->file, "line",
					    (json_int_t)r->line, "kind", kind_word(r->kind),
					    "pattern", r->pattern, "class", r->class_name));
}

static void count_dead(void *ud, const lg_rule *r)
{
	(void)ud;
	(void)r;
}

static void write_text(const checker *c, size_t ndead, FILE *out)
{
	const lg_check_options *o = c->o;
	fprintf(out, "%s as %s (%s): %zu files\n", o->source, o->prefix,
		o->no_dockerignore ? ".dockerignore not applied" : ".dockerignore applied",
		c->files);
	for (size_t i = 0; i < c->nclasses; i++)
		fprintf(out, "  %-20s %zu\n", c->classes[i].name, c->classes[i].n);
	if (c->nlicfiles)
		fprintf(out, "  %-20s %zu\n", "(license files)", c->nlicfiles);
	lg_buf b = LG_BUF_INIT;
	for (size_t i = 0; i < c->nunknown; i++) {
		lg_buf_reset(&b);
		lg_buf_append_escaped(&b, c->unknown[i], strlen(c->unknown[i]));
		fprintf(out, "unknown  %s\n", b.data);
	}
	lg_buf_free(&b);
	each_dead(c, text_dead, out);
	if (o->verbose)
		each_unused_license(c, text_unused, out);
	fprintf(out, "%s: %zu unknown file%s, %zu dead rule%s\n",
		o->strict && (c->nunknown || ndead) ? "FAIL" : "ok", c->nunknown,
		c->nunknown == 1 ? "" : "s", ndead, ndead == 1 ? "" : "s");
}

static void write_json(const checker *c, FILE *out)
{
	const lg_check_options *o = c->o;
	json_t *classes = json_object();
	for (size_t i = 0; i < c->nclasses; i++)
		json_object_set_new(classes, c->classes[i].name, json_integer((json_int_t)c->classes[i].n));
	json_t *unknown = json_array();
	for (size_t i = 0; i < c->nunknown; i++)
		json_array_append_new(unknown, json_stringn_nocheck(c->unknown[i], strlen(c->unknown[i])));
	json_t *dead = json_array();
	size_t ndead = each_dead(c, json_dead, dead);
	json_t *unused = json_array();
	each_unused_license(c, json_dead, unused);
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:i,s:o,s:o,s:o,s:o,s:b}", "rules",
				lg_rules_name(c->rules), "rules_digest", lg_rules_digest(c->rules),
				"source", o->source, "prefix", o->prefix, "dockerignore",
				!o->no_dockerignore, "target", lg_target_name(o->target), "files",
				(json_int_t)c->files, "classes", classes, "unknown", unknown,
				"dead_rules", dead, "unused_license_rules", unused, "passed",
				!(o->strict && (c->nunknown || ndead)));
	json_object_set_new(doc, "license_files", json_integer((json_int_t)c->nlicfiles));
	json_dumpf(doc, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(doc);
}

int lg_check_source(const lg_rules *rules, const lg_check_options *o, FILE *out,
		    lg_error *err)
{
	checker c = { .rules = rules, .o = o };
	c.head = lg_xmalloc(LG_TEXT_HEAD);
	size_t npath = lg_rules_pattern_count(rules, LG_RULE_PATH);
	size_t nexempt = lg_rules_pattern_count(rules, LG_RULE_EXEMPT);
	size_t ntext = lg_rules_text_count(rules);
	size_t nlicense = lg_rules_license_count(rules);
	c.path_used = lg_xcalloc(npath + 1, 1);
	c.exempt_used = lg_xcalloc(nexempt + 1, 1);
	c.text_used = lg_xcalloc(ntext + 1, 1);
	c.license_used = lg_xcalloc(nlicense + 1, 1);
	c.texts = lg_xcalloc(ntext + 1, sizeof(*c.texts));
	lg_source_options so = { .no_dockerignore = o->no_dockerignore };
	int r = lg_source_walk(o->source, &so, on_license_file, &c, err);
	if (r == 0) {
		const lg_layer *stack[] = { &c.lic };
		c.licfiles = lg_licfile_index_new(rules, stack, 1);
		r = lg_source_walk(o->source, &so, on_file, &c, err);
	}
	if (r == 0) {
		size_t ndead = each_dead(&c, count_dead, NULL);
		if (o->json)
			write_json(&c, out);
		else
			write_text(&c, ndead, out);
		r = o->strict && (c.nunknown || ndead) ? 1 : 0;
	}
	for (size_t i = 0; i < c.nunknown; i++)
		free(c.unknown[i]);
	free(c.unknown);
	free(c.classes);
	free(c.texts);
	free(c.path_used);
	free(c.exempt_used);
	free(c.text_used);
	free(c.license_used);
	free(c.head);
	lg_licfile_index_free(c.licfiles);
	lg_arena_free(&c.lic.arena);
	free(c.lic.entries);
	free(c.lic.files);
	free(c.lic.tags);
	free(c.lic.texts);
	free(c.lic.text_lines);
	free(c.lic.links);
	lg_buf_free(&c.path);
	lg_source_tags_free(&c.tags);
	return r;
}
