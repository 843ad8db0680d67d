# `ktstr kernel check SPEC` takes every SPEC `run --kernel` takes (cache key, version,
# bzImage, relative path, vmlinux ELF, build tree with or without vmlinux, KTSTR_TEST_KERNEL,
# KTSTR_KERNEL) plus raw BTF, and gives one verdict for all; the vmlinux it decompresses
# from a bzImage leaves nothing in TMPDIR, on success, on error or when killed. A bare
# bzImage imported without a config is labelled sched_ext from its BTF. No VM is booted.
. "$(dirname "$0")/lib.sh"
K=${KTSTR_TEST_KERNEL:-$("$KTSTR" kernel path 2>/dev/null)}
if [ -z "$K" ] || [ "$(dd if="$K" bs=1 skip=514 count=4 2>/dev/null)" != HdrS ]; then
	missing "the test kernel bzImage (KTSTR_TEST_KERNEL or \`ktstr kernel path\`: '$K'); run make kernel"
fi
unset KTSTR_KERNEL KTSTR_TEST_KERNEL
export KTSTR_CACHE_DIR=$T/cache TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
tmp_empty() { [ -z "$(ls -A "$TMPDIR")" ] || fail "$1: left in TMPDIR: $(ls -A "$TMPDIR")"; }

# A bare bzImage (no config beside it, no --config): labelled from the BTF.
cp "$K" "$T/vmlinuz"
"$KTSTR" kernel import "$T/vmlinuz" > "$T/imp.txt" 2>&1 || { cat "$T/imp.txt" >&2; fail "import"; }
expect_grep '^imported .* \(.*, sched_ext\)$' "$T/imp.txt" "bare bzImage import label"
key=$(sed -n 's/^imported \([^ ]*\) .*/\1/p' "$T/imp.txt")
ver=$(jq -r '.version' "$T/cache/kernels/$key/metadata.json")
expect_eq "$(jq -r '.config, .has_sched_ext' "$T/cache/kernels/$key/metadata.json" | tr '\n' ' ')" \
	"null true " "metadata config and has_sched_ext"
"$KTSTR" kernel list > "$T/list.txt"
awk -v k="$key" '$1 == k && / \(sched_ext\)/ { f = 1 } END { exit !f }' "$T/list.txt" ||
	{ cat "$T/list.txt" >&2; fail "list: $key is not tagged (sched_ext)"; }

# The reference verdict: the cache key (its extracted vmlinux).
"$KTSTR" kernel check "$key" > "$T/ref.txt" 2> "$T/err.txt"; ref_rc=$?
[ "$ref_rc" -le 1 ] || { cat "$T/err.txt" >&2; fail "check $key: exit $ref_rc"; }
expect_grep '^(OK|BROKEN): .* scx kfuncs' "$T/ref.txt" "verdict line"
[ "$(wc -l < "$T/ref.txt")" -gt 5 ] || fail "only $(wc -l < "$T/ref.txt") lines from check $key"
same() { # what rc: the last check printed the reference verdict and left no temp file
	[ "$2" = "$ref_rc" ] || { cat "$T/out.txt" "$T/err.txt" >&2; fail "$1: exit $2, expected $ref_rc"; }
	diff "$T/ref.txt" "$T/out.txt" >&2 || fail "$1: verdict differs from the cache key's"
	tmp_empty "$1"
}
check() { "$KTSTR" kernel check "$@" > "$T/out.txt" 2> "$T/err.txt"; }

check "$T/vmlinuz"; same "bzImage path" $?
(cd "$T" && "$KTSTR" kernel check vmlinuz > out.txt 2> err.txt); same "relative bzImage path" $?
check "$ver"; same "version" $?
check "$("$KTSTR" kernel vmlinux "$key")"; same "vmlinux ELF" $?
mkdir -p "$T/tree/arch/x86/boot" && ln -s "$T/vmlinuz" "$T/tree/arch/x86/boot/bzImage"
check "$T/tree"; same "build tree without vmlinux" $?
ln -s "$("$KTSTR" kernel vmlinux "$key")" "$T/tree/vmlinux"
check "$T/tree"; same "build tree with vmlinux" $?
KTSTR_TEST_KERNEL=$T/vmlinuz check; same "KTSTR_TEST_KERNEL" $?
KTSTR_KERNEL=$key check; same "KTSTR_KERNEL key" $?
check; same "newest cache entry" $?
if command -v objcopy > /dev/null; then
	objcopy -O binary --only-section=.BTF "$("$KTSTR" kernel vmlinux "$key")" "$T/raw.btf"
	check "$T/raw.btf"; same "raw BTF" $?
fi

# Errors leave nothing either, and a killed check leaves no file behind (it has no name).
head -c 3000000 "$T/vmlinuz" > "$T/cut"
expect_refused "truncated bzImage" 'cut: bzImage payload .* truncated' kernel check "$T/cut"
tmp_empty "truncated bzImage"
cp "$T/vmlinuz" "$T/damaged"
# Zero 64 KiB of the compressed payload, past the setup code and the stream header.
dd if=/dev/zero of="$T/damaged" bs=65536 seek=8 count=1 conv=notrunc 2> /dev/null
expect_refused "damaged bzImage" 'damaged: the bzImage payload is damaged: decompression stopped after' \
	kernel check "$T/damaged"
tmp_empty "damaged bzImage"
"$KTSTR" kernel check "$T/vmlinuz" > /dev/null 2>&1 & pid=$!
sleep 0.2; kill -9 "$pid" 2> /dev/null; wait "$pid" 2> /dev/null
tmp_empty "check killed by SIGKILL"
echo "PASS"
