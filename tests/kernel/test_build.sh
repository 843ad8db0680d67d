#!/usr/bin/env bash
# A real kernel build: Debian sid's linux-source tree (`ktstr kernel fetch --debian-source`,
# fetched like the test kernel) built by `ktstr kernel build --source` with ktstr.kconfig and
# ktstr's own pahole, then booted with an example passing under ktstr_sched; the second
# build is a cache hit; bookworm's pahole 1.24 is refused before anything is built; a
# --kernel A --kernel B run gives one result each.
# The build is slow (about 25 min on 2 CPUs), so its cache is a persistent one of its own,
# beside the user's: <cache root>/test-kernel-build (not the tests' temp root), which also
# keeps the built kernel from becoming the newest entry the other tests would boot. The
# source tree stays in the user's cache (<cache root>/src), fetched once.
. "$(dirname "$0")/../vm/lib.sh"
MAIN_CACHE=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}
sid_image=$("$KTSTR" kernel path) || missing "the test kernel (make kernel)"
command -v pahole >/dev/null || missing "bookworm's pahole 1.24 (make deps installs dwarves)"
src=$("$KTSTR" kernel fetch --debian-source) || fail "kernel fetch --debian-source"
[ -f "$src/Makefile" ] || fail "no kernel tree at '$src'"
export KTSTR_CACHE_DIR=$MAIN_CACHE/test-kernel-build
mkdir -p "$KTSTR_CACHE_DIR"

# 1. pahole older than 1.26 named by KTSTR_PAHOLE: refused with the fix, nothing built.
old=$(pahole --version)
case "$old" in v1.2[0-5]*) ;; *) missing "a pahole older than 1.26 on PATH (have $old)";; esac
KTSTR_PAHOLE=$(command -v pahole) expect_refused_F "old pahole" \
	"pahole ${old#v} (KTSTR_PAHOLE=$(command -v pahole)) is too old to build a ktstr kernel" \
	kernel build --source "$src" --force
expect_grep "Fix: unset KTSTR_PAHOLE and ktstr provisions pahole from Debian sid" "$T/o.txt" "the fix"

# 2. The build (or the cache hit of an earlier run of this test).
start=$(date +%s)
"$KTSTR" kernel build --source "$src" > "$T/build.out" 2> "$T/build.err"
rc=$?
tail -5 "$T/build.err" >&2
expect_eq "$rc" 0 "kernel build exit code"
key=$(head -1 "$T/build.out" | cut -d' ' -f1)
echo "built $key in $(( $(date +%s) - start ))s: $(head -1 "$T/build.out")" >&2
"$KTSTR" kernel list --json > "$T/list.json"
e() { jq -r --arg k "$key" ".[] | select(.key == \$k) | $1" "$T/list.json"; }
expect_eq "$(e .source)" build:source "entry source"
expect_eq "$(e .has_sched_ext)" true "sched_ext"
expect_eq "$(e .build.pahole)" 1.32 "pahole recorded"
expect_eq "$(e '.build.kconfig_hash != null')" true "fragment hash recorded"
[ -s "$(e .build.log)" ] || fail "build log missing: $(e .build.log)"
[ -s "$(e .vmlinux)" ] || fail "vmlinux missing"
# BTF from pahole >= 1.26: every scx kfunc loadable.
"$KTSTR" kernel check "$key" > "$T/check.txt" 2>&1 || { cat "$T/check.txt" >&2; fail "kernel check"; }
expect_grep "^OK: all [0-9]+ scx kfuncs have the trimmed prototype" "$T/check.txt" "kfunc BTF"

# 3. A second build of the same tree is a cache hit, in seconds.
start=$(date +%s)
"$KTSTR" kernel build --source "$src" > "$T/b2.out" 2> "$T/b2.err" || { cat "$T/b2.err" >&2; fail "rebuild"; }
expect_grep "cache hit for .*linux-source.* \($key, built [0-9]+[smhd] ago\)" "$T/b2.err" "cache hit"
[ $(( $(date +%s) - start )) -lt 60 ] || fail "cache hit took $(( $(date +%s) - start ))s"

# The seed's stale-kconfig advice, `kernel build --kernel <entry version>`, rebuilds a built
# entry from the source it recorded (here: the same key, so a cache hit), not kernel.org.
"$KTSTR" kernel build --kernel 7.2.13 > "$T/b3.out" 2> "$T/b3.err" || { cat "$T/b3.err" >&2; fail "--kernel 7.2.13"; }
expect_grep "^ktstr: rebuilding $key from $src\$" "$T/b3.err" "--kernel names the entry's source"
expect_grep "cache hit for $src \($key," "$T/b3.err" "--kernel rebuild is a cache hit"

# 4. It boots and an example passes under ktstr_sched.
"$KTSTR" run "$ROOT/examples/ktstr-sched.json" --kernel "$key" --json > "$T/run.json" 2> "$T/run.err"
rc=$?
[ "$rc" = 0 ] || { tail -20 "$T/run.err" >&2; jq -r '.checks[]? | select(.ok == false) | .name + ": " + .message' "$T/run.json" >&2; }
expect_eq "$rc" 0 "run on the built kernel"
expect_eq "$(jq -r .scheduler.attached "$T/run.json")" true "ktstr_sched attached"
expect_eq "$(jq -r .kernel.key "$T/run.json")" "$key" "result names the kernel"

# 5. Two kernels: one result each, naming its kernel.
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --kernel "$key" --kernel "$sid_image" --json \
	> "$T/two.json" 2> "$T/two.err"
rc=$?
[ "$rc" = 0 ] || tail -20 "$T/two.err" >&2
expect_eq "$rc" 0 "two-kernel run"
expect_eq "$(jq -s length "$T/two.json")" 2 "results"
expect_eq "$(jq -rs '.[0].kernel.key' "$T/two.json")" "$key" "first result's kernel"
expect_eq "$(jq -rs '.[1].kernel.path' "$T/two.json")" "$sid_image" "second result's kernel"
expect_grep "kernel 2 of 2: " "$T/two.err" "per-kernel progress"
expect_no_qemu
echo "ok: built $key; check, cache hit, run, two kernels"
