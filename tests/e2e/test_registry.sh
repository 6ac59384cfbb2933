#!/bin/sh
# test_registry.sh - docker:// end to end, on loopback only.
#
# Usage: sh tests/e2e/test_registry.sh LICGATE_BINARY
#
# A real registry (Debian's docker-registry, CNCF distribution) started
# with its own config on 127.0.0.1 and a free port, storage in the scratch
# directory, stopped by PID; images pushed with skopeo from the fixtures.
# Without auth: OCI, Docker v2s2 and index images by tag and by digest give
# the local scan's verdict and files; a tampered blob in the registry's
# storage and a digest reference that names nothing exit 2; --all-tags over
# three tags sharing their layers pulls and walks each layer once, and a
# warm audit pulls no layer; --tag-pattern.  htpasswd: no, wrong (exit 2,
# the registry named, no secret) and right credentials (--creds-file,
# DOCKER_CONFIG, REGISTRY_AUTH_FILE).  Token auth: a token server signing
# RS256 JWTs with a self-signed certificate (tests/tools/token_server.py),
# anonymous, "access_token", and with credentials.  A stub registry
# (tests/tools/registry_stub.py): a redirect to another origin that refuses
# Authorization, a transfer cut halfway (resumed with Range; a server that
# ignores Range; one that lies in Content-Range), 429 with Retry-After
# (waited, then exit 2 naming the limit), and a manifest that does not
# match its Docker-Content-Digest.  --creds is wiped from /proc/PID/cmdline
# while the scan runs.
#
# Skips visibly when docker-registry, skopeo or python3 are missing.
# LICGATE_SKIP_SLOW=1 skips the token and rate-limit cases.
#
# Prints "ok - ..." / "not ok - ..." lines, ends with
# "registry: N passed, M failed", and exits 1 when anything failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: sh tests/e2e/test_registry.sh LICGATE_BINARY" >&2
	exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=$root/tests/fixtures/oci
