/* source_tree.c - see source_tree.h */
#include "source_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "util.h"

/* An ignore file larger than this is not a list of patterns. */
#define IGNORE_MAX (4u * 1024 * 1024)
/* Directories deeper than this are refused rather than recursed into. */
#define DEPTH_MAX 256

typedef struct ignore_rule {
	lg_pattern *pat;
	bool exception; /* "!PATTERN" */
	bool dir_only;  /* git: "PATTERN/" */
} ignore_rule;

struct lg_ignore {
	ignore_rule *v;
	size_t n, cap;
	bool exceptions;
};

/* Go's filepath.Clean of a pattern, into out: empty and "." segments
 * dropped, ".." folded into its parent (kept at the start of a relative
 * pattern, dropped at the root of an absolute one). */
static void clean_pattern(const char *p, size_t len, lg_buf *out)
{
	lg_buf_reset(out);
	bool abs = len > 0 && p[0] == '/';
	size_t *ends = lg_xcalloc(len + 1, sizeof(*ends)); /* out->len after each segment */
	size_t nseg = 0, ndotdot = 0;                      /* leading ".." kept */
	if (abs)
		lg_buf_putc(out, '/');
	size_t root = out->len;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && p[j] != '/')
			j++;
		size_t n = j - i;
		bool dotdot = n == 2 && p[i] == '.' && p[i + 1] == '.';
		if (n == 0 || (n == 1 && p[i] == '.')) {
			/* dropped */
		} else if (dotdot && nseg > ndotdot) {
			nseg--;
			out->len = nseg ? ends[nseg - 1] : root;
		} else if (!(dotdot && abs)) {
			if (out->len > root)
				lg_buf_putc(out, '/');
			lg_buf_append(out, p + i, n);
			ends[nseg++] = out->len;
			ndotdot += dotdot;
		}
		i = j + 1;
	}
	free(ends);
	if (!out->len)
		lg_buf_putc(out, '.');
	out->data[out->len] = '\0';
}

/* moby/patternmatcher's translation of a cleaned pattern to a regex. */
static void translate(const char *p, size_t len, lg_buf *re)
{
	lg_buf_reset(re);
	lg_buf_append(re, "re:^", 4);
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '*' && i + 1 < len && p[i + 1] == '*') {
			i++;
			if (i + 1 < len && p[i + 1] == '/')
				i++;
			if (i + 1 == len)
				lg_buf_append(re, ".*", 2);
			else
				lg_buf_append(re, "(.*/)?", 6);
		} else if (c == '*') {
			lg_buf_append(re, "[^/]*", 5);
		} else if (c == '?') {
			lg_buf_append(re, "[^/]", 4);
		} else if (strchr(".+()|{}$^", c)) {
			lg_buf_putc(re, '\\');
			lg_buf_putc(re, c);
		} else if (c == '\\') {
			lg_buf_putc(re, '\\');
			if (i + 1 < len)
				lg_buf_putc(re, p[++i]);
			else
				lg_buf_putc(re, '\\');
		} else {
			lg_buf_putc(re, c);
		}
	}
	lg_buf_putc(re, '$');
}

static int add_rule(lg_ignore *ig, enum lg_ignore_kind kind, const char *name,
		    unsigned line, const char *s, size_t len, lg_error *err)
{
	ignore_rule r = { 0 };
	if (len && s[0] == '!') {
		r.exception = true;
		s++;
		len--;
		if (!len)
			return lg_err(err, "%s:%u: illegal exclusion pattern: \"!\"", name, line);
	}
	if (kind == LG_IGNORE_GIT && len && s[len - 1] == '/') {
		r.dir_only = true;
		while (len && s[len - 1] == '/')
			len--;
	}
	lg_buf clean = LG_BUF_INIT, re = LG_BUF_INIT;
	bool anywhere = kind == LG_IGNORE_GIT && !memchr(s, '/', len);
	clean_pattern(s, len, &clean);
	const char *c = clean.data;
	size_t clen = clean.len;
	if (clen > 1 && c[0] == '/') {
		c++;
		clen--;
	}
	if (anywhere) {
		lg_buf tmp = LG_BUF_INIT;
		lg_buf_append(&tmp, "**/", 3);
		lg_buf_append(&tmp, c, clen);
		translate(tmp.data, tmp.len, &re);
		lg_buf_free(&tmp);
	} else {
		translate(c, clen, &re);
	}
	lg_error perr = LG_ERROR_INIT;
	int rc = lg_pattern_compile(re.data, &r.pat, &perr);
	lg_buf_free(&clean);
	lg_buf_free(&re);
	if (rc < 0) {
		lg_err(err, "%s:%u: bad pattern: %s", name, line, lg_error_msg(&perr));
		lg_error_clear(&perr);
		return -1;
	}
	lg_xgrow((void **)&ig->v, &ig->cap, ig->n + 1, sizeof(*ig->v));
	ig->v[ig->n++] = r;
	ig->exceptions |= r.exception;
	return 0;
}

