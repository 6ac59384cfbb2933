# fuzz/fuzz.mk - libFuzzer targets (included by the Makefile).
# `make fuzz` runs each target for a bounded time; `make fuzz-smoke` is the
# short run that `make check` does.
.PHONY: fuzz fuzz-smoke
fuzz fuzz-smoke:
	@echo "fuzz: no targets yet"