# The demo's boundary: truxe-api fails it (exit 1), as make demo shows.
RULES="--rules $root/rules/truxe.rules --target dockerhub"
tools=$root/tests/tools

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1${2:+ ($2)}"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1"; }
check() { if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }
finish() {
	echo "registry: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

for tool in docker-registry skopeo python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip "all registry cases: $tool is not installed (make deps)"
		finish
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/licgate-registry.XXXXXX") || exit 2
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
HOME=$tmp/home
XDG_CACHE_HOME=$tmp/cache
unset DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR DOCKER_HOST
export HOME XDG_CACHE_HOME
mkdir -p "$HOME"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens there (5 s at most).
wait_port() {
	i=0
	while [ $i -lt 50 ]; do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$1" \
			2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_file FILE: until a server wrote its port there.
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1" ]
}

# start_registry NAME EXTRA-CONFIG: a registry in $tmp/NAME; sets $port.
start_registry() {
	port=$(free_port)
	mkdir -p "$tmp/$1/storage"
	cat >"$tmp/$1/config.yml" <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/$1/storage
http:
  addr: 127.0.0.1:$port
$2
EOC
	docker-registry serve "$tmp/$1/config.yml" >"$tmp/$1/log" 2>&1 &
	pids="$pids $!"
	wait_port "$port"
}

push() { # SRC DEST [skopeo options...]
	src=$1 dst=$2
	shift 2
	skopeo copy -q --retry-times 0 --dest-tls-verify=false "$@" "$src" "$dst" >"$tmp/push.log" 2>&1
}

# scan NAME ARGS...: exit status in $st, stdout in $tmp/NAME.out, stderr in .err
scan() {
	name=$1
	shift
	"$bin" scan $RULES "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	st=$?
}

# The DENY/WARN lines of a text report: what a verdict rests on.
verdicts() { grep -E '^(DENY|WARN|FAIL|PASS)' "$1" | sed 's/ in [0-9.]* s (.*//'; }

"$bin" scan $RULES --no-cache --format text "$fx/truxe-api" >"$tmp/local-truxe.out" 2>/dev/null
"$bin" scan $RULES --no-cache --format text "$fx/multiarch" >"$tmp/local-multi.out" 2>/dev/null

# ---- a registry without auth ------------------------------------------
if ! start_registry plain ""; then
	not_ok "docker-registry starts on 127.0.0.1" "$(cat "$tmp/plain/log")"
	finish
fi
R=127.0.0.1:$port
push "oci:$fx/truxe-api:2.4.0" "docker://$R/truxe/api:2.4.0" &&
	push "oci:$fx/truxe-api:2.4.0" "docker://$R/truxe/api:v2s2" --format v2s2 &&
	push "oci:$fx/multiarch:latest" "docker://$R/multi:latest" --all
check "skopeo pushes the fixtures" $? "$(cat "$tmp/push.log")"

scan oci --no-cache "docker://$R/truxe/api:2.4.0"
[ $st -eq 1 ] && [ "$(verdicts "$tmp/oci.out")" = "$(verdicts "$tmp/local-truxe.out")" ]
check "OCI image by tag: the local scan's verdict and files" $? "status $st: $(cat "$tmp/oci.err")"

digest=$(skopeo inspect --raw --tls-verify=false "docker://$R/truxe/api:2.4.0" | sha256sum | cut -d' ' -f1)
scan oci-digest --no-cache "docker://$R/truxe/api@sha256:$digest"
[ $st -eq 1 ] && [ "$(verdicts "$tmp/oci-digest.out")" = "$(verdicts "$tmp/local-truxe.out")" ]
check "OCI image by digest" $? "status $st: $(cat "$tmp/oci-digest.err")"

scan tag-digest --no-cache "docker://$R/truxe/api:nosuchtag@sha256:$digest"
check "a digest wins over a tag" $((st != 1)) "status $st: $(cat "$tmp/tag-digest.err")"

scan v2s2 --no-cache --format json "docker://$R/truxe/api:v2s2"
[ $st -eq 1 ] && grep -q 'application/vnd.docker.distribution.manifest.v2+json' "$tmp/v2s2.out"
check "Docker v2s2 image by tag" $? "status $st: $(cat "$tmp/v2s2.err")"

v2digest=$(skopeo inspect --raw --tls-verify=false "docker://$R/truxe/api:v2s2" | sha256sum | cut -d' ' -f1)
scan v2s2-digest --no-cache "docker://$R/truxe/api@sha256:$v2digest"
check "Docker v2s2 image by digest" $((st != 1)) "status $st: $(cat "$tmp/v2s2-digest.err")"

scan index --no-cache "docker://$R/multi:latest"
[ $st -eq 1 ] && [ "$(verdicts "$tmp/index.out")" = "$(verdicts "$tmp/local-multi.out")" ]
check "index image by tag: every platform, as the local scan" $? "status $st: $(cat "$tmp/index.err")"

idigest=$(skopeo inspect --raw --tls-verify=false "docker://$R/multi:latest" | sha256sum | cut -d' ' -f1)
scan index-digest --no-cache --platform linux/arm64 --format json "docker://$R/multi@sha256:$idigest"
[ $st -ne 2 ] && python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
imgs=r["image"]["manifests"]
sys.exit(0 if len(imgs)==1 and "arm64" in json.dumps(imgs[0]) else 1)' "$tmp/index-digest.out"
check "index image by digest, --platform picks one" $? "status $st: $(cat "$tmp/index-digest.err")"

# A BuildKit-style index with an attestation manifest: skipped and said.
mkdir -p "$tmp/att"
cp -r "$fx/truxe-api" "$tmp/att/l"
if python3 "$tools/add_attestation.py" "$tmp/att/l" att && push "oci:$tmp/att/l:att" "docker://$R/att/app:1" --all; then
	scan att --no-cache --format json "docker://$R/att/app:1"
	[ $st -eq 1 ] && python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
sk=r["image"]["skipped"]
sys.exit(0 if len(r["image"]["manifests"])==1 and any("attestation" in k["reason"] for k in sk) else 1)' "$tmp/att.out"
	check "an index with an attestation manifest: the image scanned, the attestation skipped and said" $? \
		"status $st: $(cat "$tmp/att.err")"
else
	not_ok "an index with an attestation manifest" "$(cat "$tmp/push.log")"
fi

scan wrong-digest --no-cache "docker://$R/truxe/api@sha256:$(printf '%064d' 0)"
[ $st -eq 2 ] && grep -q "$R: manifest sha256:0000.*: HTTP 404" "$tmp/wrong-digest.err"
check "a digest reference that names nothing: exit 2" $? "status $st: $(cat "$tmp/wrong-digest.err")"

scan no-repo --no-cache "docker://$R/no/such:tag"
check "an unknown repository: exit 2" $((st != 2)) "status $st"

scan schema-bad --no-cache "docker://$R/truxe/API"
[ $st -eq 2 ] && grep -q 'lowercase' "$tmp/schema-bad.err"
check "an invalid reference: exit 2, said" $? "status $st: $(cat "$tmp/schema-bad.err")"

# --all-tags: three tags whose manifests differ (their configs do) and
# share every layer.
mkdir -p "$tmp/three"
cp -r "$fx/truxe-api" "$tmp/three/l"
if command -v umoci >/dev/null 2>&1 &&
	umoci config --image "$tmp/three/l:2.4.0" --tag t2 --config.label n=2 >/dev/null 2>&1 &&
	umoci config --image "$tmp/three/l:2.4.0" --tag t3 --config.label n=3 >/dev/null 2>&1; then
	push "oci:$tmp/three/l:2.4.0" "docker://$R/audit/app:t1" &&
		push "oci:$tmp/three/l:t2" "docker://$R/audit/app:t2" &&
		push "oci:$tmp/three/l:t3" "docker://$R/audit/app:t3"
	scan all --cache-dir "$tmp/c-all" -v --format json --all-tags "docker://$R/audit/app"
	layers=$(grep -c 'pull sha256:' "$tmp/all.err")
	[ $st -eq 1 ] && python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
refs=sorted(i.get("ref") or "" for i in r["image"]["manifests"])
ok=len(r["image"]["manifests"])==3 and all(x.endswith(t) for x,t in zip(refs,("t1","t2","t3")))
sys.exit(0 if ok else 1)' "$tmp/all.out" && [ "$layers" -eq 8 ]
	check "--all-tags: three tags in one report, 5 shared layers + 3 configs pulled once" $? \
		"status $st, $layers pulls: $(cat "$tmp/all.err")"
	scan all-warm --cache-dir "$tmp/c-all" -v --format json --all-tags "docker://$R/audit/app"
	layers=$(grep -c 'pull sha256:' "$tmp/all-warm.err")
	[ $st -eq 1 ] && [ "$layers" -eq 3 ] && python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
v=[l["verified"] for m in r["image"]["manifests"] for l in m["layers"]]
sys.exit(0 if v and all(x=="manifest-digest" for x in v) else 1)' "$tmp/all-warm.out"
	check "--all-tags warm: configs only, no layer downloaded (verified: manifest-digest)" $? \
		"status $st, $layers pulls"
	scan pattern --no-cache -v --all-tags --tag-pattern '^t[23]$' --format json "docker://$R/audit/app"
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["image"]["manifests"]))' "$tmp/pattern.out" 2>/dev/null)
	[ $st -eq 1 ] && [ "$n" = 2 ]
	check "--tag-pattern selects tags" $? "status $st, $n images"
	scan pattern-none --no-cache --all-tags --tag-pattern '^zzz' "docker://$R/audit/app"
	check "--tag-pattern matching nothing: exit 2" $((st != 2)) "status $st"
	python3 "$tools/registry_stub.py" "$tmp/three/l" "$tmp/pages.port" 2>"$tmp/pages.log" &
	pids="$pids $!"
	wait_file "$tmp/pages.port"
	scan pages --no-cache --format json --all-tags "docker://127.0.0.1:$(cat "$tmp/pages.port")/audit/app"
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["image"]["manifests"]))' "$tmp/pages.out" 2>/dev/null)
	[ $st -eq 1 ] && [ "$n" = 3 ]
	check "--all-tags follows tags/list pagination (Link: rel=next)" $? "status $st, $n images: $(cat "$tmp/pages.err")"
	scan all-tagged --no-cache --all-tags "docker://$R/audit/app:t1"
	check "--all-tags with a tag: exit 2" $((st != 2)) "status $st"