int lg_ignore_parse(enum lg_ignore_kind kind, const char *name, const char *text,
		    size_t len, lg_ignore **out, lg_error *err)
{
	lg_ignore *ig = lg_xcalloc(1, sizeof(*ig));
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	unsigned line = 0;
	for (size_t i = 0; i < len;) {
		const char *e = memchr(text + i, '\n', len - i);
		size_t n = e ? (size_t)(e - (text + i)) : len - i;
		const char *s = text + i;
		i += n + 1;
		line++;
		if (n && s[0] == '#')
			continue;
		/* Go's strings.TrimSpace; git keeps trailing blanks only
		 * when escaped, which patterns here never need. */
		while (n && strchr(" \t\r\v\f", s[0])) {
			s++;
			n--;
		}
		while (n && strchr(" \t\r\v\f", s[n - 1]))
			n--;
		if (!n)
			continue;
		if (add_rule(ig, kind, name, line, s, n, err) < 0) {
			lg_ignore_free(ig);
			return -1;
		}
	}
	*out = ig;
	return 0;
}

/* Does rule r match path or (moby) one of its parent directories? */
static int rule_matches(const ignore_rule *r, const char *path, size_t len, bool dir)
{
	if (!r->dir_only || dir) {
		int m = lg_pattern_match(r->pat, path, len);
		if (m != 0)
			return m;
	}
	for (size_t i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		int m = lg_pattern_match(r->pat, path, i);
		if (m != 0)
			return m;
	}
	return 0;
}

int lg_ignore_match(const lg_ignore *ig, const char *path, size_t len, bool dir)
{
	int ignored = 0;
	for (size_t i = 0; ig && i < ig->n; i++) {
		int m = rule_matches(&ig->v[i], path, len, dir);
		if (m < 0)
			return -1;
		if (m)
			ignored = !ig->v[i].exception;
	}
	return ignored;
}

bool lg_ignore_has_exceptions(const lg_ignore *ig)
{
	return ig && ig->exceptions;
}

void lg_ignore_free(lg_ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++)
		lg_pattern_free(ig->v[i].pat);
	free(ig->v);
	free(ig);
}

/* ---- the walk ---------------------------------------------------------- */

typedef struct walker {
	lg_ignore *ignores[2];
	lg_source_fn fn;
	void *ud;
	bool skip_git;
	lg_buf path; /* relative path of the directory being walked */
} walker;

static int load_ignore(int root, const char *rootname, const char *file,
		       enum lg_ignore_kind kind, lg_ignore **out, lg_error *err)
{
	cleanup_close int fd = openat(root, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return lg_err_errno(err, errno, "%s/%s", rootname, file);
	}
	lg_buf text = LG_BUF_INIT;
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			lg_buf_free(&text);
			return lg_err_errno(err, errno, "%s/%s", rootname, file);
		}
		if (n == 0)
			break;
		lg_buf_append(&text, chunk, (size_t)n);
		if (text.len > IGNORE_MAX) {
			lg_buf_free(&text);
			return lg_err(err, "%s/%s: larger than 4 MiB", rootname, file);
		}
	}
	lg_buf name = LG_BUF_INIT;
	lg_buf_appendf(&name, "%s/%s", rootname, file);
	int r = lg_ignore_parse(kind, name.data, text.data ? text.data : "", text.len, out, err);
	lg_buf_free(&name);
	lg_buf_free(&text);
	return r;
}

/* 1: path is ignored, 0: kept, -1: no answer. */
static int ignored(const walker *w, const char *path, size_t len, bool dir)
{
	for (size_t i = 0; i < 2; i++) {
		int m = lg_ignore_match(w->ignores[i], path, len, dir);
		if (m != 0)
			return m;
	}
	return 0;
}

static bool may_reinclude(const walker *w)
{
	return lg_ignore_has_exceptions(w->ignores[0]) || lg_ignore_has_exceptions(w->ignores[1]);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The entries of directory fd (which it takes), sorted. */
static int read_names(int fd, char ***out, size_t *count, lg_error *err)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return lg_err_errno(err, e, "opendir");
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		lg_xgrow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = lg_xstrdup(de->d_name);
		errno = 0;
	}
	int e = errno;
	closedir(d);
	if (e) {
		free_names(names, n);
		return lg_err_errno(err, e, "readdir");
	}
	qsort(names, n, sizeof(*names), by_name);
	*out = names;
	*count = n;
	return 0;
}

