/* reference.c - see reference.h.  The grammar is distribution/reference's
 * (reference.go, regexp.go), written out by hand:
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [domain "/"] path-component ["/" path-component]*
 *   domain         := host [":" port]
 *   host           := domain-name | "[" ipv6 "]"
 *   domain-name    := domain-component ["." domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   path-component := alnum [separator alnum]*   alnum := /[a-z0-9]+/
 *   separator      := /[_.]|__|[-]+/
 *   tag            := /[\w][\w.-]{0,127}/
 *   digest         := algorithm ":" /[0-9a-fA-F]{32,}/
 */
#include "reference.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "util.h"

#define NAME_MAX_LEN 255

static bool alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of [s, s+n). */
static bool path_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !alnum_lower(s[0]))
		return false;
	while (i < n) {
		while (i < n && alnum_lower(s[i]))
			i++;
		if (i == n)
			return true;
		/* a separator, then more alnum */
		size_t sep = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == sep || i == n || !alnum_lower(s[i]))
			return false;
	}
	return true;
}

static bool path_ok(const char *s, size_t n)
{
	const char *end = s + n;
	while (s <= end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		const char *stop = slash ? slash : end;
		if (!path_component(s, (size_t)(stop - s)))
			return false;
		if (!slash)
			return true;
		s = slash + 1;
	}
	return false;
}

