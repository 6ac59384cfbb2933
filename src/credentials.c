/* credentials.c - see credentials.h */
#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "util.h"

#define MAX_AUTH_FILE (1u << 20)
#define MAX_HELPER_OUTPUT (64u * 1024)

extern char **environ;

void lg_creds_clear(lg_creds *c)
{
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->secret);
	free(c->user);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

static bool is_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	       strcmp(host, "registry-1.docker.io") == 0;
}

/* The host of an auths key: "https://index.docker.io/v1/" -> index.docker.io. */
static bool key_matches(const char *key, const char *registry)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	size_t n = strcspn(p, "/");
	char *host = lg_xstrndup(p, n);
	bool m = strcmp(host, registry) == 0 || (is_hub(host) && is_hub(registry));
	free(host);
	return m;
}

/* "USER:PASS" into c (copied). */
static int split_user_pass(const char *s, size_t len, const char *what, lg_creds *c,
			   lg_error *err)
{
	const char *colon = memchr(s, ':', len);
	if (!colon || colon == s)
		return lg_err(err, "%s: want USER:PASSWORD", what);
	c->user = lg_xstrndup(s, (size_t)(colon - s));
	c->secret = lg_xstrndup(colon + 1, len - (size_t)(colon - s) - 1);
	return 0;
}

static int decode_auth(const char *b64, const char *what, lg_creds *c, lg_error *err)
{
	size_t n = strlen(b64);
	unsigned char *out = lg_xmalloc(n / 4 * 3 + 4);
	int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (len < 0 || n % 4) {
		free(out);
		return lg_err(err, "%s: an \"auth\" that is not base64", what);
	}
	while (len > 0 && n > 0 && b64[--n] == '=')
		len--;
	int r = split_user_pass((char *)out, (size_t)len, what, c, err);
	explicit_bzero(out, (size_t)len);
	free(out);
	return r;
}

/* Run docker-credential-NAME get with server on its standard input. */
static int run_helper(const char *name, const char *server, const char *what,
		      lg_creds *c, lg_error *err)
{
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ' ')
			return lg_err(err, "%s: credential helper name \"%s\" is not a plain name",
				      what, name);
	char *prog = lg_xasprintf("docker-credential-%s", name);
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0) {
		free(prog);
		return lg_err_errno(err, errno, "credential helper: pipe");
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		free(prog);
		return lg_err_errno(err, errno, "credential helper: pipe");
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	char *argv[] = { prog, (char *)"get", NULL };
	pid_t pid;
	int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (e != 0) {
		close(in[1]);
		close(out[0]);
		lg_err_errno(err, e, "%s: credential helper %s", what, prog);
		free(prog);
		return -1;
	}
	/* A helper that exits early must not kill us with SIGPIPE. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	(void)!write(in[1], server, strlen(server));
	close(in[1]);
	signal(SIGPIPE, old);
	lg_buf b = LG_BUF_INIT;
	char chunk[4096];
	ssize_t n;
	while ((n = read(out[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && b.len < MAX_HELPER_OUTPUT)
			lg_buf_append(&b, chunk, (size_t)n);
	close(out[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int r = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* "credentials not found in native keychain": anonymous */
		r = b.data && strstr(b.data, "not found") ? 0
			: lg_err(err, "%s: credential helper %s failed for %s", what, prog, server);
	} else {
		json_t *j = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
		const char *user = json_string_value(json_object_get(j, "Username"));
		const char *secret = json_string_value(json_object_get(j, "Secret"));
		if (!user || !secret) {
			r = lg_err(err, "%s: credential helper %s: unexpected output", what, prog);
		} else if (*secret) {
			c->identity_token = strcmp(user, "<token>") == 0;
			c->user = lg_xstrdup(user);
			c->secret = lg_xstrdup(secret);
			c->source = lg_xstrdup(prog);
			r = 1;
		}
		json_decref(j);
	}
	if (b.data)
		explicit_bzero(b.data, b.len);
	lg_buf_free(&b);
	free(prog);
	return r;
}

/* One auth file: 1 found, 0 none, -1 error.  A missing file is none. */
static int from_file(const char *path, const char *registry, lg_creds *c, lg_error *err)
{
	json_error_t je;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0
							   : lg_err_errno(err, errno, "%s", path);
	json_t *j = json_loadf(f, 0, &je);
	fclose(f);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return lg_err(err, "%s: not a JSON object (line %d)", path, je.line);
	}
	const char *server = is_hub(registry) ? "https://index.docker.io/v1/" : registry;
	const char *helper = NULL, *key;
	json_t *v;
	json_object_foreach(json_object_get(j, "credHelpers"), key, v)
		if (key_matches(key, registry) && json_is_string(v))
			helper = json_string_value(v);
	if (!helper)
		helper = json_string_value(json_object_get(j, "credsStore"));
	int r = 0;
	if (helper && *helper) {
		r = run_helper(helper, server, path, c, err);
		if (r != 0) {
			json_decref(j);
			return r;
		}
	}
	json_object_foreach(json_object_get(j, "auths"), key, v) {
		if (!key_matches(key, registry))
			continue;
		const char *auth = json_string_value(json_object_get(v, "auth"));
		const char *token = json_string_value(json_object_get(v, "identitytoken"));
		if (token && *token) {
			c->identity_token = true;
			c->secret = lg_xstrdup(token);
			r = 1;
		} else if (auth && *auth) {
			r = decode_auth(auth, path, c, err) < 0 ? -1 : 1;
		} else {
			continue;
		}
		if (r == 1 && !c->user)
			c->user = lg_xstrdup("");
		break;
	}
	json_decref(j);
	if (r == 1)
		c->source = lg_xstrdup(path);
	return r;
}

static int from_creds_file(const char *path, const char *registry, lg_creds *c,
			   lg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return lg_err_errno(err, errno, "--creds-file %s", path);
	text = lg_xmalloc(MAX_AUTH_FILE + 1);
	len = fread(text, 1, MAX_AUTH_FILE, f);
	fclose(f);
	text[len] = '\0';
	int r;
	if (len && text[0] == '{') {
		explicit_bzero(text, len);
		free(text);
		r = from_file(path, registry, c, err);
		return r == 0 ? lg_err(err, "--creds-file %s: no entry for %s", path, registry) : r;
	}
	size_t line = strcspn(text, "\r\n");
	r = split_user_pass(text, line, "--creds-file", c, err);
	explicit_bzero(text, len);
	free(text);
	if (r < 0)
		return -1;
	c->source = lg_xstrdup(path);
	return 1;
}

int lg_creds_lookup(const char *registry, const lg_remote_options *opts,
		    lg_creds *out, lg_error *err)
{
	memset(out, 0, sizeof(*out));
	if (opts && opts->creds) {
		if (split_user_pass(opts->creds, strlen(opts->creds), "--creds", out, err) < 0)
			return -1;
		out->source = lg_xstrdup("--creds");
		return 1;
	}
	if (opts && opts->creds_file)
		return from_creds_file(opts->creds_file, registry, out, err);
	char *files[4] = { NULL };
	size_t n = 0;
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env && *env)
		files[n++] = lg_xstrdup(env);
	env = getenv("XDG_RUNTIME_DIR");
	if (env && *env)
		files[n++] = lg_xasprintf("%s/containers/auth.json", env);
	env = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	if (env && *env)
		files[n++] = lg_xasprintf("%s/config.json", env);
	else if (home && *home)
		files[n++] = lg_xasprintf("%s/.docker/config.json", home);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = from_file(files[i], registry, out, err);
		if (r <= 0)
			lg_creds_clear(out);
	}
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	return r;
}
