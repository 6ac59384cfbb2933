# buildah-lib.sh - real Dockerfile builds for the e2e tests, with no daemon.
#
# Sourced after the caller has set TMP (a scratch directory it removes) and
# defined skip().  buildah_base NAME builds localhost/NAME: FROM scratch
# plus the busybox-static binary, so that RUN works; it sets buildah_ok to
# true, or to false after saying why with skip (LICGATE_SKIP_SLOW=1, no
# buildah or busybox here, or buildah cannot build on this machine).
# ba runs buildah on the test's own storage (vfs, under $TMP/buildah), bud
# builds with one layer per instruction as `docker build` does, and the
# build output goes to $TMP/bud.log.

BR=$TMP/buildah
ba() { buildah --root "$BR" --runroot "$BR/run" --storage-driver vfs "$@"; }
bud() { ba bud --layers --isolation chroot -q "$@"; }

buildah_base() {
	buildah_ok=false
	if [ "${LICGATE_SKIP_SLOW:-0}" = 1 ]; then
		skip "buildah cases: LICGATE_SKIP_SLOW=1"
		return
	fi
	if ! command -v buildah >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
		skip "buildah cases: buildah or /bin/busybox (busybox-static) is missing"
		return
	fi
	mkdir -p "$TMP/base"
	cp /bin/busybox "$TMP/base/busybox"
	printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' \
		>"$TMP/base/Dockerfile"
	if ! bud -t "localhost/$1" -f "$TMP/base/Dockerfile" "$TMP/base" >"$TMP/bud.log" 2>&1; then
		skip "buildah cases: buildah cannot build here ($(tail -1 "$TMP/bud.log"))"
		return
	fi
	buildah_ok=true
}
