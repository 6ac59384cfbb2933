/* credentials.h - who licgate is at a registry, found where docker and
 * podman users already keep it.
 *
 * In order, the first that has an entry for the registry wins:
 *   --creds USER:PASS, --creds-file FILE (USER:PASS on its first line, or
 *   an auth.json);
 *   $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json (podman,
 *   skopeo);
 *   $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
 * In each file, credHelpers[registry] or else credsStore names a helper,
 * asked with the docker-credential-helpers protocol (`docker-credential-NAME
 * get`, the server URL on its standard input, JSON on its output: the one
 * program licgate runs; it never sees image bytes, and no secret is ever on
 * its command line); otherwise auths[registry] gives a base64 "auth"
 * (USER:PASS) or an "identitytoken" (an OAuth2 refresh token).  Docker
 * Hub is "https://index.docker.io/v1/", also matched as docker.io,
 * index.docker.io and registry-1.docker.io.
 *
 * A secret never appears in an error message: messages name the file and
 * the registry only.
 *
 * Ownership: lg_creds_lookup() fills an lg_creds owned by the caller and
 * released (its secret wiped) with lg_creds_clear().
 */
#ifndef LICGATE_CREDENTIALS_H
#define LICGATE_CREDENTIALS_H

#include <stdbool.h>

#include "error.h"
#include "input.h"

typedef struct lg_creds {
	char *user;
	char *secret;        /* a password, or the identity token */
	bool identity_token; /* secret is an OAuth2 refresh token */
	char *source;        /* where it came from, for --verbose: a file or "--creds" */
} lg_creds;

/* Look up credentials for registry (a reference's domain, "docker.io" for
 * Docker Hub).  Returns 1 with *out filled, 0 when there are none
 * (anonymous), -1 with err when a configured source fails (an unreadable
 * --creds-file, a malformed config, a helper that failed otherwise than
 * "not found"). */
int lg_creds_lookup(const char *registry, const lg_remote_options *opts,
		    lg_creds *out, lg_error *err);

void lg_creds_clear(lg_creds *c);

#endif