static bool domain_component(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool domain_ok(const char *s, size_t n)
{
	const char *end = s + n;
	const char *colon;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':')
				return false;
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon && *colon != ':')
			return false;
	} else {
		colon = memchr(s, ':', n);
		const char *host_end = colon ? colon : end;
		for (const char *p = s;;) {
			const char *dot = memchr(p, '.', (size_t)(host_end - p));
			const char *stop = dot ? dot : host_end;
			if (!domain_component(p, (size_t)(stop - p)))
				return false;
			if (!dot)
				break;
			p = dot + 1;
		}
	}
	if (colon) {
		if (colon + 1 == end)
			return false;
		for (const char *p = colon + 1; p < end; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	return true;
}

static bool word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !word(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!word(s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* A 64-hex string alone is an image ID, never a name. */
static bool is_identifier(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void lg_reference_clear(lg_reference *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r->name);
	free(r->str);
	memset(r, 0, sizeof(*r));
}

static int parse(const char *s, bool repo_only, lg_reference *out, lg_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!*s)
		return lg_err(err, "\"\": repository name must have at least one component");
	if (is_identifier(s))
		return lg_err(err, "invalid repository name (%s), cannot specify 64-byte "
			      "hexadecimal strings", s);
	cleanup_free char *copy = lg_xstrdup(s);
	char *at = strchr(copy, '@');
	char *digest = NULL, *tag = NULL;
	if (at) {
		*at = '\0';
		digest = at + 1;
	}
	/* domain: the first component, when it looks like a host */
	char *rest = copy, *domain = NULL;
	char *slash = strchr(copy, '/');
	if (slash) {
		size_t n = (size_t)(slash - copy);
		if (memchr(copy, '.', n) || memchr(copy, ':', n) ||
		    (n == 9 && memcmp(copy, "localhost", 9) == 0) || has_upper(copy, n)) {
			*slash = '\0';
			domain = copy;
			rest = slash + 1;
		}
	}
	char *last = strrchr(rest, '/');
	char *colon = strchr(last ? last : rest, ':');
	if (colon) {
		*colon = '\0';
		tag = colon + 1;
	}
	if (!domain || strcmp(domain, "index.docker.io") == 0)
		domain = "docker.io";
	bool library = strcmp(domain, "docker.io") == 0 && !strchr(rest, '/');
	if (has_upper(rest, strlen(rest)))
		return lg_err(err, "%s: invalid reference format: repository name (%s) must be "
			      "lowercase", s, rest);
	if (!domain_ok(domain, strlen(domain)) || !path_ok(rest, strlen(rest)))
		return lg_err(err, "%s: invalid reference format", s);
	if ((repo_only && (tag || digest)) || (tag && !tag_ok(tag)))
		return lg_err(err, "%s: invalid reference format%s", s,
			      repo_only ? ": want a repository without a tag or digest" : "");
	lg_digest d;
	if (digest && lg_digest_parse(digest, &d, err) < 0)
		return lg_err_prefix(err, "%s", s);
	out->domain = lg_xstrdup(domain);
	out->path = lg_xasprintf("%s%s", library ? "library/" : "", rest);
	out->name = lg_xasprintf("%s/%s", out->domain, out->path);
	if (strlen(out->name) > NAME_MAX_LEN) {
		lg_reference_clear(out);
		return lg_err(err, "%s: repository name must not be more than %d characters", s,
			      NAME_MAX_LEN);
	}
	if (digest) {
		out->digest = lg_xstrdup(digest);
		out->str = lg_xasprintf("%s@%s", out->name, digest);
	} else if (!repo_only) {
		out->tag = lg_xstrdup(tag ? tag : "latest");
		out->str = lg_xasprintf("%s:%s", out->name, out->tag);
	} else {
		out->str = lg_xstrdup(out->name);
	}
	return 0;
}

int lg_reference_parse(const char *s, lg_reference *out, lg_error *err)
{
	return parse(s, false, out, err);
}

int lg_reference_parse_repo(const char *s, lg_reference *out, lg_error *err)
{
	return parse(s, true, out, err);
}

static const struct {
	const char *prefix;
	enum lg_transport t;
} TRANSPORTS[] = {
	{ "docker://", LG_TRANSPORT_DOCKER },
	{ "docker-daemon:", LG_TRANSPORT_DAEMON },
	{ "oci:", LG_TRANSPORT_OCI },
	{ "oci-archive:", LG_TRANSPORT_OCI_ARCHIVE },
	{ "docker-archive:", LG_TRANSPORT_DOCKER_ARCHIVE },
};

const char *lg_transport_name(enum lg_transport t)
{
	for (size_t i = 0; i < LG_ARRAY_LEN(TRANSPORTS); i++)
		if (TRANSPORTS[i].t == t)
			return t == LG_TRANSPORT_DOCKER ? "docker" : TRANSPORTS[i].prefix;
	return "path";
}

int lg_source_parse(const char *arg, lg_source *out, lg_error *err)
{
	memset(out, 0, sizeof(*out));
	const char *rest = arg;
	for (size_t i = 0; i < LG_ARRAY_LEN(TRANSPORTS); i++) {
		size_t n = strlen(TRANSPORTS[i].prefix);
		if (strncmp(arg, TRANSPORTS[i].prefix, n) == 0) {
			out->transport = TRANSPORTS[i].t;
			rest = arg + n;
			break;
		}
	}
	switch (out->transport) {
	case LG_TRANSPORT_PATH:
		out->path = lg_xstrdup(arg);
		return 0;
	case LG_TRANSPORT_DAEMON:
		/* docker-daemon:sha256:HEX is an image ID, as in skopeo. */
		if (strncmp(rest, "sha256:", 7) == 0) {
			lg_digest d;
			if (lg_digest_parse(rest, &d, err) < 0) {
				lg_source_clear(out);
				return lg_err_prefix(err, "%s", arg);
			}
			out->remote.digest = lg_xstrdup(d.str);
			out->remote.str = lg_xstrdup(d.str);
			return 0;
		}
		/* fall through */
	case LG_TRANSPORT_DOCKER:
		if (lg_reference_parse(rest, &out->remote, err) < 0) {
			lg_source_clear(out);
			return -1;
		}
		return 0;
	default:
		break;
	}
	/* DIR[:REF]: the first colon splits, as containers/image does. */
	const char *colon = strchr(rest, ':');
	out->path = colon ? lg_xstrndup(rest, (size_t)(colon - rest)) : lg_xstrdup(rest);
	if (colon && colon[1])
		out->ref = lg_xstrdup(colon + 1);
	if (!*out->path) {
		lg_source_clear(out);
		return lg_err(err, "%s: no path after the transport", arg);
	}
	return 0;
}

void lg_source_clear(lg_source *s)
{
	free(s->path);
	free(s->ref);
	lg_reference_clear(&s->remote);
	memset(s, 0, sizeof(*s));
}
