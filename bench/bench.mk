# bench/bench.mk - `make bench` and `make bench-image` (included by the
# Makefile); see bench/README.md.
#
# make bench         build licgate and the benchmark image, time every row
#                    (BENCH_RUNS runs each, default 5) and print one Markdown
#                    table; fails when a target is missed, after the table
# make bench-image   only the image: an OCI layout and an oci-archive in
#                    BENCH_DIR, rebuilt when bench/make-image.sh changes
BENCH_DIR ?= build-bench

.PHONY: bench bench-image
bench: deps
	$(MAKE) licgate
	sh bench/make-image.sh $(BENCH_DIR)
	sh bench/run.sh ./licgate $(BENCH_DIR)

bench-image:
	sh bench/make-image.sh $(BENCH_DIR)

# make bench-fingerprints   optional: a cold scan with a fingerprint set of
#                           10,000 source files vs without (bench/fingerprint.sh)
.PHONY: bench-fingerprints
bench-fingerprints:
	$(MAKE) licgate
	sh bench/make-image.sh $(BENCH_DIR)
	sh bench/fingerprint.sh ./licgate $(BENCH_DIR)
