# ktstr: one Makefile. `make run` and `make test` do all set-up on a fresh Debian machine
# (README). Objects go to build/, the kernel cache to ~/.cache/ktstr (KTSTR_CACHE_DIR).

CC      ?= cc
BUILD   := build
# The release version; `ktstr version` adds the git commit it was built from.
VERSION := 0.1.0
PKGS    := libbpf libelf zlib ncursesw jansson libarchive libcurl
# Debian package that provides each pkg-config name (for the missing-dependency message).
deb_libbpf := libbpf-dev
deb_libelf := libelf-dev
deb_zlib := zlib1g-dev
deb_ncursesw := libncurses-dev
deb_jansson := libjansson-dev
deb_libarchive := libarchive-dev
deb_libcurl := libcurl4-openssl-dev

WERROR  ?= -Werror
CFLAGS  ?= -O2 -g
# Bounded snprintf truncation is deliberate everywhere (messages, paths are capped).
WNO := -Wno-unknown-warning-option -Wno-format-truncation
ALL_CFLAGS = $(CFLAGS) -std=gnu17 -Wall -Wextra $(WERROR) $(WNO) -D_GNU_SOURCE -MMD -MP -I.
# Only include paths: ncursesw adds -D_XOPEN_SOURCE=600, which hides glibc GNU APIs.
PKG_CFLAGS := $(filter -I%,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lreadline -lpthread -lm

LIB_SRC  := $(wildcard engine/*.c engine/kernel/*.c engine/initramfs/*.c engine/repro/*.c engine/monitor/*.c engine/sweep/*.c) $(wildcard vmm/*.c)
APP_SRC  := $(wildcard cli/*.c) $(wildcard tui/*.c) $(wildcard views/*.c)
GUEST_SRC := $(wildcard guest/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(LIB_SRC))
APP_OBJ := $(call obj,$(APP_SRC))
UNIT_OBJ := $(call obj,$(UNIT_SRC))

KTSTR := $(BUILD)/ktstr
INIT  := $(BUILD)/ktstr-init

.PHONY: all deps pkgcheck kernel run test check archtest vmtest tuitest kerneltest bench asan clean fuzz
# bpf needs the test kernel's BTF, so it is built after `make kernel` (run, test do both).
all: pkgcheck $(KTSTR) $(INIT)

deps:
	@bash scripts/install-deps.sh

pkgcheck:
	@command -v pkg-config >/dev/null || { echo "pkg-config: command not found; install it: sudo apt install pkg-config (or run: make deps)" >&2; exit 2; }
	@for p in $(PKGS); do pkg-config --exists $$p || { \
	  case $$p in libbpf) d=$(deb_libbpf);; libelf) d=$(deb_libelf);; zlib) d=$(deb_zlib);; \
	  ncursesw) d=$(deb_ncursesw);; jansson) d=$(deb_jansson);; libarchive) d=$(deb_libarchive);; \
	  libcurl) d=$(deb_libcurl);; esac; \
	  echo "ktstr: pkg-config cannot find '$$p'; install it: sudo apt install $$d (or run: make deps)" >&2; exit 2; }; done

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/libktstr.a: $(LIB_OBJ)
	@rm -f $@; ar rcs $@ $^

$(KTSTR): $(APP_OBJ) $(BUILD)/libktstr.a
	$(CC) $(ALL_CFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libktstr.a $(PKG_LIBS)

# The guest's PID 1: static, so the initramfs needs no libc of its own.
$(INIT): $(GUEST_SRC) $(wildcard guest/*.h)
	@mkdir -p $(BUILD)
	$(CC) -std=gnu17 -O2 -g -Wall -Wextra $(WERROR) $(WNO) -D_GNU_SOURCE -I. -static -o $@ $(GUEST_SRC) -l:libjansson.a -lpthread

# Version facts for engine/version.c, rewritten only when one changes (a new commit
# rebuilds one object). Outside a git checkout the commit is "unknown"; when git cannot
# answer in a checkout (`sudo make install` in a user's tree: "dubious ownership") the
# commit already recorded is kept.
GEN := $(BUILD)/gen
$(GEN)/version_gen.h: FORCE
	@mkdir -p $(GEN)
	@c=$$( [ -e .git ] && git describe --always --dirty 2>/dev/null ); \
	if [ -z "$$c" ]; then \
		if [ -e .git ] && [ -f $@ ]; then exit 0; fi; c=unknown; fi; \
	l=$$(pkg-config --modversion libbpf 2>/dev/null) || l=unknown; \
	printf '#define KTSTR_VERSION "%s"\n#define KTSTR_COMMIT "%s"\n#define KTSTR_LIBBPF_BUILD "%s"\n' \
	  '$(VERSION)' "$$c" "$$l" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
# The embedded kconfig fragment (.incbin) is a dependency the compiler does not report.
$(BUILD)/obj/engine/kernel/kconfig.o: engine/kernel/ktstr.kconfig
$(BUILD)/obj/engine/version.o: $(GEN)/version_gen.h
$(BUILD)/obj/engine/version.o: ALL_CFLAGS += -I$(GEN)

include bpf/bpf.mk

# The test kernel: Debian sid's cloud kernel, fetched once into the cache.
kernel: $(KTSTR)
	@$(KTSTR) kernel fetch --debian

# The README's main job: the default scenario on the provisioned kernel.
run: deps
	@$(MAKE) --no-print-directory all kernel
	@$(MAKE) --no-print-directory bpf
	$(KTSTR) $(RUN_ARGS)

RUN_ARGS ?= tui examples/two-cgroups.json

# The guest's pure helpers (no main, no PID-1 side effects) are unit-tested on the host.
GUEST_PURE_OBJ := $(call obj,guest/gjson.c guest/gutil.c guest/gcpu.c guest/gline.c guest/gscn.c guest/gscn_ops.c guest/gscn_work.c guest/gcgattr.c guest/gwork.c guest/gwork_churn.c guest/gwork_meter.c guest/gwork_io.c guest/gtl.c guest/gbtf.c)
# The probe loader's event store (bpf/, but plain C) is unit-tested too.
PROBE_PURE_OBJ := $(call obj,bpf/ktstr_probe_store.c)
# The view models have no curses in them and are unit-tested too; the panes come along,
# since the key table numbers the pane list (views/panes.c).
VIEW_OBJ := $(call obj,$(wildcard views/*.c))
# The key table (and the drawing it needs for `?`) is checked for one meaning per key.
TUI_KEY_OBJ := $(call obj,tui/keymap.c tui/draw.c)
$(BUILD)/unit: $(UNIT_OBJ) $(GUEST_PURE_OBJ) $(PROBE_PURE_OBJ) $(VIEW_OBJ) $(TUI_KEY_OBJ) $(BUILD)/libktstr.a
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(GUEST_PURE_OBJ) $(PROBE_PURE_OBJ) $(VIEW_OBJ) $(TUI_KEY_OBJ) $(BUILD)/libktstr.a $(PKG_LIBS) -lcriterion

# check: fast unit tests. test: everything CI runs (installs deps, fetches the kernel).
# Unit tests that boot (vmm, initramfs) use the cached test kernel; `make kernel` first.
# Each run script works in one temp root it removes at the end (tests/tmproot.sh).
check: pkgcheck $(BUILD)/unit $(KTSTR)
	@bash tests/unit/run.sh --jobs 2

# Strict: under `make test` a test whose kernel, QEMU or package is missing fails, naming
# it, instead of skipping (a skip is only for `make check` by hand; CI=... is strict too).
test: deps
	@$(MAKE) --no-print-directory all kernel
	@$(MAKE) --no-print-directory bpf
	@KTSTR_TEST_STRICT=1 $(MAKE) --no-print-directory archtest check vmtest tuitest fuzztest kerneltest

# The architecture's arrows and size cap (docs/architecture.md), read off the sources.
archtest:
	@bash tests/arch/check_arrows.sh

vmtest: all bpf
	@bash tests/vm/run.sh

tuitest: all kernel bpf
	@bash tests/tui/run.sh

# Kernel downloads (loopback servers) and a real kernel build, booted (docs/kernels.md).
kerneltest: all kernel bpf $(BUILD)/dl_driver
	@bash tests/kernel/run.sh

bench: all kernel bpf $(BUILD)/bench_initramfs $(BUILD)/bench_monitor
	@bash tests/bench/run.sh

asan: $(KTSTR)
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang WERROR= \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" build/asan/unit
	@UNIT=build/asan/unit ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	  bash tests/unit/run.sh --jobs 1

clean:
	rm -rf $(BUILD)

# Installed use: `make install PREFIX=/usr/local DESTDIR=`. The installed ktstr finds its
# guest parts in ../libexec/ktstr beside its bin/ (engine/parts.h), so a DESTDIR-staged
# copy runs where it was staged. Copies what `make` and `make bpf` built: the schedulers
# need the test kernel's BTF, which under sudo (another HOME, another cache) is not found.
PREFIX     ?= /usr/local
BINDIR     := $(PREFIX)/bin
LIBEXECDIR := $(PREFIX)/libexec/ktstr
MAN1DIR    := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
INSTALL_PARTS := $(INIT) $(BPF_BINS) $(BPF_TRACE) $(BPF_PROBE)
.PHONY: install uninstall
install: all
	@for f in $(INSTALL_PARTS); do [ -x "$$f" ] || { \
	  echo "ktstr: $$f is missing; build the schedulers and the tracer first: make bpf" >&2; exit 2; }; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(KTSTR) $(DESTDIR)$(BINDIR)/ktstr
	install -m 0755 $(INSTALL_PARTS) $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 docs/ktstr.1 $(DESTDIR)$(MAN1DIR)/ktstr.1
	install -m 0644 scripts/ktstr.bash-completion $(DESTDIR)$(BASHCOMPDIR)/ktstr

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ktstr $(DESTDIR)$(MAN1DIR)/ktstr.1 $(DESTDIR)$(BASHCOMPDIR)/ktstr
	rm -f $(addprefix $(DESTDIR)$(LIBEXECDIR)/,$(notdir $(INSTALL_PARTS)))
	-rmdir $(DESTDIR)$(LIBEXECDIR)

-include $(shell find $(BUILD)/obj $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

$(BUILD)/bench_initramfs: tests/bench/bench_initramfs.c $(BUILD)/libktstr.a
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libktstr.a $(PKG_LIBS)

$(BUILD)/bench_monitor: tests/bench/bench_monitor.c $(BUILD)/libktstr.a
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libktstr.a $(PKG_LIBS)

# tests/kernel/test_download.sh drives the kernel.org download code through this.
$(BUILD)/dl_driver: tests/kernel/dl_driver.c $(BUILD)/libktstr.a
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libktstr.a $(PKG_LIBS)

# libFuzzer harnesses, one per reader of untrusted input: scenario files, guest lines, a
# run directory opened for post-mortem, verifier/scheduler logs, the cache's metadata.json,
# QMP replies, kernel.org's releases.json. tests/fuzz/run.sh runs each for FUZZ_SECONDS from its checked-in seeds
# (tests/fuzz/corpus/NAME) and fails on any crash, leak, UB report or hang. `make test`
# runs fuzztest; `make fuzz FUZZ_SECONDS=600` is a longer hunt.
FUZZ_SECONDS ?= 30
FUZZ_NAMES := scenario ingest rundir verifier metadata qmp releases compare
# -fno-sanitize-recover: a UB report must stop the run, or the fuzzer passes over it.
FUZZ_FLAGS := -std=gnu17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -D_GNU_SOURCE -I.
# Every harness links one archive of the host code built with the fuzzer's instrumentation,
# so a file split or added in engine/ needs no change here (the linker takes what it uses).
FUZZ_LIB_SRC := $(LIB_SRC) $(wildcard views/model_*.c)
FUZZ_LIB_OBJ := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_LIB_SRC))
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@clang $(FUZZ_FLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) -MMD -MP $(PKG_CFLAGS) -c $< -o $@
$(BUILD)/fuzz/obj/engine/version.o: $(GEN)/version_gen.h
$(BUILD)/fuzz/obj/engine/version.o: FUZZ_FLAGS += -I$(GEN)
$(BUILD)/fuzz/libktstr.a: $(FUZZ_LIB_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libktstr.a $(wildcard tests/fuzz/*.h)
	clang $(FUZZ_FLAGS) -o $@ $< $(BUILD)/fuzz/libktstr.a $(PKG_LIBS)

.PHONY: fuzz fuzztest
fuzztest: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BIN=$(BUILD)/fuzz bash tests/fuzz/run.sh $(FUZZ_NAMES)
fuzz: fuzztest