else
	skip "--all-tags: umoci is not installed or failed"
fi

# A tampered blob in the registry's storage: the layer's data file.
layer=$(python3 -c '
import json,sys
m=json.load(open(sys.argv[1]))
print(m["layers"][-1]["digest"].split(":")[1])' "$fx/truxe-api/blobs/sha256/$digest")
data=$tmp/plain/storage/docker/registry/v2/blobs/sha256/$(echo "$layer" | cut -c1-2)/$layer/data
if [ -f "$data" ]; then
	printf 'X' | dd of="$data" bs=1 seek=20 conv=notrunc 2>/dev/null
	scan tampered --no-cache "docker://$R/truxe/api:2.4.0"
	[ $st -eq 2 ] && grep -q 'digest mismatch\|gzip\|damaged' "$tmp/tampered.err"
	check "a tampered blob in the registry: exit 2" $? "status $st: $(cat "$tmp/tampered.err")"
else
	not_ok "a tampered blob in the registry" "no $data"
fi

# ---- TLS -----------------------------------------------------------------
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -days 1 \
		-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1; then
	start_registry tls "  tls:
    certificate: $tmp/tls.crt
    key: $tmp/tls.key"
	T=127.0.0.1:$port
	push "oci:$fx/truxe-api:2.4.0" "docker://$T/tls/api:1"
	check "push to a TLS registry" $? "$(cat "$tmp/push.log")"
	scan tls-untrusted --no-cache "docker://$T/tls/api:1"
	[ $st -eq 2 ] && grep -q 'certificate not trusted' "$tmp/tls-untrusted.err"
	check "TLS with an untrusted certificate: exit 2, never plain HTTP instead" $? \
		"status $st: $(cat "$tmp/tls-untrusted.err")"
	mkdir -p "$tmp/certs"
	cp "$tmp/tls.crt" "$tmp/certs/ca.crt"
	scan tls-certdir --no-cache --cert-dir "$tmp/certs" "docker://$T/tls/api:1"
	check "TLS verified with the CA from --cert-dir" $((st != 1)) "status $st: $(cat "$tmp/tls-certdir.err")"
	scan tls-noverify --no-cache --tls-verify=false "docker://$T/tls/api:1"
	check "TLS unverified with --tls-verify=false" $((st != 1)) "status $st: $(cat "$tmp/tls-noverify.err")"
	scan tls-insecure --no-cache --insecure-registry "$T" "docker://$T/tls/api:1"
	check "TLS unverified with --insecure-registry HOST" $((st != 1)) "status $st: $(cat "$tmp/tls-insecure.err")"
else
	skip "TLS cases: openssl cannot make a certificate"
fi

# ---- htpasswd ----------------------------------------------------------
if command -v htpasswd >/dev/null 2>&1; then
	htpasswd -Bbc "$tmp/htpasswd" alice 's3cret-PASS' >/dev/null 2>&1
	start_registry basic "auth:
  htpasswd:
    realm: licgate-test
    path: $tmp/htpasswd"
	B=127.0.0.1:$port
	push "oci:$fx/truxe-api:2.4.0" "docker://$B/private/api:1" --dest-creds 'alice:s3cret-PASS'
	check "push to the htpasswd registry" $? "$(cat "$tmp/push.log")"
	scan basic-none --no-cache "docker://$B/private/api:1"
	[ $st -eq 2 ] && grep -q "$B" "$tmp/basic-none.err" && grep -q 'no credentials' "$tmp/basic-none.err"
	check "htpasswd, no credentials: exit 2, said" $? "status $st: $(cat "$tmp/basic-none.err")"
	printf 'alice:wrong-PASSWORD\n' >"$tmp/bad-creds"
	scan basic-wrong --no-cache --creds-file "$tmp/bad-creds" "docker://$B/private/api:1"
	[ $st -eq 2 ] && grep -q "$B" "$tmp/basic-wrong.err" && grep -q 'refused' "$tmp/basic-wrong.err" &&
		! grep -q 'wrong-PASSWORD' "$tmp/basic-wrong.err" "$tmp/basic-wrong.out"
	check "htpasswd, wrong credentials: exit 2, the registry named, no secret" $? \
		"status $st: $(cat "$tmp/basic-wrong.err")"
	printf 'alice:s3cret-PASS\n' >"$tmp/good-creds"
	scan basic-file --no-cache -v --creds-file "$tmp/good-creds" "docker://$B/private/api:1"
	[ $st -eq 1 ] && ! grep -q 's3cret' "$tmp/basic-file.err" "$tmp/basic-file.out"
	check "htpasswd, --creds-file: scanned, no secret in --verbose" $? "status $st: $(cat "$tmp/basic-file.err")"
	auth=$(printf 'alice:s3cret-PASS' | base64)
	mkdir -p "$tmp/dockercfg"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$B" "$auth" >"$tmp/dockercfg/config.json"
	DOCKER_CONFIG=$tmp/dockercfg scan basic-cfg --no-cache "docker://$B/private/api:1"
	check "htpasswd, DOCKER_CONFIG/config.json auths" $((st != 1)) "status $st: $(cat "$tmp/basic-cfg.err")"
	printf '{"auths":{"http://%s/v2/":{"auth":"%s"}}}\n' "$B" "$auth" >"$tmp/auth.json"
	REGISTRY_AUTH_FILE=$tmp/auth.json scan basic-raf --no-cache "docker://$B/private/api:1"
	check "htpasswd, REGISTRY_AUTH_FILE" $((st != 1)) "status $st: $(cat "$tmp/basic-raf.err")"
	# a credential helper: docker-credential-NAME get, the server URL on stdin
	mkdir -p "$tmp/helperbin"
	cat >"$tmp/helperbin/docker-credential-licgatetest" <<'EOH'
#!/bin/sh
[ "$1" = get ] || exit 1
read -r server
printf '%s\n' "$server" >"$HELPER_SAW"
printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret-PASS"}\n' "$server"
EOH
	chmod +x "$tmp/helperbin/docker-credential-licgatetest"
	printf '{"credHelpers":{"%s":"licgatetest"}}\n' "$B" >"$tmp/dockercfg/config.json"
	HELPER_SAW=$tmp/helper-saw PATH=$tmp/helperbin:$PATH DOCKER_CONFIG=$tmp/dockercfg \
		scan basic-helper --no-cache "docker://$B/private/api:1"
	[ $st -eq 1 ] && [ "$(cat "$tmp/helper-saw" 2>/dev/null)" = "$B" ]
	check "htpasswd, credHelpers: docker-credential-NAME get with the server on stdin" $? \
		"status $st: $(cat "$tmp/basic-helper.err")"
else
	skip "htpasswd cases: apache2-utils is not installed"
fi

# ---- token auth ----------------------------------------------------------
if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
	skip "token auth (LICGATE_SKIP_SLOW=1)"
elif ! python3 -c 'import cryptography' 2>/dev/null || ! command -v openssl >/dev/null 2>&1; then
	skip "token auth: python3-cryptography or openssl is not installed"
else
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/tok.key" -out "$tmp/tok.crt" \
		-days 1 -subj /CN=licgate-token >/dev/null 2>&1
	start_token() { # NAME MODES...
		n=$1
		shift
		python3 "$tools/token_server.py" "$tmp/tok.key" "$tmp/tok.crt" licgate-issuer \
			"$tmp/$n.port" "$@" 2>"$tmp/$n.log" &
		pids="$pids $!"
		wait_file "$tmp/$n.port"
		tport=$(cat "$tmp/$n.port")
	}
	token_registry() { # NAME TOKEN-PORT
		start_registry "$1" "auth:
  token:
    realm: http://127.0.0.1:$2/token
    service: licgate-test
    issuer: licgate-issuer
    rootcertbundle: $tmp/tok.crt"
	}
	start_token tok-anon
	token_registry token "$tport"
	K=127.0.0.1:$port
	push "oci:$fx/truxe-api:2.4.0" "docker://$K/tok/api:1"
	check "push to the token registry" $? "$(cat "$tmp/push.log")"
	scan token-anon --no-cache "docker://$K/tok/api:1"
	check "token auth, anonymous Bearer token for the repository's pull scope" $((st != 1)) \
		"status $st: $(cat "$tmp/token-anon.err")"
	start_token tok-oauth access_token
	token_registry token2 "$tport"
	K2=127.0.0.1:$port
	cp -r "$tmp/token/storage/." "$tmp/token2/storage/"
	scan token-oauth --no-cache "docker://$K2/tok/api:1"
	check "token auth, a reply with access_token" $((st != 1)) "status $st: $(cat "$tmp/token-oauth.err")"
	start_token tok-auth auth
	token_registry token3 "$tport"
	K3=127.0.0.1:$port
	cp -r "$tmp/token/storage/." "$tmp/token3/storage/"
	scan token-none --no-cache "docker://$K3/tok/api:1"
	[ $st -eq 2 ] && grep -q "$K3" "$tmp/token-none.err"
	check "token auth refusing anonymous: exit 2, the registry named" $? "status $st: $(cat "$tmp/token-none.err")"
	scan token-creds --no-cache --creds-file "$tmp/stub-creds" "docker://$K3/tok/api:1" 2>/dev/null
	printf 'u:p\n' >"$tmp/stub-creds"
	scan token-creds --no-cache --creds-file "$tmp/stub-creds" "docker://$K3/tok/api:1"
	check "token auth with credentials (Basic to the token server)" $((st != 1)) \
		"status $st: $(cat "$tmp/token-creds.err")"
fi

# ---- a stub registry for what a real one will not do on demand -----------
stub() { # NAME MODES...: starts the stub over truxe-api; sets $S
	n=$1
	shift
	python3 "$tools/registry_stub.py" "$fx/truxe-api" "$tmp/$n.port" "$@" 2>"$tmp/$n.log" &
	pids="$pids $!"
	wait_file "$tmp/$n.port"
	S=127.0.0.1:$(cat "$tmp/$n.port")
}
printf 'u:p\n' >"$tmp/stub-creds"
stub redirect auth redirect
scan redirect --no-cache --creds-file "$tmp/stub-creds" "docker://$S/truxe/api:2.4.0"
[ $st -eq 1 ] && [ "$(verdicts "$tmp/redirect.out")" = "$(verdicts "$tmp/local-truxe.out")" ]
check "blobs redirected to another origin that refuses Authorization: not sent there" $? \
	"status $st: $(cat "$tmp/redirect.err")"
stub cut cut
scan cut --no-cache "docker://$S/truxe/api:2.4.0"
check "transfers cut halfway: resumed with Range (206)" $((st != 1)) "status $st: $(cat "$tmp/cut.err")"
stub norange cut norange
scan norange --no-cache "docker://$S/truxe/api:2.4.0"
check "a server that ignores Range: started again" $((st != 1)) "status $st: $(cat "$tmp/norange.err")"
stub badrange cut badrange
scan badrange --no-cache "docker://$S/truxe/api:2.4.0"
check "a 206 from the wrong byte: started again" $((st != 1)) "status $st: $(cat "$tmp/badrange.err")"
stub lie lie
scan lie --no-cache "docker://$S/truxe/api:2.4.0"
[ $st -eq 2 ] && grep -q 'Docker-Content-Digest' "$tmp/lie.err"
check "a manifest not matching its Docker-Content-Digest: exit 2" $? "status $st: $(cat "$tmp/lie.err")"
scan lie-digest --no-cache "docker://$S/truxe/api@sha256:$digest"
[ $st -eq 2 ] && grep -q 'digest mismatch' "$tmp/lie-digest.err"
check "a manifest not matching the digest reference: exit 2" $? "status $st: $(cat "$tmp/lie-digest.err")"
stub plainrealm plainrealm
scan plainrealm --no-cache --creds-file "$tmp/stub-creds" "docker://$S/truxe/api:2.4.0"
[ $st -eq 2 ] && grep -q 'realm is not HTTPS' "$tmp/plainrealm.err"
check "credentials are never sent to a plain-HTTP token realm elsewhere" $? "status $st: $(cat "$tmp/plainrealm.err")"
if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
	skip "429 cases (LICGATE_SKIP_SLOW=1)"
else
	stub limited ratelimit=2
	scan limited --no-cache "docker://$S/truxe/api:2.4.0"
	check "429 with Retry-After: waited, then scanned" $((st != 1)) "status $st: $(cat "$tmp/limited.err")"
	stub limited2 ratelimit=99
	scan limited2 --no-cache "docker://$S/truxe/api:2.4.0"
	[ $st -eq 2 ] && grep -q 'rate limited.*ratelimit-remaining: 0;w=21600' "$tmp/limited2.err"
	check "still rate limited: exit 2 with Docker Hub's ratelimit headers" $? "status $st: $(cat "$tmp/limited2.err")"
fi

# --creds USER:PASS is wiped from the process's argument list as soon as
# it is parsed: while licgate waits on a registry that accepted the
# connection and never answers, /proc/PID/cmdline (what ps shows) holds
# no password, and nothing licgate printed does either.
hold=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
open(sys.argv[2] + ".ready", "w").write("listening\n")
c, _ = s.accept(); open(sys.argv[2], "w").write("accepted\n"); time.sleep(30)
' "$hold" "$tmp/held" &
pids="$pids $!"
wait_file "$tmp/held.ready"
"$bin" scan --no-cache --creds "auditor:S3cretPassw0rd" "docker://127.0.0.1:$hold/truxe/api:t" \
	>"$tmp/argv.out" 2>"$tmp/argv.err" </dev/null &
lpid=$!
if wait_file "$tmp/held"; then
	tr '\0' ' ' <"/proc/$lpid/cmdline" >"$tmp/argv.cmdline"
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	if grep -q 'valgrind' "$tmp/argv.cmdline"; then
		# the kernel shows valgrind's own argument list, not its client's
		skip "--creds wiped from /proc/PID/cmdline: licgate runs under valgrind here"
	else
		grep -q 'creds' "$tmp/argv.cmdline" && ! grep -q 'S3cret' "$tmp/argv.cmdline" &&
			! grep -q 'S3cret' "$tmp/argv.out" "$tmp/argv.err"
		check "--creds: the password is gone from /proc/PID/cmdline while the scan runs" $? \
			"cmdline: $(cat "$tmp/argv.cmdline")"
	fi
else
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	not_ok "--creds: licgate never connected to the holding server" "$(cat "$tmp/argv.err")"
fi

# Plain HTTP only for loopback or --insecure-registry: a non-loopback name
# is tried with HTTPS only (no network needed: it fails to resolve or
# connect, and never falls back).
scan https-only --no-cache "docker://registry.invalid/x:y"
[ $st -eq 2 ] && grep -q 'https://registry.invalid' "$tmp/https-only.err"
check "a non-loopback registry is HTTPS only" $? "status $st: $(cat "$tmp/https-only.err")"

finish
