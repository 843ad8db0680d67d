# bpf/bpf.mk (included by the top-level Makefile): builds ktstr_sched, its two broken
# variants and the timeline tracer ktstr_trace into build/bpf/. vmlinux.h is generated from the test kernel's BTF at build time
# (never committed); the loaders are static so the guest needs no shared libraries.

BPF_OUT     := $(BUILD)/bpf
BPF_CLANG   ?= $(shell command -v clang-19 2>/dev/null || echo clang)
BPFTOOL     ?= bpftool
# Override: KTSTR_VMLINUX=/path/to/vmlinux (ELF with .BTF, or a raw BTF file).
KTSTR_VMLINUX ?=
BPF_NAMES   := ktstr_sched ktstr_sched_bad_verifier ktstr_sched_bad_kfunc
BPF_BINS    := $(addprefix $(BPF_OUT)/,$(BPF_NAMES))
# The timeline tracer: its own loader; the host puts it in the initramfs when it exists.
BPF_TRACE   := $(BPF_OUT)/ktstr_trace
# Auto-repro's probes (docs/auto-repro.md): the host puts it in a repro VM's initramfs.
BPF_PROBE   := $(BPF_OUT)/ktstr_probe
BPF_HDRS    := bpf/scx_common.bpf.h bpf/ktstr_iface.bpf.h
# vmlinux.h from newer kernels has anonymous tagged members bpftool 7.1 prints as bare
# declarations; harmless for CO-RE, so that one warning is silenced.
BPF_CFLAGS  := -target bpf -O2 -g -D__TARGET_ARCH_x86 -Wall -Wno-missing-declarations \
               -I$(BPF_OUT) -Ibpf
BPF_LDLIBS  := -l:libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a

.PHONY: bpf bpf-clean FORCE
bpf: $(BPF_BINS) $(BPF_TRACE) $(BPF_PROBE)

# Where the BTF comes from, re-evaluated every build: KTSTR_VMLINUX, then KTSTR_KERNEL's
# vmlinux (a build directory or the file), then the cached test kernel
# (`ktstr kernel vmlinux`), then the host's BTF if it knows sched_ext. The stamp
# holds "path mtime" and changes only when the source does, so vmlinux.h (and everything
# built on it) is regenerated exactly when the kernel changes.
$(BPF_OUT)/vmlinux.src: FORCE
	@mkdir -p $(BPF_OUT)
	@src="$(KTSTR_VMLINUX)"; \
	if [ -z "$$src" ] && [ -n "$$KTSTR_KERNEL" ]; then \
		if [ -f "$$KTSTR_KERNEL/vmlinux" ]; then src="$$KTSTR_KERNEL/vmlinux"; \
		elif [ -f "$$KTSTR_KERNEL" ] && [ "$$(head -c4 "$$KTSTR_KERNEL" | od -An -c | tr -d ' ')" = '177ELF' ]; then src="$$KTSTR_KERNEL"; fi; fi; \
	if [ -z "$$src" ] && [ -x "$(KTSTR)" ]; then src=$$("$(KTSTR)" kernel vmlinux 2>/dev/null) || src=""; fi; \
	if [ -z "$$src" ] && [ -r /sys/kernel/btf/vmlinux ] && \
	   $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null | grep -q "STRUCT 'sched_ext_ops'"; then \
		src=/sys/kernel/btf/vmlinux; fi; \
	if [ -z "$$src" ] || [ ! -r "$$src" ]; then \
		printf 'no BTF source found. Set KTSTR_KERNEL to a kernel build directory,\nor ensure /sys/kernel/btf/vmlinux exists.\n' >&2; \
		[ -n "$$src" ] && echo "  (KTSTR_VMLINUX=$$src is not readable)" >&2; \
		exit 1; fi; \
	echo "$$src $$(stat -c %Y "$$src")" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BPF_OUT)/vmlinux.h: $(BPF_OUT)/vmlinux.src
	@src=$$(cut -d' ' -f1 $<); echo "  BTF     $$src -> $@"; \
	$(BPFTOOL) btf dump file "$$src" format c > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; \
		echo "ktstr: bpftool cannot read BTF from $$src; is it a vmlinux with .BTF?" >&2; exit 1; }

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BPF_OUT)/vmlinux.h
	@command -v $(BPF_CLANG) >/dev/null || { echo "clang: No such file or directory; install it: sudo apt install clang-19 (or run: make deps)" >&2; exit 2; }
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

# One loader source, compiled against each variant's skeleton.
$(BPF_BINS): $(BPF_OUT)/%: bpf/ktstr_sched.c $(BPF_OUT)/%.skel.h
	$(CC) $(ALL_CFLAGS) -I$(BPF_OUT) -DSKEL_HEADER='"$*.skel.h"' -DSKEL_NAME=$* \
	  -static -o $@ $< $(BPF_LDLIBS)

# The tracer's record format is part of the host-guest contract, kept under guest/.
$(BPF_OUT)/ktstr_trace.bpf.o: guest/trace_wire.h
$(BPF_OUT)/ktstr_trace.bpf.o: BPF_CFLAGS += -I.

$(BPF_TRACE): bpf/ktstr_trace.c guest/trace_wire.h $(BPF_OUT)/ktstr_trace.skel.h
	$(CC) $(ALL_CFLAGS) -I$(BPF_OUT) -static -o $@ $< $(BPF_LDLIBS)

$(BPF_OUT)/ktstr_probe.bpf.o: guest/probe_wire.h
$(BPF_OUT)/ktstr_probe.bpf.o: BPF_CFLAGS += -I.

# The loader writes its protocol lines with the guest's JSON writer.
$(BPF_PROBE): bpf/ktstr_probe.c bpf/ktstr_probe_ksym.c bpf/ktstr_probe_ops.c bpf/ktstr_probe_store.c bpf/ktstr_probe.h \
	      guest/probe_wire.h guest/gjson.c $(BPF_OUT)/ktstr_probe.skel.h
	$(CC) $(ALL_CFLAGS) -I$(BPF_OUT) -static -o $@ bpf/ktstr_probe.c bpf/ktstr_probe_ksym.c \
	  bpf/ktstr_probe_ops.c bpf/ktstr_probe_store.c guest/gjson.c $(BPF_LDLIBS) -lpthread

bpf-clean:
	rm -rf $(BPF_OUT)

.SECONDARY: $(addprefix $(BPF_OUT)/,$(addsuffix .bpf.o,$(BPF_NAMES) ktstr_trace ktstr_probe) $(addsuffix .skel.h,$(BPF_NAMES) ktstr_trace ktstr_probe))
