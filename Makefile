# Vigil - eBPF runtime security for Linux containers.
#
#   make            build build/vigil (BPF objects linked and embedded)
#   make run        build, start dockerd if needed, run (make run ARGS='--output text')
#   make test       build, lint, unit + fuzz + fresh-machine + e2e tests
#   make unit       unit tests only (no root, no BPF toolchain needed)
#   make e2e        end-to-end tests (root, Docker); ONLY=net runs one family
#   make lint       shellcheck and cppcheck; a finding fails
#   make fresh      build and unit-test inside a pristine Debian 12 chroot
#   make bench      overhead, then event-throughput benchmark (root, Docker)
#   make fuzz       libFuzzer on the parsers (FUZZ_SECONDS=60 each)
#   make anomaly-eval  the anomaly detector on ADFA-LD (../shared/datasets)
#   make format     clang-format the C sources in place
#   make V=1        show commands;  WERROR=1 warnings are errors (CI)
#   make SANITIZE=1 build with ASan/UBSan (the unit tests always are)
#
# On a machine without make or the libraries, ./bootstrap installs them
# first (./bootstrap run, ./bootstrap test).

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
OUT := build
ARCH := x86

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PKGS := libbpf libelf zlib jansson libcurl libseccomp libcap libarchive capstone yaml-0.1 libsodium libmicrohttpd libcrypto tss2-esys tss2-tctildr tss2-mu tss2-rc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -std=gnu11 -D_GNU_SOURCE \
	  -Isrc -Isrc/agent -I$(OUT) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lelf -lz -ljansson -lcurl -lseccomp -lcap -larchive -lcapstone -lyaml -lsodium -lmicrohttpd -lcrypto -ltss2-esys -ltss2-tctildr -ltss2-mu -ltss2-rc) -lm -lpthread
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	      -I$(OUT) -Isrc -Isrc/bpf -I/usr/include/$(shell uname -m)-linux-gnu
ifeq ($(WERROR),1)
BPF_CFLAGS += -Werror
endif

