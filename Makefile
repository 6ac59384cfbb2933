# licgate - gate container images on a license boundary.
# Plain make: `make`, `make check`, `make demo`, `make install`.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/licgate
DESTDIR ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
LDFLAGS    ?=
BUILD      ?= build
# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN        ?=

PKGS = libarchive jansson libpcre2-8 libxxhash libcrypto libssl libisal libcurl libbrotlidec
# Evaluated lazily, so `make deps` can install them first.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
# libarchive is linked statically when libarchive-dev ships its archive:
# then only what licgate calls is in the binary (the tar reader, the gzip
# and zstd filters), not the readers of other formats and the libraries
# they load (libxml2, ICU, nettle, ...).  That halves start-up time (a
# warm scan is mostly start-up) and keeps code that never runs out of a
# process that reads hostile input.  LIBARCHIVE_STATIC=0: the shared one.
# The tests and tools link the shared one: they also write archives.
LIBARCHIVE_A      = $(shell $(PKG_CONFIG) --variable=libdir libarchive)/libarchive.a
LIBARCHIVE_STATIC ?= $(if $(wildcard $(LIBARCHIVE_A)),1,0)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread
# Nested archives (layer_nested.c) add the zip, cpio and ar readers and
# the xz and bzip2 filters: liblzma, libbz2, and nettle (zip's crypto).
BIN_LIBS = $(if $(filter 1,$(LIBARCHIVE_STATIC)),$(LIBARCHIVE_A) -lz -lzstd -llzma -lbz2 -lnettle \
	     $(shell $(PKG_CONFIG) --libs $(filter-out libarchive,$(PKGS))) -lpthread,$(PKG_LIBS))

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wundef -Wno-format-nonliteral -Werror
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANFLAGS = $(if $(SAN),$(SANITIZE))
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc -I$(BUILD) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRCS  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  = $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRCS)) $(BUILD)/default_rules.o
# The SPDX identifier lists (rules/spdx/) are compiled in too; see below.
LIB_OBJS += $(BUILD)/spdx_data.o
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps demo check unit e2e check-asan install uninstall clean fixtures
all: licgate

licgate: $(BUILD)/licgate
	cp $< $@

