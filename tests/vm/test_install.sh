# Installed use: `make install DESTDIR=... PREFIX=/usr/local` stages ktstr, its guest parts,
# the man page and the bash completion. The staged ktstr, run from outside the repository
# with nothing pointing back at the source tree, finds its parts in ../libexec/ktstr and
# passes a scenario under EEVDF and under the installed ktstr_sched; without its libexec
# directory it finds nothing (so no build tree was used). `ktstr --version` and result.json
# carry the same version facts. The completion completes verbs, cache keys and schedulers.
. "$(dirname "$0")/lib.sh"
D=$T/destdir
make --no-print-directory -C "$ROOT" install DESTDIR="$D" PREFIX=/usr/local > "$T/install.log" 2>&1 ||
	{ cat "$T/install.log" >&2; fail "make install DESTDIR=$D PREFIX=/usr/local failed"; }
P=$D/usr/local
for f in bin/ktstr libexec/ktstr/ktstr-init libexec/ktstr/ktstr_trace libexec/ktstr/ktstr_probe libexec/ktstr/ktstr_sched \
	 share/man/man1/ktstr.1 share/bash-completion/completions/ktstr; do
	[ -s "$P/$f" ] || fail "make install did not stage $f"
done
IK=$P/bin/ktstr

# Nothing may lead the staged copy back to the source tree: no overrides, a PATH without
# build/, a working directory outside the repository.
unset KTSTR_INIT KTSTR_TRACE KTSTR_SCHEDULER KTSTR_SCHEDULER_BIN_KTSTR_SCHED KTSTR_QEMU
export PATH=$P/bin:/usr/bin:/bin
mkdir "$T/work" && cd "$T/work" || fail "cannot cd to $T/work"
cp "$ROOT/examples/two-cgroups.json" "$ROOT/examples/ktstr-sched.json" .
K=$("$IK" kernel path) || fail "installed ktstr: kernel path failed"
[ -r "$K" ] || fail "installed ktstr: kernel path '$K' is not readable"

# --version: VERSION from the Makefile, the commit, libbpf's and QEMU's versions.
"$IK" --version > "$T/ver.txt" 2>&1 || { cat "$T/ver.txt" >&2; fail "--version failed"; }
cat "$T/ver.txt" >&2
ver=$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")
commit=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
qemu=$(command -v qemu-system-x86_64) || fail "no qemu-system-x86_64 on PATH"
qver=$("$qemu" --version | sed -n '1s/^QEMU emulator version //p')
expect_eq "$(sed -n 1p "$T/ver.txt")" "ktstr $ver" "--version line 1"
expect_eq "$(sed -n 2p "$T/ver.txt")" "commit: $commit" "--version line 2"
expect_eq "$(sed -n 3p "$T/ver.txt")" "libbpf: $(pkg-config --modversion libbpf)" "--version line 3"
expect_eq "$(sed -n 4p "$T/ver.txt")" "qemu: $qver at $qemu" "--version line 4"
"$IK" version > "$T/ver2.txt" 2>&1
cmp -s "$T/ver.txt" "$T/ver2.txt" || fail "'version' and '--version' differ"
# No QEMU: still prints, still exit 0.
PATH=$P/bin "$IK" version > "$T/ver3.txt" 2>&1 || { cat "$T/ver3.txt" >&2; fail "version without QEMU failed"; }
expect_grep '^qemu: not found' "$T/ver3.txt" "version without QEMU"
"$IK" version --json > "$T/ver.json" || fail "version --json failed"

# On a failed run, say which checks failed (the report is JSON on stdout).
why() { jq -r '.error // empty, (.checks[] | select(.ok | not) | .message)' "$1" >&2 2>/dev/null; }

