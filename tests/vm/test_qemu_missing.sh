# QEMU missing from PATH: an infrastructure error (exit 3) that names the package.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/bin"; ln -s "$(command -v busybox)" "$T/bin/busybox"
PATH=$T/bin "$KTSTR" run "$ROOT/examples/two-cgroups.json" > "$T/o.txt" 2>&1
rc=$?
cat "$T/o.txt" >&2
expect_eq "$rc" 3 "exit code"
expect_grep "qemu-system-x86_64" "$T/o.txt" "names the binary"
expect_grep "apt install qemu-system-x86" "$T/o.txt" "names the package"
