#!/usr/bin/env bash
# kernel.org downloads against a loopback busybox httpd, through build/dl_driver: every
# message of the troubleshooting guide's download sections, word for word (connection
# refused, HTTP 503, no patch >= 8, HTML with 200 by body and by Content-Type, 404 with
# and without the sibling hint, RC 404, truncated tarball), a good tarball unpacked with
# its top directory stripped, and after every failure no DEST and no .part-/.tmp- left.
cd "$(dirname "$0")/../.." || exit 2
. tests/tmproot.sh
DL=$PWD/build/dl_driver
T=$KTSTR_TEST_TMP
failures=()
fail() { echo "FAIL: $*" >&2; failures+=("$1"); }

[ -x "$DL" ] || { echo "FAIL: $DL missing; build it first: make build/dl_driver" >&2; exit 1; }
command -v busybox >/dev/null || { echo "FAIL: busybox missing: sudo apt install busybox" >&2; exit 1; }
# The loopback must not go through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy='*' NO_PROXY='*'

# --- the document root ---------------------------------------------------------------
W=$T/www
V=pub/linux/kernel/v6.x
mkdir -p "$W/ok/$V" "$W/nopatch" "$W/cgi-bin" "$W/git/torvalds/t" "$T/src/linux-6.14.10/kernel/sched"
cat > "$W/ok/releases.json" <<'JSON'
{ "latest_stable": { "version": "6.18.3" },
  "releases": [
    { "iseol": false, "version": "6.19-rc2", "moniker": "mainline" },
    { "iseol": false, "version": "6.18.3", "moniker": "stable" },
    { "iseol": false, "version": "6.14.10", "moniker": "stable" },
    { "iseol": true, "version": "6.13.12", "moniker": "stable" },
    { "iseol": false, "version": "6.12.20", "moniker": "longterm" },
    { "iseol": false, "version": "next-20251219", "moniker": "linux-next" } ] }
JSON
cat > "$W/nopatch/releases.json" <<'JSON'
{ "releases": [ { "iseol": false, "version": "6.18.3", "moniker": "stable" },
                { "iseol": false, "version": "6.12.7", "moniker": "longterm" } ] }
JSON
# 503 on every request, counted (so the retries show); text/html with a 200 for any path.
printf '#!/bin/sh\necho x >> %s/503.count\nprintf "Status: 503 Service Unavailable\\r\\nContent-Type: text/plain\\r\\n\\r\\nbusy\\n"\n' "$T" > "$W/cgi-bin/s503"
printf '#!/bin/sh\nprintf "Content-Type: text/html; charset=utf-8\\r\\n\\r\\nAccess denied\\n"\n' > "$W/cgi-bin/html"
chmod +x "$W/cgi-bin/s503" "$W/cgi-bin/html"
# A small kernel-shaped tree, with enough incompressible bytes that half of it is truncated.
printf 'VERSION = 6\nPATCHLEVEL = 14\nSUBLEVEL = 10\n' > "$T/src/linux-6.14.10/Makefile"
printf 'mainmenu "Linux"\n' > "$T/src/linux-6.14.10/Kconfig"
head -c 200000 /dev/urandom | base64 > "$T/src/linux-6.14.10/kernel/sched/ext.c"
ln -s ../Makefile "$T/src/linux-6.14.10/kernel/Makefile.link"
tar -C "$T/src" -cJf "$W/ok/$V/linux-6.14.10.tar.xz" linux-6.14.10 || { echo "FAIL: tar cJf" >&2; exit 1; }
sz=$(stat -c %s "$W/ok/$V/linux-6.14.10.tar.xz")
head -c $((sz / 2)) "$W/ok/$V/linux-6.14.10.tar.xz" > "$W/ok/$V/linux-6.14.7.tar.xz"
printf '  \n<!DOCTYPE html>\n<html><body>Not here</body></html>\n' > "$W/ok/$V/linux-6.14.9.tar.xz"

