# SPDX-License-Identifier: GPL-2.0
# tcplat: one binary, one BPF skeleton per feature, artefacts in .output/.
# Quiet by default; V=1 shows the commands.

OUTPUT := .output
# The binary; the sanitizer build puts its own in its output dir.
BIN := tcplat
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -g -O2
# One folder per feature (its BPF side, user side, options, format) and one
# for what they share; objects land flat in $(OUTPUT), so names are unique.
FEATURES := connect rtt
# BPF skeletons: one per feature, plus rtt's walk of the sockets that existed
# before the start (loaded on its own, so a kernel without it still runs rtt).
SKELS := $(FEATURES) rtt_iter
# Folders of user-space code without a BPF object of their own.
USER_DIRS := serve
SRC_DIRS := src src/common $(FEATURES:%=src/%) $(USER_DIRS:%=src/%)
INCLUDES := -I$(OUTPUT) $(SRC_DIRS:%=-I%)
CFLAGS += -Wall -Wextra -Werror -D_GNU_SOURCE $(INCLUDES)
# SANITIZE=address,undefined instruments the user space (objects, binary,
# unit tests); the BPF objects are built the same as ever.
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
endif
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror $(INCLUDES)
LDLIBS := -lbpf -lelf -lz -lm -lmicrohttpd
HEADERS := $(wildcard $(SRC_DIRS:%=%/*.h))
vpath %.c $(SRC_DIRS)
vpath test_%.c $(wildcard tests/unit/*/)

# Pure modules: no libbpf calls beyond names, unit-tested without a kernel.
PURE := parse addr json text opts backend privs hist_view hist_text connect_opts connect_format \
	connect_agg connect_hist_format rtt_opts rtt_format prom series hist_family connect_metrics \
	rtt_metrics serve_opts procstat
# The exporter's glue: libbpf, sockets, libmicrohttpd.
SERVE := serve serve_http serve_privs serve_connect serve_rtt
USER := main evloop cgroup_path connect_hist connect_load $(PURE) $(FEATURES) rtt_iter $(SERVE)
TOOLS := nfq_delay lat_client lat_server scrape_load
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/*/test_*.c)))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep the BPF objects and skeletons between builds.
.SECONDARY:
.PHONY: all deps run check test test-unit test-integration tools unit-tests clean vmtest install \
	uninstall static check-static lint-man lint-unit lint

all: $(BIN) tools

deps:
	$(Q)scripts/install-deps.sh

# The two commands of README.md.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./tcplat connect $(ARGS)

# Everything: the packaging lints, unit, integration, the VM matrix, then the
# hardening runs: both suites under ASan+UBSan, every fuzzer for FUZZ_SECONDS
# (30) two at a time, scan-build, and a SOAK_SECONDS (180) soak.
check: deps
	$(Q)$(MAKE) --no-print-directory all unit-tests lint check-static asan fuzzers
	$(Q)TCPLAT_VMTEST=1 TCPLAT_HARDEN=1 FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZERS="$(FUZZERS)" \
		SOAK_SECONDS=$(SOAK_SECONDS) tests/run-all.sh

# The host's suite alone (about a minute).
test: all $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))
	$(Q)tests/run-all.sh

unit-tests: $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))

test-unit: unit-tests
	$(Q)tests/unit/run.sh

test-integration: all
	$(Q)tests/integration/run.sh

$(OUTPUT) $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUTPUT)/%.bpf.o: %.bpf.c $(HEADERS) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# Every user object may include any skeleton; they are few and small.
$(OUTPUT)/%.o: %.c $(HEADERS) $(SKELS:%=$(OUTPUT)/%.skel.h) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(USER:%=$(OUTPUT)/%.o)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

tools: $(TOOLS:%=$(OUTPUT)/tests/%)

$(OUTPUT)/tests/nfq_delay: LDLIBS := -lnetfilter_queue -lnfnetlink
$(OUTPUT)/tests/lat_client $(OUTPUT)/tests/lat_server: LDLIBS :=
$(OUTPUT)/tests/scrape_load: LDLIBS := -lpthread
$(OUTPUT)/tests/%: tests/tools/%.c tests/tools/tools.h | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O2 -Wall -Wextra -Werror $< $(LDLIBS) -o $@

$(OUTPUT)/tests/test_%: test_%.c tests/unit/unit.h $(PURE:%=$(OUTPUT)/%.o) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(filter-out %.h,$^) -lcmocka -lbpf -lelf -lz -lm -o $@

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(ASAN_OUTPUT) $(FUZZ_OUTPUT) $(SCAN_OUTPUT) tcplat tcplat-static

# Installation: PREFIX=/usr/local by default, DESTDIR for staging.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MANPAGES := $(wildcard man/*.8)

install: tcplat
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 tcplat $(DESTDIR)$(SBINDIR)/tcplat
	$(Q)install -d $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -d $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' dist/tcplat.service.in > $(DESTDIR)$(UNITDIR)/tcplat.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/tcplat.service
	$(Q)install -D -m 0644 dist/tcplat.bash-completion $(DESTDIR)$(COMPLETIONDIR)/tcplat

uninstall:
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/tcplat $(DESTDIR)$(UNITDIR)/tcplat.service \
		$(DESTDIR)$(COMPLETIONDIR)/tcplat $(MANPAGES:man/%=$(DESTDIR)$(MANDIR)/man8/%)

# libbpf, libelf, zlib, libmicrohttpd and its GnuTLS chain from Debian's
# static archives; the C library and p11-kit (GnuTLS needs it; Debian ships
# no static archive of it, and it pulls libffi) stay shared. See README,
# "Static binary".
STATIC_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -lmicrohttpd -lgnutls -lhogweed -lnettle -lgmp \
	-ltasn1 -lidn2 -lunistring -Wl,-Bdynamic -lp11-kit -lm -lpthread
tcplat-static: $(USER:%=$(OUTPUT)/%.o)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(STATIC_LIBS) -o $@

static: tcplat-static

# The static binary runs, and carries what it should: none of libbpf, libelf,
# zlib, libmicrohttpd or GnuTLS may be a shared dependency.
check-static: tcplat-static
	$(call msg,CHECK,tcplat-static)
	$(Q)./tcplat-static --version >/dev/null
	$(Q)! ldd tcplat-static | grep -E 'lib(bpf|elf|z|microhttpd|gnutls)\.so'

# The man pages (mandoc -T lint, every level) and the systemd unit
# (systemd-analyze verify, against the binary just built).
lint: lint-man lint-unit

lint-man:
	$(call msg,LINT,$(MANPAGES))
	$(Q)mandoc -T lint -W all $(MANPAGES)

lint-unit: tcplat
	$(call msg,LINT,dist/tcplat.service.in)
	$(Q)mkdir -p $(OUTPUT)/unit/man/man8
	$(Q)cp $(MANPAGES) $(OUTPUT)/unit/man/man8/
	$(Q)sed 's|@SBINDIR@|$(CURDIR)|g' dist/tcplat.service.in > $(OUTPUT)/unit/tcplat.service
	$(Q)out=$$(MANPATH=$(CURDIR)/$(OUTPUT)/unit/man systemd-analyze verify \
		$(OUTPUT)/unit/tcplat.service 2>&1); rc=$$?; \
		[ -z "$$out" ] || echo "$$out" >&2; [ $$rc -eq 0 ] && [ -z "$$out" ]

# The overhead benchmark (root; see bench/bench.sh): every row, its peers and
# targets, written to bench/results.json and bench/RESULTS.md. TCPLAT=PATH
# measures another binary; BENCH_ARGS="-r 5" passes options.
BENCH_BIN := $(OUTPUT)/bench/floor.bpf.o $(OUTPUT)/bench/bpf_attach
.PHONY: bench
bench: tcplat $(OUTPUT)/tests/lat_client $(OUTPUT)/tests/lat_server $(BENCH_BIN)
	$(Q)TCPLAT="$(or $(TCPLAT),$(CURDIR)/tcplat)" bench/bench.sh $(BENCH_ARGS)

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bench/bpf_attach: bench/bpf_attach.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O2 -Wall -Wextra -Werror $< -lbpf -lelf -lz -o $@

# The VM matrix: every backend on Debian's 5.10, 6.1 and 6.12 cloud kernels in
# qemu (root; KERNELS="6.1 6.12" to choose; see scripts/vmtest/run.sh).
vmtest: all
	$(Q)scripts/install-deps.sh
	$(Q)scripts/vmtest/run.sh $(KERNELS)

# ---- Hardening: sanitizers, fuzzing, static analysis, soak ----

# The unit and integration suites against an ASan+UBSan build of the user
# space, in its own output dir; the normal build is untouched. The sanitizer
# options (leak checks on, halt on the first report) are tests/sanitize.sh's.
ASAN_OUTPUT := .output-asan
.PHONY: asan check-asan fuzzers fuzz analyze soak

asan:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(ASAN_OUTPUT) BIN=$(ASAN_OUTPUT)/tcplat \
		SANITIZE=address,undefined $(ASAN_OUTPUT)/tcplat unit-tests

check-asan: all asan
	$(Q)tests/sanitize.sh unit
	$(Q)tests/sanitize.sh integration

# libFuzzer harnesses, one per parser or writer that takes outside input. A
# new harness is tests/fuzz/NAME/fuzz_NAME.c with its seeds in
# tests/fuzz/NAME/corpus/ (and crashers, once fixed, in regressions/), plus
# its NAME on this line:
FUZZERS := parse addr json hist_view connect_opts rtt_opts connect_format rtt_format
FUZZ_OUTPUT := .output-fuzz
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE $(INCLUDES) -Itests/fuzz \
	-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# Every harness links the pure modules it needs out of this archive (backend.c
# names libbpf calls, hence $(LDLIBS)).
FUZZ_LIB := $(FUZZ_OUTPUT)/libpure.a

$(FUZZ_OUTPUT):
	$(Q)mkdir -p $@

$(FUZZ_OUTPUT)/%.o: %.c $(HEADERS) | $(FUZZ_OUTPUT)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(PURE:%=$(FUZZ_OUTPUT)/%.o)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# (Second expansion: the stem twice in one prerequisite.)
.SECONDEXPANSION:
$(FUZZ_OUTPUT)/fuzz_%: tests/fuzz/$$*/fuzz_$$*.c tests/fuzz/fuzz.h $(HEADERS) $(FUZZ_LIB)
	$(call msg,FUZZER,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) $(LDLIBS) -o $@

fuzzers: $(FUZZERS:%=$(FUZZ_OUTPUT)/fuzz_%)

# Replays every committed regression input, then fuzzes each harness for
# FUZZ_SECONDS from its seed corpus, two at a time (FUZZ_SECONDS=0: replay only).
fuzz: fuzzers
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZERS)

# scan-build (clang's static analyzer) over the user-space build and the test
# tools: zero findings or it fails. Checkers beyond the defaults: SCAN_CHECKERS
# in tests/analyze/run.sh.
SCAN_OUTPUT := .output-scan
analyze:
	$(Q)tests/analyze/run.sh

# connect and rtt together under mixed load for SOAK_SECONDS: RSS, fds and
# BPF map entries must stay flat, no event lost, nothing left behind.
SOAK_SECONDS ?= 180
soak: all
	$(Q)SOAK_SECONDS=$(SOAK_SECONDS) tests/soak/run.sh