static int walk_dir(walker *w, int dirfd, unsigned depth, lg_error *err);

static int visit(walker *w, int dirfd, const char *name, unsigned depth, lg_error *err)
{
	size_t base = w->path.len;
	if (base)
		lg_buf_putc(&w->path, '/');
	lg_buf_append(&w->path, name, strlen(name));
	int r = 0;
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = lg_err_errno(err, errno, "%s", w->path.data);
		goto out;
	}
	bool dir = S_ISDIR(st.st_mode);
	if (dir && w->skip_git && strcmp(w->path.data, ".git") == 0)
		goto out;
	int ig = ignored(w, w->path.data, w->path.len, dir);
	if (ig < 0) {
		r = lg_err(err, "%s: an ignore pattern gave up matching", w->path.data);
		goto out;
	}
	if (dir) {
		if (ig && !may_reinclude(w))
			goto out;
		if (depth >= DEPTH_MAX) {
			r = lg_err(err, "%s: more than %d directories deep", w->path.data, DEPTH_MAX);
			goto out;
		}
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = lg_err_errno(err, errno, "%s", w->path.data);
			goto out;
		}
		r = walk_dir(w, fd, depth + 1, err);
		goto out;
	}
	if (ig || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
		goto out;
	lg_source_file f = {
		.path = w->path.data,
		.len = w->path.len,
		.fd = -1,
		.size = (uint64_t)st.st_size,
		.mode = st.st_mode,
	};
	char target[4096];
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			r = lg_err_errno(err, errno, "%s", w->path.data);
			goto out;
		}
		target[n] = '\0';
		f.link = target;
		r = w->fn(w->ud, &f, err);
		goto out;
	}
	f.fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f.fd < 0) {
		r = lg_err_errno(err, errno, "%s", w->path.data);
		goto out;
	}
	r = w->fn(w->ud, &f, err);
	close(f.fd);
out:
	w->path.len = base;
	if (w->path.data)
		w->path.data[base] = '\0';
	return r;
}

static int walk_dir(walker *w, int dirfd, unsigned depth, lg_error *err)
{
	char **names = NULL;
	size_t n = 0;
	int dupfd = dup(dirfd);
	if (dupfd < 0) {
		int e = errno;
		close(dirfd);
		return lg_err_errno(err, e, "dup");
	}
	if (read_names(dupfd, &names, &n, err) < 0) {
		close(dirfd);
		return lg_err_prefix(err, "%s", w->path.len ? w->path.data : ".");
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = visit(w, dirfd, names[i], depth, err);
	free_names(names, n);
	close(dirfd);
	return r;
}

int lg_source_walk(const char *root, const lg_source_options *opts,
		   lg_source_fn fn, void *ud, lg_error *err)
{
	lg_source_options none = { 0 };
	if (!opts)
		opts = &none;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return lg_err_errno(err, errno, "%s", root);
	walker w = { .fn = fn, .ud = ud, .skip_git = opts->gitignore };
	int r = 0;
	if (!opts->no_dockerignore)
		r = load_ignore(fd, root, ".dockerignore", LG_IGNORE_DOCKER, &w.ignores[0], err);
	if (r == 0 && opts->gitignore)
		r = load_ignore(fd, root, ".gitignore", LG_IGNORE_GIT, &w.ignores[1], err);
	if (r == 0) {
		lg_buf_append(&w.path, "", 0);
		r = walk_dir(&w, fd, 0, err);
	} else {
		close(fd);
	}
	lg_ignore_free(w.ignores[0]);
	lg_ignore_free(w.ignores[1]);
	lg_buf_free(&w.path);
	return r;
}

/* ---- the tags of one file -------------------------------------------- */

void lg_source_tags_event(void *ud, const lg_tag_event *ev)
{
	lg_source_tags *t = ud;
	if (ev->kind == LG_TAG_SNIPPET_END) {
		for (size_t i = 0; i < t->n; i++)
			if (t->tags[i].snippet_begin == ev->snippet_begin)
				t->tags[i].snippet_end = ev->line;
		return;
	}
	if (t->n == LG_SOURCE_TAGS)
		return;
	t->off[t->n] = t->text.len;
	lg_buf_append(&t->text, ev->expr, ev->len);
	t->tags[t->n++] = (lg_tag){
		.len = (uint32_t)ev->len,
		.line = ev->line,
		.snippet_begin = ev->snippet_begin,
	};
}

void lg_source_tags_reset(lg_source_tags *t)
{
	t->n = 0;
	lg_buf_reset(&t->text);
}

void lg_source_tags_finish(lg_source_tags *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->tags[i].expr = t->text.data + t->off[i];
}

void lg_source_tags_free(lg_source_tags *t)
{
	lg_buf_free(&t->text);
}