# Kernel side: one hook family per file, in folders by role.
BPF_SRCS := $(wildcard src/bpf/*/*.bpf.c)
BPF_OBJS := $(patsubst src/bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS := $(wildcard src/bpf/lib/*.h src/abi/*.h)

# Agent modules, one folder each.  Only the files that include the skeleton
# need the BPF toolchain; the rest (and so the unit tests) build with cc.
AGENT_SRCS := $(wildcard src/agent/*.c src/agent/*/*.c)
AGENT_HDRS := $(wildcard src/agent/*/*.h src/abi/*.h)
AGENT_OBJS := $(patsubst src/agent/%.c,$(OUT)/agent/%.o,$(AGENT_SRCS))
SKEL_USERS := $(shell grep -l 'vigil.skel.h' $(AGENT_SRCS))
SKEL_OBJS := $(patsubst src/agent/%.c,$(OUT)/agent/%.o,$(SKEL_USERS))
# what the unit tests link: no main, no skeleton users
LIB_SRCS := $(filter-out src/agent/main.c $(SKEL_USERS),$(AGENT_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

.SECONDARY:
# a recipe that fails leaves no half-made target behind (an empty object, say)
.DELETE_ON_ERROR:
.PHONY: all deps run test unit e2e bench clean helpers fuzz fuzz-build lint fresh format anomaly-eval image
all: $(OUT)/vigil

$(OUT)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(OUT)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(OUT)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BPF_HDRS) $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# All hook families linked into one object, one skeleton.
$(OUT)/vigil.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/vigil.skel.h: $(OUT)/vigil.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vigil_bpf > $@

$(SKEL_OBJS): $(OUT)/vigil.skel.h

$(OUT)/agent/%.o: src/agent/%.c $(AGENT_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/vigil: $(AGENT_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Unit tests: cmocka, the agent's modules rebuilt with ASan/UBSan, no root.
# They link from an archive, so a test pulls in only the modules it uses.
UNIT_CFLAGS := $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_OBJS := $(patsubst src/agent/%.c,$(OUT)/asan/%.o,$(LIB_SRCS))
ASAN_LIB := $(OUT)/asan/libvigil.a

$(ASAN_LIB): $(ASAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/asan/%.o: src/agent/%.c $(AGENT_HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

# Small ELF files with known syscall sites, for test_elf_scan.
TEST_ELFS := $(OUT)/tests/elf/sites_static $(OUT)/tests/elf/sites_dynamic
$(OUT)/tests/test_%: tests/unit/test_%.c tests/unit/records.h $(ASAN_LIB) $(TEST_ELFS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(OUT)/tests
	$(Q)$(CC) $(UNIT_CFLAGS) -DTEST_ELF_DIR='"$(OUT)/tests/elf"' -DTEST_DATA_DIR='"tests/unit/data"' \
		$< $(ASAN_LIB) -fsanitize=address,undefined $(LDLIBS) -lcmocka -o $@

# (sites_static: no libc, so every syscall instruction is one we wrote)
$(OUT)/tests/elf/sites_static: tests/unit/elf/sites_static.S
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -nostdlib -static -o $@ $<
$(OUT)/tests/elf/sites_dynamic: tests/unit/elf/sites_dynamic.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -o $@ $<

# libFuzzer targets over the parsers, linked from an archive of the modules.
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Isrc -Isrc/agent -I$(OUT) -D_GNU_SOURCE \
	       $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJS := $(patsubst src/agent/%.c,$(OUT)/fuzzobj/%.o,$(LIB_SRCS))
FUZZ_LIB := $(OUT)/fuzzobj/libvigil.a

$(OUT)/fuzzobj/%.o: src/agent/%.c $(AGENT_HDRS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(OUT)/fuzz
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) $(LDLIBS) -o $@

FUZZ_SECONDS ?= 60
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(OUT)/fuzz $(FUZZ_SECONDS)

# Static helpers baked into the e2e test image.
$(OUT)/helpers/vigil-testbin: tests/helpers/vigil-testbin.c
	$(call msg,HELPER,$@)
	$(Q)mkdir -p $(OUT)/helpers
	$(Q)$(CC) -O2 -static -Wall $< -o $@ -luring -lpthread

# The anomaly detector on ADFA-LD (bench/anomaly/run.sh, docs/anomaly.md).
$(OUT)/adfa_eval: bench/anomaly/adfa_eval.c src/agent/learn/iforest.c src/agent/learn/iforest.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) bench/anomaly/adfa_eval.c src/agent/learn/iforest.c -lm -o $@

anomaly-eval: $(OUT)/adfa_eval
	$(Q)bench/anomaly/run.sh

# The status page is embedded in the object (.incbin).
$(OUT)/agent/core/status.o $(OUT)/asan/core/status.o: src/agent/output/web/status.html

# The receiving end of the webhook tests (runs on the host).
$(OUT)/helpers/vigil-http-sink: tests/helpers/vigil-http-sink.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUT)/helpers
	$(Q)$(CC) $(CFLAGS) $< -lmicrohttpd -o $@

# What root can do with the signing key (re-signs an edited log), for the TPM tests.
$(OUT)/agent/libvigil.a: $(patsubst src/agent/%.c,$(OUT)/agent/%.o,$(LIB_SRCS))
	$(Q)rm -f $@ && ar rcs $@ $^
$(OUT)/helpers/vigil-reseal: tests/helpers/vigil-reseal.c $(OUT)/agent/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUT)/helpers
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

helpers: $(OUT)/helpers/vigil-testbin $(OUT)/helpers/vigil-http-sink $(OUT)/helpers/vigil-reseal

# ns/event of the rules over a recorded event mix (bench/run.sh records one)
# (from the archive: only the objects it uses, not the ones that need the skeletons)
$(OUT)/rules_bench: bench/rules_bench.c $(OUT)/agent/libvigil.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

deps:
	$(Q)scripts/deps.sh

# run and test re-enter make after deps: flags from pkg-config are only
# right once the packages are installed.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/dockerd.sh
	$(OUT)/vigil run $(ARGS)

unit: $(UNIT_BINS)
	$(Q)tests/run-unit.sh $(UNIT_BINS)

e2e: all helpers
	$(Q)tests/e2e/run.sh $(ONLY)

lint:
	$(Q)tests/lint.sh

fresh:
	$(Q)tests/fresh/run.sh

format:
	$(Q)clang-format -i $(AGENT_SRCS) $(AGENT_HDRS) $(BPF_SRCS) $(wildcard src/bpf/lib/*.h)

test: deps
	$(Q)$(MAKE) --no-print-directory WERROR=1 all helpers $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)tests/run-all.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all helpers $(OUT)/rules_bench
	$(Q)bench/run.sh
	$(Q)bench/throughput.sh

# the container image: the agent, its libraries, the default rules and config (docker import)
image: all
	$(Q)scripts/image.sh

clean:
	rm -rf $(OUT)