$(BUILD)/licgate: $(BUILD)/main.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(BIN_LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -DLICGATE_VERSION='"$(VERSION)"' -c -o $@ $<

# The default rules are compiled into the binary.
$(BUILD)/default_rules.c: rules/default.rules | $(BUILD)
	{ echo '/* generated from rules/default.rules */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const unsigned char lg_default_rules[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t lg_default_rules_len = sizeof(lg_default_rules);'; } > $@

$(BUILD)/default_rules.o: $(BUILD)/default_rules.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# The SPDX license and exception lists (rules/spdx/README.md) are compiled
# in the same way: lg_spdx_NAME[] holds the bytes of a list plus a
# terminating NUL, lg_spdx_NAME_len the length without it; the version is
# one line without its newline.  spdx_data.h declares them and bounds the
# entries of each list (LG_SPDX_NAME_MAX: its line count + 1), which sizes
# the static tables src/spdx_ids.c builds from them.
SPDX_LISTS = licenses:licenses.txt deprecated:deprecated.txt \
	     exceptions:exceptions.txt exceptions_deprecated:exceptions-deprecated.txt
SPDX_FILES = rules/spdx/licenses.txt rules/spdx/deprecated.txt \
	     rules/spdx/exceptions.txt rules/spdx/exceptions-deprecated.txt \
	     rules/spdx/VERSION

$(BUILD)/spdx_data.c: $(SPDX_FILES) | $(BUILD)
	{ echo '/* generated from rules/spdx/ */'; \
	  echo '#include "spdx_data.h"'; \
	  for e in $(SPDX_LISTS) version:VERSION; do \
	    n=$${e%%:*}; f=rules/spdx/$${e#*:}; \
	    echo "const unsigned char lg_spdx_$$n[] = {"; \
	    if [ "$$n" = version ]; then tr -d '\r\n' <$$f; else cat $$f; fi | \
	      od -An -v -tx1 | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '0x00 };'; \
	    echo "const size_t lg_spdx_$${n}_len = sizeof(lg_spdx_$$n) - 1;"; \
	  done; } > $@

$(BUILD)/spdx_data.h: $(SPDX_FILES) | $(BUILD)
	{ echo '/* generated from rules/spdx/ */'; \
	  echo '#include <stddef.h>'; \
	  for e in $(SPDX_LISTS) version:VERSION; do \
	    n=$${e%%:*}; f=rules/spdx/$${e#*:}; \
	    echo "extern const unsigned char lg_spdx_$$n[];"; \
	    echo "extern const size_t lg_spdx_$${n}_len;"; \
	    [ "$$n" = version ] && continue; \
	    N=$$(echo "$$n" | tr a-z A-Z); \
	    echo "#define LG_SPDX_$${N}_MAX $$(($$(wc -l <$$f) + 1))"; \
	  done; } > $@

$(BUILD)/spdx_data.o: $(BUILD)/spdx_data.c $(BUILD)/spdx_data.h
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/spdx_ids.o: $(BUILD)/spdx_data.h

# Regenerate rules/spdx/ from the npm packages (needs npm and node).
.PHONY: spdx-lists
spdx-lists:
	sh rules/spdx/generate.sh

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

# licgate's SPDX parser on the command line, for the differential tests
# against the npm packages (tests/spdx-diff/, tests/e2e/test_spdx_diff.sh).
$(BUILD)/tests/spdx_tool: tests/tools/spdx_tool.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Install the Debian packages the build and the tests need (no-op when present).
deps:
	sh .ci/deps

unit: $(UNIT_BINS) $(BUILD)/licgate $(BUILD)/tests/spdx_tool
e2e: $(BUILD)/licgate

# Every test: the fuzz targets' smoke run, the end-to-end tests under
# valgrind, then unit and end-to-end tests, and the same under ASan+UBSan;
# the output ends with the runner's summary ("check: N passed, M failed").
check: deps
	$(MAKE) $(BUILD)/licgate licgate unit
	$(MAKE) BUILD=build-asan SAN=1 CFLAGS='-O1 -g' build-asan/licgate unit
	$(MAKE) fuzz-smoke check-valgrind
	sh tests/run.sh $(BUILD) build-asan

# Scan the bundled example image: a boundary that fails, explained.
demo: deps
	$(MAKE) licgate
	@echo '$$ ./licgate scan --rules rules/truxe.rules --target dockerhub tests/fixtures/oci/truxe-api'
	@./licgate scan --rules rules/truxe.rules --target dockerhub tests/fixtures/oci/truxe-api; \
	  st=$$?; echo "(exit status $$st: 0 pass, 1 violations, 2 could not complete)"; [ $$st -ne 2 ]

fixtures:
	sh tests/fixtures/make-fixtures.sh

install: licgate
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/rules
	install -m 0755 licgate $(DESTDIR)$(BINDIR)/licgate
	install -m 0644 man/licgate.1 $(DESTDIR)$(MANDIR)/man1/licgate.1
	install -m 0644 man/licgate-rules.5 $(DESTDIR)$(MANDIR)/man5/licgate-rules.5
	install -m 0644 rules/*.rules $(DESTDIR)$(DATADIR)/rules/
	install -m 0644 man/licgate-report.schema.json $(DESTDIR)$(DATADIR)/licgate-report.schema.json

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/licgate $(DESTDIR)$(MANDIR)/man1/licgate.1 \
	      $(DESTDIR)$(MANDIR)/man5/licgate-rules.5
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz build-bench licgate

# More targets, each in its own file: make fuzz / fuzz-smoke, make bench,
# make check-valgrind.
include fuzz/fuzz.mk bench/bench.mk tests/valgrind.mk

-include $(wildcard $(BUILD)/*.d)