# A scenario from the staged copy, EEVDF: passes, the tracer came along, result.json
# records the same version facts.
"$IK" run two-cgroups.json --kernel "$K" --duration-ms 2000 --json > "$T/eevdf.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
[ "$rc" -eq 0 ] || why "$T/eevdf.json"
expect_eq "$rc" 0 "installed ktstr run two-cgroups.json: exit code"
expect_eq "$(jq -r .result "$T/eevdf.json")" pass "result (eevdf)"
dir=$(jq -r .run_dir "$T/eevdf.json")
expect_eq "$(jq -cS .ktstr "$dir/result.json")" "$(jq -cS . "$T/ver.json")" "result.json .ktstr vs version --json"
expect_eq "$(jq -r .ktstr.commit "$dir/result.json")" "$commit" "result.json .ktstr.commit"
expect_grep 'timeline: tracing [0-9]+ worker tid' "$dir/guest.log" "installed tracer ran"

# Under the installed scheduler: found by name in libexec, attached, passed.
"$IK" run ktstr-sched.json --kernel "$K" --duration-ms 2000 --json > "$T/sched.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
[ "$rc" -eq 0 ] || why "$T/sched.json"
expect_eq "$rc" 0 "installed ktstr run ktstr-sched.json: exit code"
expect_eq "$(jq -r .result "$T/sched.json")" pass "result (ktstr_sched)"
expect_eq "$(jq -r .scheduler.attached "$T/sched.json")" true "ktstr_sched attached"
expect_no_qemu

# The control: without libexec/ktstr nothing else supplies the parts (no build tree).
mv "$P/libexec/ktstr" "$P/libexec/ktstr.off"
"$IK" run ktstr-sched.json --kernel "$K" > "$T/o.txt" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$T/o.txt" >&2; fail "without libexec: exit $rc, expected 2"; }
expect_grep "scheduler 'ktstr_sched' not found" "$T/o.txt" "without libexec: the scheduler"
"$IK" run two-cgroups.json --kernel "$K" > "$T/o.txt" 2>&1
rc=$?
[ "$rc" -eq 3 ] || { cat "$T/o.txt" >&2; fail "without libexec: exit $rc, expected 3"; }
expect_grep "guest init not found" "$T/o.txt" "without libexec: the guest init"
mv "$P/libexec/ktstr.off" "$P/libexec/ktstr"

# The bash completion, as installed: COMP_WORDS in, COMPREPLY out.
comp() {
	bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ktstr; printf "%s\n" "${COMPREPLY[@]}"' \
		"$P/share/bash-completion/completions/ktstr" "$@" | sort | tr '\n' ' '
}
expect_eq "$(comp ktstr ker)" "kernel " "complete 'ktstr ker'"
expect_eq "$(comp ktstr kernel ch)" "check " "complete 'ktstr kernel ch'"
expect_eq "$(comp ktstr kernel build --ex)" "--extra-kconfig " "complete 'ktstr kernel build --ex'"
expect_eq "$(comp ktstr run x.json --sch)" "--scheduler " "complete 'ktstr run x.json --sch'"
keys=$("$IK" kernel list --json | jq -r '.[].key' | sort | tr '\n' ' ')
[ -n "$keys" ] || fail "no cache keys listed"
expect_eq "$(comp ktstr kernel check '')" "$keys" "complete 'ktstr kernel check <TAB>' (cache keys)"
expect_eq "$(comp ktstr run x.json --scheduler ktstr_sched_)" "ktstr_sched_bad_kfunc ktstr_sched_bad_verifier " \
	"complete '--scheduler ktstr_sched_' (installed schedulers)"
comp ktstr run x.json --scheduler '' | grep -qw eevdf || fail "complete '--scheduler <TAB>' lacks eevdf"
comp ktstr run x.json --scheduler '' | grep -qw ktstr-init && fail "the guest init is offered as a scheduler"

# The man page renders without warnings.
if command -v man > /dev/null; then
	MANWIDTH=80 man --warnings -l "$P/share/man/man1/ktstr.1" > "$T/man.txt" 2> "$T/manerr.txt"
	[ ! -s "$T/manerr.txt" ] || { cat "$T/manerr.txt" >&2; fail "man page warnings"; }
	expect_grep 'ktstr version' "$T/man.txt" "man page documents version"
fi
echo "install: staged $(find "$D" -type f | wc -l) files, both runs passed" >&2