# --- the servers -----------------------------------------------------------------------
. tests/kernel/httpd.sh
SRV_PID=
tmproot_extra() { [ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null; }
httpd_start "$W" || { echo "FAIL: could not start busybox httpd on a loopback port" >&2; exit 1; }
for try in $(seq 20); do CLOSED=$((20000 + RANDOM % 30000)); listening "$CLOSED" || break; done
URL=http://127.0.0.1:$P
export KTSTR_KERNEL_ORG_URL=$URL/ok KTSTR_KERNEL_GIT_URL=$URL/git

# --- helpers ---------------------------------------------------------------------------
OUT=$T/out.txt ERR=$T/err.txt
run() { "$DL" "$@" > "$OUT" 2> "$ERR"; }
show() { echo "--- stdout:"; cat "$OUT"; echo "--- stderr:"; cat "$ERR"; } >&2
# expect_line NAME LINE: stderr has exactly this line.
expect_line() { grep -qxF -- "$2" "$ERR" || { show; fail "$1" "expected the line: $2"; }; }
expect_exit() { [ "$2" = "$3" ] || { show; fail "$1" "exit $2, expected $3"; }; }
# expect_clean NAME DEST: nothing at DEST and no temp files beside it.
expect_clean() {
	[ ! -e "$2" ] || fail "$1" "$2 exists after a failure"
	local left
	left=$(find "$(dirname "$2")" -maxdepth 1 \( -name "$(basename "$2").part-*" -o -name "$(basename "$2").tmp-*" \) 2>/dev/null)
	[ -z "$left" ] || fail "$1" "leftovers: $left"
}
D=$T/dest
mkdir -p "$D"

# --- releases.json -----------------------------------------------------------------------
start=$(date +%s)
KTSTR_KERNEL_ORG_URL=http://127.0.0.1:$CLOSED run latest; rc=$?
expect_exit refused "$rc" 1
grep -qE "^fetch http://127\.0\.0\.1:$CLOSED/releases\.json: .*Connection refused" "$ERR" ||
	{ show; fail refused "expected: fetch http://127.0.0.1:$CLOSED/releases.json: <curl error> (Connection refused)"; }
[ $(( $(date +%s) - start )) -ge 3 ] || fail refused "no retries: ended in under 3 s (backoff 1 s + 2 s)"

KTSTR_KERNEL_ORG_URL=$URL/cgi-bin/s503 run latest; rc=$?
expect_exit http503 "$rc" 1
expect_line http503 "fetch $URL/cgi-bin/s503/releases.json: HTTP 503"
n=$(wc -l < "$T/503.count" 2>/dev/null || echo 0)
[ "$n" -eq 3 ] || fail http503 "$n requests, expected 3 (a 5xx is retried twice)"

KTSTR_KERNEL_ORG_URL=$URL/nopatch run latest; rc=$?
expect_exit nopatch "$rc" 1
expect_line nopatch "no stable kernel with patch >= 8 found in releases.json"

run latest; rc=$?
expect_exit latest "$rc" 0
[ "$(cat "$OUT")" = 6.14.10 ] || { show; fail latest "expected 6.14.10"; }
run resolve 6.14; rc=$?
expect_exit resolve "$rc" 0
[ "$(cat "$OUT")" = 6.14.10 ] || { show; fail resolve "expected 6.14.10"; }
run range 6.12..=6.14; rc=$?
expect_exit range "$rc" 0
[ "$(tr '\n' ' ' < "$OUT")" = "6.12.20 6.13.12 6.14.10 " ] || { show; fail range "expected 6.12.20 6.13.12 6.14.10"; }

# --- tarballs: failures ------------------------------------------------------------------
run fetch 6.14.9 "$D/html"; rc=$?
expect_exit html-body "$rc" 1
expect_line html-body "download $URL/ok/$V/linux-6.14.9.tar.xz: server returned HTML instead of tarball (URL may be invalid)"
expect_clean html-body "$D/html"

KTSTR_KERNEL_ORG_URL=$URL/cgi-bin/html run fetch 6.14.8 "$D/html2"; rc=$?
expect_exit html-type "$rc" 1
expect_line html-type "download $URL/cgi-bin/html/$V/linux-6.14.8.tar.xz: server returned HTML instead of tarball (URL may be invalid)"
expect_clean html-type "$D/html2"

run fetch 6.14.22 "$D/sib"; rc=$?
expect_exit 404-sibling "$rc" 1
expect_line 404-sibling "version 6.14.22 not found. latest 6.14.x: 6.14.10"
expect_clean 404-sibling "$D/sib"

run fetch 6.13.99 "$D/eol"; rc=$?
expect_exit 404-eol "$rc" 1
expect_line 404-eol "version 6.13.99 not found"
expect_clean 404-eol "$D/eol"

run fetch 6.15-rc3 "$D/rc"; rc=$?
expect_exit rc-404 "$rc" 1
expect_line rc-404 "RC tarball not found: $URL/git/torvalds/t/linux-6.15-rc3.tar.gz"
expect_line rc-404 "  RC releases are removed from git.kernel.org after the stable version ships."
expect_line rc-404 "Use ktstr kernel build --git URL --ref NAME with a git.kernel.org URL to clone the tag instead (here: --ref v6.15-rc3)."
expect_clean rc-404 "$D/rc"

run fetch 6.14.7 "$D/trunc"; rc=$?
expect_exit truncated "$rc" 1
grep -qE '^extract tarball: .+' "$ERR" || { show; fail truncated "expected: extract tarball: <error>"; }
expect_clean truncated "$D/trunc"

# --- tarballs: the good one, into a parent that does not exist yet ------------------------
G=$D/new/parent/linux
run fetch 6.14.10 "$G"; rc=$?
expect_exit good "$rc" 0
[ -f "$G/Makefile" ] && [ -f "$G/Kconfig" ] || { show; fail good "$G/Makefile or Kconfig missing"; }
cmp -s "$G/kernel/sched/ext.c" "$T/src/linux-6.14.10/kernel/sched/ext.c" || fail good "kernel/sched/ext.c differs"
[ "$(readlink "$G/kernel/Makefile.link")" = ../Makefile ] || fail good "symlink not kept"
[ ! -e "$G/linux-6.14.10" ] || fail good "top directory not stripped"
left=$(find "$D/new/parent" -maxdepth 1 \( -name '*.part-*' -o -name '*.tmp-*' \))
[ -z "$left" ] || fail good "leftovers: $left"
expect_line good "ktstr: download linux-6.14.10.tar.xz: started"
grep -qE '^ktstr: download linux-6.14.10\.tar\.xz: done \(' "$ERR" || { show; fail good "no download done line"; }
grep -qE '^ktstr: extract linux-6.14.10\.tar\.xz: done \(' "$ERR" || { show; fail good "no extract done line"; }

run fetch 6.14.10 "$G"; rc=$?
expect_exit exists "$rc" 1
expect_line exists "$G already exists; remove it or choose another directory"
[ -f "$G/Makefile" ] || fail exists "the existing tree was touched"

# --- the ktstr CLI on the same server: auto-download, --kernel VERSION, kernel build -------
# An empty cache, no kernel named anywhere: `ktstr shell` takes the seed's auto-download
# path and builds the latest stable (6.14.10), which fails in kbuild on this fake tree
# after the download; the pahole check passes through a stand-in so nothing is provisioned.
KT=$PWD/build/ktstr
export KTSTR_CACHE_DIR=$T/cache
unset KTSTR_KERNEL KTSTR_TEST_KERNEL
printf '#!/bin/sh\necho v1.30\n' > "$T/pahole"; chmod +x "$T/pahole"
export KTSTR_PAHOLE=$T/pahole
kt() { "$KT" "$@" > "$OUT" 2> "$ERR"; }
kt shell --exec true; rc=$?
[ "$rc" != 0 ] || { show; fail auto "ktstr shell passed on a fake kernel tree"; }
expect_line auto "ktstr: no kernel found, downloading latest stable"
expect_line auto "ktstr: download linux-6.14.10.tar.xz: started"
grep -qE "make tinyconfig failed \(exit status [0-9]+\); full log: $T/cache/builds/6\.14\.10-tarball-kc[0-9a-f]+/build\.log" "$ERR" ||
	{ show; fail auto "expected the build failure naming build.log"; }
[ -z "$(ls "$T/cache/kernels" 2>/dev/null)" ] || fail auto "a failed build left a cache entry"
[ ! -e "$(ls -d "$T"/cache/builds/*.src 2>/dev/null | head -1)" ] || fail auto "the downloaded tree was left behind"
# The same failure with releases.json unreachable: the seed's fetch line, nothing else.
KTSTR_KERNEL_ORG_URL=$URL/cgi-bin/s503 kt shell --exec true; rc=$?
expect_exit auto503 "$rc" 2
expect_line auto503 "ktstr: fetch $URL/cgi-bin/s503/releases.json: HTTP 503"
# --kernel naming a version no entry has: downloaded, so a missing one is the seed's 404.
printf '{"name":"x","duration_ms":500,"cgroups":[{"name":"a","workers":1}]}\n' > "$T/x.json"
kt run "$T/x.json" --kernel 6.14.22; rc=$?
expect_exit run404 "$rc" 2
expect_line run404 "ktstr: --kernel 6.14.22: version 6.14.22 not found. latest 6.14.x: 6.14.10"
# A range expands over releases.json before anything is built: 6.12..=6.14 starts with
# 6.12.20, whose tarball this server does not have (it would be built, then 6.13.12, 6.14.10).
kt run "$T/x.json" --kernel 6.12..=6.14; rc=$?
expect_exit range "$rc" 2
expect_line range "ktstr: --kernel 6.12.20: version 6.12.20 not found"
# `kernel build` with no version: the latest stable; a series: its newest release.
kt kernel build; rc=$?
expect_exit build-latest "$rc" 3
expect_line build-latest "ktstr: no version given, building the latest stable release"
grep -q "6.14.10-tarball" "$ERR" || { show; fail build-latest "did not build 6.14.10"; }
KTSTR_KERNEL_ORG_URL=$URL/nopatch kt kernel build; rc=$?
expect_exit build-nopatch "$rc" 2
expect_line build-nopatch "ktstr: no stable kernel with patch >= 8 found in releases.json"
kt kernel build 6.15-rc3; rc=$?
expect_exit build-rc "$rc" 2
expect_line build-rc "ktstr: RC tarball not found: $URL/git/torvalds/t/linux-6.15-rc3.tar.gz"
kt kernel build --source "$T/src/nope"; rc=$?
expect_exit build-nosrc "$rc" 2
kt kernel build --source "$T/src" ; rc=$?
expect_exit build-notree "$rc" 2
grep -qF "not a kernel source tree: $T/src" "$ERR" || { show; fail build-notree "expected: not a kernel source tree"; }
printf 'CONFIG_OK=y\nnonsense\n' > "$T/bad.frag"
kt kernel build 6.14.10 --extra-kconfig "$T/bad.frag"; rc=$?
expect_exit build-badfrag "$rc" 2
grep -qF "bad.frag:2: 'nonsense' is not a kconfig line" "$ERR" || { show; fail build-badfrag "expected the fragment's line named"; }
# --git URL --ref REF: ls-remote names the commit (the key has it), then a shallow clone;
# the fake tree then fails in kbuild like the tarball. A ref the repository lacks is refused.
G=$T/repo
cp -r "$T/src/linux-6.14.10" "$G"
git -C "$G" init -q && git -C "$G" add -A && git -C "$G" -c user.name=t -c user.email=t@t commit -qm v && git -C "$G" tag v6.14.10
commit=$(git -C "$G" rev-parse HEAD)
kt kernel build --git "file://$G" --ref v6.14.10; rc=$?
expect_exit git "$rc" 3
grep -qE "make tinyconfig failed .*/builds/v6\.14\.10-git-${commit:0:12}-kc[0-9a-f]+/build\.log" "$ERR" ||
	{ show; fail git "expected the build of the cloned commit to fail in kbuild"; }
kt kernel build --git "file://$G" --ref v9.9; rc=$?
expect_exit git-noref "$rc" 2
grep -qF "git ls-remote file://$G v9.9 found no such ref" "$ERR" || { show; fail git-noref "expected: found no such ref"; }
# kernel clean: never without --force off a terminal; --keep and --corrupt-only exclude.
kt kernel clean --keep 1 < /dev/null; rc=$?
expect_exit clean-noforce "$rc" 2
grep -qF -- "--force is required when stdin is not a terminal" "$ERR" || { show; fail clean-noforce "expected the --force message"; }
kt kernel clean --keep 1 --corrupt-only --force; rc=$?
expect_exit clean-both "$rc" 2
kt kernel clean --keep 0 --force; rc=$?
expect_exit clean "$rc" 0
unset KTSTR_CACHE_DIR KTSTR_PAHOLE

if [ ${#failures[@]} -gt 0 ]; then
	echo "test_download: failed: ${failures[*]}" >&2
	exit 1
fi
echo "test_download: all checks passed"
