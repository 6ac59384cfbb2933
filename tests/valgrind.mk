# tests/valgrind.mk - `make check-valgrind` and `make check-slow`
# (included by the Makefile).
#
# check-valgrind: every end-to-end script (tests/e2e/run.sh and
# tests/e2e/test_*.sh) with licgate and spdx_tool under valgrind memcheck
# (tests/valgrind.sh): any memory error or definite/indirect leak in any
# run fails.  Two scripts at a time (VG_JOBS); the few cases that take
# minutes under valgrind are skipped through LICGATE_SKIP_SLOW=1 (see
# tests/valgrind.sh).
#
# check-slow: the hostile corpus at full size (tests/e2e/test_hostile.sh
# with LICGATE_SLOW=1): 200,000 files in one layer, a 4 GiB decompression
# bomb, a million SPDX tags in one file.  Not part of `make check`.
VALGRIND ?= valgrind
VG_JOBS  ?= 2

.PHONY: check-valgrind check-slow
check-valgrind: $(BUILD)/licgate $(BUILD)/tests/spdx_tool
	VALGRIND='$(VALGRIND)' VG_JOBS='$(VG_JOBS)' sh tests/valgrind.sh $(BUILD)

check-slow: $(BUILD)/licgate
	LICGATE_SLOW=1 sh tests/e2e/test_hostile.sh $(BUILD)/licgate
