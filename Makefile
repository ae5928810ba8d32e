# SPDX-License-Identifier: GPL-2.0
# tcplat: one binary, one BPF skeleton per feature, artefacts in .output/.
# Quiet by default; V=1 shows the commands.

OUTPUT := .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -g -O2
# One folder per feature (its BPF side, user side, options, format) and one
# for what they share; objects land flat in $(OUTPUT), so names are unique.
FEATURES := connect rtt
# Folders of user-space code without a BPF object of their own.
USER_DIRS := serve
SRC_DIRS := src src/common $(FEATURES:%=src/%) $(USER_DIRS:%=src/%)
INCLUDES := -I$(OUTPUT) $(SRC_DIRS:%=-I%)
CFLAGS += -Wall -Wextra -Werror -D_GNU_SOURCE $(INCLUDES)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror $(INCLUDES)
LDLIBS := -lbpf -lelf -lz -lm -lmicrohttpd
HEADERS := $(wildcard $(SRC_DIRS:%=%/*.h))
vpath %.c $(SRC_DIRS)
vpath test_%.c $(wildcard tests/unit/*/)

# Pure modules: no libbpf calls beyond names, unit-tested without a kernel.
PURE := parse addr json opts backend privs hist_view connect_opts connect_format rtt_opts \
	rtt_format prom series hist_family connect_metrics rtt_metrics serve_opts procstat
# The exporter's glue: libbpf, sockets, libmicrohttpd.
SERVE := serve serve_http serve_privs
USER := main evloop $(PURE) $(FEATURES) $(SERVE)
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
.PHONY: all deps run check test test-unit test-integration tools clean vmtest install \
	uninstall static check-static lint-man lint-unit lint

all: tcplat tools

deps:
	$(Q)scripts/install-deps.sh

# The two commands of README.md.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./tcplat connect $(ARGS)

# Everything: the packaging lints, unit, integration and the VM matrix (about
# 12 minutes).
check: deps
	$(Q)$(MAKE) --no-print-directory all lint check-static \
		$(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))
	$(Q)TCPLAT_VMTEST=1 tests/run-all.sh

# The host's suite alone (about a minute).
test: all $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))
	$(Q)tests/run-all.sh

test-unit: $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))
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
$(OUTPUT)/%.o: %.c $(HEADERS) $(FEATURES:%=$(OUTPUT)/%.skel.h) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

tcplat: $(USER:%=$(OUTPUT)/%.o)
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
	$(Q)rm -rf $(OUTPUT) tcplat tcplat-static

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

# Cost per event of `tcplat connect` beside a bpftrace peer (root; see bench/connect.sh).
.PHONY: bench
bench: tcplat $(OUTPUT)/tests/lat_client $(OUTPUT)/tests/lat_server
	bench/connect.sh $(BENCH_ARGS)

# The VM matrix: every backend on Debian's 5.10, 6.1 and 6.12 cloud kernels in
# qemu (root; KERNELS="6.1 6.12" to choose; see scripts/vmtest/run.sh).
vmtest: all
	$(Q)scripts/install-deps.sh
	$(Q)scripts/vmtest/run.sh $(KERNELS)
