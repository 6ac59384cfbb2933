# bench/bench.mk - `make bench` (included by the Makefile).
.PHONY: bench
bench:
	@echo "bench: not written yet"
