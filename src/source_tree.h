/* source_tree.h - walk a source checkout as a build would see it: the files
 * `docker build` sends as its context (DIR/.dockerignore applied the way
 * docker applies it), optionally minus what DIR/.gitignore ignores.
 *
 * .dockerignore follows moby/patternmatcher (what docker build and
 * BuildKit use): one pattern per line, '#' lines and blank lines skipped,
 * surrounding blanks trimmed, each pattern cleaned like Go's filepath.Clean
 * and a leading '/' dropped; patterns are relative to the context root
 * and match the WHOLE path: '*' and '?' never cross '/', so "*.md" matches
 * README.md at the root only, never docs/x.md; "**" matches any number of
 * directories (zero included); [...] classes, '\' escapes.  A pattern that
 * matches a directory matches everything below it.  "!PATTERN" re-includes;
 * the last matching line wins.
 *
 * .gitignore (opts->gitignore; only the root's file): the same matcher,
 * with git's differences: a pattern with no '/' but a trailing one matches
 * at any depth, a trailing '/' matches directories only, and .git/ is
 * never walked.
 *
 * The walk never follows a symlink: a symlink is reported as one (with its
 * target, as text), as `COPY` copies it.  Entries come in byte order of
 * their names, directory by directory, so two walks of one tree agree.
 *
 * A file's SPDX tags are collected as the layer walk collects a layer
 * file's (lg_source_tags), for the commands that read a tree: check-rules
 * and fingerprint.
 *
 * Ownership: an lg_ignore belongs to its caller (lg_ignore_free()).  The
 * lg_source_file given to the callback, its path and its fd live only
 * during the call: the walk closes the fd afterwards.
 */
#ifndef LICGATE_SOURCE_TREE_H
#define LICGATE_SOURCE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "layer.h"
#include "tagscan.h"
#include "util.h"

/* A compiled ignore file (.dockerignore or .gitignore). */
typedef struct lg_ignore lg_ignore;

enum lg_ignore_kind {
	LG_IGNORE_DOCKER,
	LG_IGNORE_GIT,
};

/* Compile the text of an ignore file; name is used in messages.  Returns
 * 0 and *out, or -1 with err naming the line of a pattern that does not
 * compile. */
int lg_ignore_parse(enum lg_ignore_kind kind, const char *name, const char *text,
		    size_t len, lg_ignore **out, lg_error *err);
/* Is path (relative to the root, '/'-separated, no leading "./" nor '/')
 * ignored?  dir: path is a directory.  -1 when a pattern's match gave up
 * (no answer). */
int lg_ignore_match(const lg_ignore *ig, const char *path, size_t len, bool dir);
/* true when some pattern re-includes ("!..."): an ignored directory must
 * then still be walked, as docker does. */
bool lg_ignore_has_exceptions(const lg_ignore *ig);
void lg_ignore_free(lg_ignore *ig);

typedef struct lg_source_options {
	bool no_dockerignore; /* do not apply ROOT/.dockerignore */
	bool gitignore;       /* also apply ROOT/.gitignore, skip .git/ */
} lg_source_options;

typedef struct lg_source_file {
	const char *path;   /* relative to the root, e.g. "src/server.js" */
	size_t len;
	int fd;             /* regular files: open read-only; -1 for symlinks */
	uint64_t size;
	uint32_t mode;      /* st_mode */
	const char *link;   /* symlinks: the target as written; NULL otherwise */
} lg_source_file;

/* Called once per regular file and symlink that the ignore files keep.
 * Return 0 to go on, -1 (with err set) to stop the walk with that error. */
typedef int (*lg_source_fn)(void *ud, const lg_source_file *f, lg_error *err);

/* Walk the tree at root (opts may be NULL: defaults).  Returns 0, or -1
 * with err set when root, a directory or an ignore file cannot be read,
 * or when fn failed. */
int lg_source_walk(const char *root, const lg_source_options *opts,
		   lg_source_fn fn, void *ud, lg_error *err);

/* The SPDX tags of one file of the tree, collected from its lg_tagscan
 * events as the layer walk keeps a layer file's: at most LG_SOURCE_TAGS
 * (more are dropped), snippet ends matched to their begins.  The caller
 * owns it: zero it, then reset it before each file and free it at the end. */
#define LG_SOURCE_TAGS 64
typedef struct lg_source_tags {
	lg_tag tags[LG_SOURCE_TAGS];
	size_t n;
	lg_buf text;                 /* the expressions of tags[] */
	size_t off[LG_SOURCE_TAGS]; /* where each one starts in text */
} lg_source_tags;

/* lg_tagscan's event callback; ud is an lg_source_tags. */
void lg_source_tags_event(void *ud, const lg_tag_event *ev);
void lg_source_tags_reset(lg_source_tags *t);
/* After the file's last event: each tag's expr points into text. */
void lg_source_tags_finish(lg_source_tags *t);
void lg_source_tags_free(lg_source_tags *t);

#endif
