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
FEATURES := connect rtt accept
SRC_DIRS := src src/common $(FEATURES:%=src/%)
INCLUDES := -I$(OUTPUT) $(SRC_DIRS:%=-I%)
CFLAGS += -Wall -Wextra -Werror -D_GNU_SOURCE $(INCLUDES)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror $(INCLUDES)
LDLIBS := -lbpf -lelf -lz -lm
HEADERS := $(wildcard $(SRC_DIRS:%=%/*.h))
vpath %.c $(SRC_DIRS)
vpath test_%.c $(wildcard tests/unit/*/)

# Pure modules: no libbpf calls beyond names, unit-tested without a kernel.
PURE := parse addr json opts backend privs hist_view connect_opts connect_format rtt_opts \
	rtt_format accept_opts accept_format accept_table
USER := main evloop $(PURE) $(FEATURES)
TOOLS := nfq_delay lat_client lat_server acc_server
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
.PHONY: all deps run check test test-unit test-integration tools clean vmtest

all: tcplat tools

deps:
	$(Q)scripts/install-deps.sh

# The two commands of README.md.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./tcplat connect $(ARGS)

# Everything: unit, integration and the VM matrix (about 12 minutes).
check: deps
	$(Q)$(MAKE) --no-print-directory all $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))
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
$(OUTPUT)/tests/lat_client $(OUTPUT)/tests/lat_server $(OUTPUT)/tests/acc_server: LDLIBS :=
$(OUTPUT)/tests/%: tests/tools/%.c tests/tools/tools.h | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O2 -Wall -Wextra -Werror $< $(LDLIBS) -o $@

$(OUTPUT)/tests/test_%: test_%.c tests/unit/unit.h $(PURE:%=$(OUTPUT)/%.o) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(filter-out %.h,$^) -lcmocka -lbpf -lelf -lz -lm -o $@

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) tcplat

# Cost per event of `tcplat connect` beside a bpftrace peer (root; see bench/connect.sh).
.PHONY: bench
bench: tcplat $(OUTPUT)/tests/lat_client $(OUTPUT)/tests/lat_server
	bench/connect.sh $(BENCH_ARGS)

# The VM matrix: every backend on Debian's 5.10, 6.1 and 6.12 cloud kernels in
# qemu (root; KERNELS="6.1 6.12" to choose; see scripts/vmtest/run.sh).
vmtest: all
	$(Q)scripts/install-deps.sh
	$(Q)scripts/vmtest/run.sh $(KERNELS)
