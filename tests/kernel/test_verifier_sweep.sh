#!/usr/bin/env bash
# `ktstr verifier` across kernels, on the kernel test_build.sh built (run after it: its
# cache, <cache root>/test-kernel-build, is reused, nothing is built from scratch here):
# 1. A/B: ktstr_sched on the built kernel (ktstr.kconfig, pahole 1.32) and on Debian sid's
#    cloud kernel (same series, another config): both pass, and the table across the two
#    kernels has a row per struct_ops program with both counts and their delta.
# 2. A kernel whose BTF came from bookworm's pahole 1.24: a copy of the built tree with
#    vmlinux relinked by `make PAHOLE=<pahole 1.24>` (only the link and BTF steps run again,
#    about a minute); `kernel check` says its kfuncs keep the implicit `aux`, and the sweep
#    rejects it: NOT ATTACHED, libbpf's kfunc prototype mismatch in the log.
. "$(dirname "$0")/../vm/lib.sh"
MAIN_CACHE=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}
sid_image=$("$KTSTR" kernel path) || missing "the test kernel (make kernel)"
export KTSTR_CACHE_DIR=$MAIN_CACHE/test-kernel-build
key=$("$KTSTR" kernel list --json 2>/dev/null | jq -r '[.[] | select(.source == "build:source")][0].key // empty')
[ -n "$key" ] || missing "the kernel test_build.sh builds (run tests/kernel/run.sh tests/kernel/test_build.sh first)"
src=$("$KTSTR" kernel list --json | jq -r --arg k "$key" '.[] | select(.key == $k) | .build.src')
btree=$KTSTR_CACHE_DIR/builds/$key
[ -f "$btree/.config" ] && [ -f "$btree/vmlinux.a" ] || missing "the build tree of $key ($btree)"
[ -f "$src/Makefile" ] || missing "the source tree of $key ($src)"
t0=$SECONDS

# 1. A/B over two kernels.
"$KTSTR" verifier ktstr_sched --kernel "$key" --kernel "$sid_image" --out "$T/ab" > "$T/ab.txt" 2> "$T/ab.err"
rc=$?
[ "$rc" = 0 ] || { cat "$T/ab.err" "$T/ab.txt" >&2; fail "A/B sweep: exit $rc, expected 0"; }
J=$T/ab/verifier.json
sid_label=$(jq -r '.cells[1].kernel' "$J")
expect_eq "$(jq -r '.cells[0].kernel' "$J")" "$key" "kernel A's label"
case "$sid_label" in path_*) ;; *) fail "kernel B's label '$sid_label' is not path_<file>";; esac
expect_eq "$(jq -r '[.cells[].verdict] | join(",")' "$J")" "pass,pass" "verdicts"
expect_grep '^verified_insns across kernels: topology 1x1x1x1, profile default$' "$T/ab.txt" "A/B table"
expect_grep "^  program +$key +$sid_label +delta\$" "$T/ab.txt" "A/B columns"
expect_grep '^verifier summary: 2 ✅  0 ❌  0 🇽$' "$T/ab.txt" "summary"
nrows=0
for name in $(jq -r '.cells[0].programs[].name' "$J"); do
	a=$(jq --arg n "$name" '.cells[0].programs[] | select(.name == $n) | .verified_insns' "$J")
	b=$(jq --arg n "$name" '.cells[1].programs[] | select(.name == $n) | .verified_insns' "$J")
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "$name: verified_insns $a (A) $b (B)"
	d=$(printf '%+d' $((b - a)))
	awk -v n="$name" -v a="$a" -v b="$b" -v d="$d" '$1 == n && $2 == a && $3 == b && $4 == d { f = 1 } END { exit !f }' \
		"$T/ab.txt" || { grep "^  $name " "$T/ab.txt" >&2; fail "$name: no row '$a $b $d'"; }
	nrows=$((nrows + 1))
	echo "  $name: $a -> $b ($d)"
done
[ "$nrows" -ge 5 ] || fail "$nrows programs in the A/B table, expected >= 5"
expect_no_qemu
echo "A/B: $nrows programs on two kernels ($((SECONDS - t0)) s)"

# 2. The same tree relinked with pahole 1.24: a kernel no released scheduler loads on.
old=$(pahole --version 2>/dev/null)
case "$old" in v1.2[0-5]*) ;; *) missing "a pahole older than 1.26 on PATH (have '$old')";; esac
t1=$SECONDS
p124=$T/pahole-1.24
cp -a "$btree" "$p124" || fail "cannot copy $btree"
rm -f "$p124/vmlinux" "$p124/arch/x86/boot/bzImage" # the relink must make them again
nice make -C "$src" O="$p124" PAHOLE="$(command -v pahole)" KCFLAGS=-Wno-error -j"$(nproc)" \
	vmlinux bzImage > "$T/relink.log" 2>&1 || { tail -30 "$T/relink.log" >&2; fail "relink with pahole $old"; }
ncc=$(grep -c '^  CC ' "$T/relink.log")
echo "relinked with pahole $old in $((SECONDS - t1)) s ($ncc files compiled)"
[ "$ncc" -lt 200 ] || fail "the relink compiled $ncc files: not a relink"
"$KTSTR" kernel check "$p124" > "$T/check.txt" 2>&1
expect_eq "$?" 1 "kernel check of the pahole-1.24 kernel"
expect_grep "keep the implicit 'aux' argument" "$T/check.txt" "kernel check verdict"
"$KTSTR" verifier ktstr_sched --kernel "$p124" --out "$T/p124" > "$T/p124.txt" 2> "$T/p124.err"
expect_eq "$?" 1 "sweep on the pahole-1.24 kernel"
J=$T/p124/verifier.json
expect_eq "$(jq -r '.cells[0] | "\(.kernel) \(.verdict) \(.attached)"' "$J")" "path_pahole-1.24 fail false" "verdict"
expect_grep '^=== ktstr_sched \| kernel path_pahole-1.24 \| topology 1x1x1x1 ===$' "$T/p124.txt" "failing header"
expect_grep '^  scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup$' "$T/p124.txt" "not attached"
expect_grep "^  libbpf: extern \(func ksym\) 'scx_bpf_[a-z_]+': func_proto \[[0-9]+\] incompatible with kernel" \
	"$T/p124.txt" "the kfunc mismatch in the scheduler log"
expect_grep "^ktstr: verifier: kernel path_pahole-1.24: BROKEN: [0-9]+ of [0-9]+ scx kfuncs keep the implicit 'aux'" \
	"$T/p124.err" "the kernel's verdict up front"
expect_no_qemu
echo "ok: A/B on two kernels; the pahole-1.24 kernel rejected ($((SECONDS - t0)) s)"
