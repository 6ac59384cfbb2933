# fuzz/fuzz.mk - libFuzzer targets (included by the Makefile); see
# fuzz/README.md.
#
#   make fuzz        build every target, then fuzz each for FUZZ_SECONDS
#   make fuzz-smoke  build, replay seeds and fuzz/regressions/<target>/,
#                    then fuzz each for FUZZ_SMOKE_SECONDS (run by `check`;
#                    8 s each keeps the whole smoke near 2 minutes on 2 cores)
#   make fuzz-build  only build them (build-fuzz/fuzz/fuzz_<target>)
#   make fuzz-seeds  only regenerate build-fuzz/seeds/ (fuzz/seeds.sh)
#
# The library objects are the normal ones, built by a sub-make into
# build-fuzz/ with clang, libFuzzer's coverage and ASan+UBSan.

FUZZ_CC            ?= clang
FUZZ_BUILD         ?= build-fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_FLAGS         ?= -rss_limit_mb=2048 -timeout=10
FUZZ_TARGETS = rules pattern spdx spdx_ids tagscan oci layer input cache remote nested fpset

# Which dictionaries (fuzz/dict/NAME.dict) each target gets, and the
# longest input it is fuzzed with (seeds and regressions replay in full).
FUZZ_DICTS_rules    = rules spdx
FUZZ_DICTS_pattern  = rules
FUZZ_DICTS_spdx     = spdx
FUZZ_DICTS_spdx_ids = spdx
FUZZ_DICTS_tagscan  = tagscan spdx
FUZZ_DICTS_oci      = json
FUZZ_DICTS_layer    = tar tagscan
FUZZ_DICTS_input    = tar json
FUZZ_DICTS_cache    = cache
FUZZ_DICTS_nested   = tar tagscan
FUZZ_DICTS_remote   = remote
FUZZ_DICTS_fpset    = fpset
FUZZ_MAXLEN_layer   = 65536
FUZZ_MAXLEN_input   = 131072
FUZZ_MAXLEN_oci     = 16384
FUZZ_MAXLEN_cache   = 65536
FUZZ_MAXLEN_nested  = 65536
FUZZ_MAXLEN_fpset   = 16384

FUZZ_SANITIZE = -fsanitize=fuzzer-no-link,address,undefined \
		-fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_BINS = $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-bins fuzz-seeds fuzz-dicts

fuzz-build:
	$(MAKE) -j2 BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS='-O1 -g' SAN=1 \
		SANITIZE='$(FUZZ_SANITIZE)' fuzz-bins

# In the sub-make, BUILD is $(FUZZ_BUILD) and LIB_OBJS are its objects.
fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_common.o: fuzz/fuzz_common.c | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(BUILD)/fuzz/fuzz_common.o $(LIB_OBJS) | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -Ifuzz -fsanitize=fuzzer -o $@ $< \
		$(BUILD)/fuzz/fuzz_common.o $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/fuzz:
	mkdir -p $@

fuzz-seeds:
	LICGATE=$(BUILD)/licgate sh fuzz/seeds.sh $(FUZZ_BUILD)/seeds

# One dictionary file per target: libFuzzer takes a single -dict.
fuzz-dicts:
	@mkdir -p $(FUZZ_BUILD)/dict
	@$(foreach t,$(FUZZ_TARGETS),cat $(patsubst %,fuzz/dict/%.dict,$(FUZZ_DICTS_$(t))) \
		> $(FUZZ_BUILD)/dict/$(t).dict;)

# fuzz_run TARGET SECONDS: one process (no -jobs: the machine is shared),
# fuzzing from the generated corpus, the seeds and
# the regressions; new inputs go to the first directory, crashes to
# $(FUZZ_BUILD)/artifacts/TARGET/ (libFuzzer prints which).
fuzz_run = mkdir -p $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_BUILD)/artifacts/$(1) && \
	$(FUZZ_BUILD)/fuzz/fuzz_$(1) $(FUZZ_FLAGS) \
		-max_total_time=$(2) -print_final_stats=0 \
		$(if $(FUZZ_MAXLEN_$(1)),-max_len=$(FUZZ_MAXLEN_$(1))) \
		-dict=$(FUZZ_BUILD)/dict/$(1).dict \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/$(1)/ \
		$(FUZZ_BUILD)/corpus/$(1) $(FUZZ_BUILD)/seeds/$(1) \
		$(wildcard fuzz/regressions/$(1))

# fuzz_replay TARGET: every seed and regression once, in full.
fuzz_replay = files=$$(find $(FUZZ_BUILD)/seeds/$(1) fuzz/regressions/$(1) \
		-type f ! -name README.md 2>/dev/null || true); \
	[ -z "$$files" ] || $(FUZZ_BUILD)/fuzz/fuzz_$(1) $(FUZZ_FLAGS) \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/$(1)/ $$files

fuzz: fuzz-build fuzz-seeds fuzz-dicts
	@set -e; $(foreach t,$(FUZZ_TARGETS),echo "fuzz: $(t) for $(FUZZ_SECONDS) s"; \
		$(call fuzz_run,$(t),$(FUZZ_SECONDS));)

fuzz-smoke: fuzz-build fuzz-seeds fuzz-dicts
	@set -e; $(foreach t,$(FUZZ_TARGETS),echo "fuzz-smoke: $(t)"; \
		mkdir -p $(FUZZ_BUILD)/artifacts/$(t); \
		$(call fuzz_replay,$(t)) 2>$(FUZZ_BUILD)/artifacts/$(t)/replay.log || \
		{ tail -40 $(FUZZ_BUILD)/artifacts/$(t)/replay.log; exit 1; }; \
		$(call fuzz_run,$(t),$(FUZZ_SMOKE_SECONDS)) \
		2>$(FUZZ_BUILD)/artifacts/$(t)/fuzz.log || \
		{ tail -60 $(FUZZ_BUILD)/artifacts/$(t)/fuzz.log; exit 1; };)
	@echo "fuzz-smoke: every target replayed its seeds and regressions and fuzzed $(FUZZ_SMOKE_SECONDS) s"

-include $(wildcard $(BUILD)/fuzz/*.d)
