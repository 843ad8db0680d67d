# Kernels pane builds without blocking the screen: F fetches 6.14.10 from a loopback
# kernel.org (busybox httpd) and builds it; the fake tree's `make tinyconfig` runs ~3 s and
# fails, and meanwhile the pane shows the build's status, other panes still switch, and at
# the end the failure names build.log. A second F is cancelled with x, y. b with a directory
# that is no kernel tree says so; L on an entry ktstr did not build says it has no log.
. "$(dirname "$0")/lib.sh"
command -v busybox >/dev/null || { echo "  FAIL busybox missing: sudo apt install busybox"; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# kernel.org: releases.json and a tiny kernel-shaped tarball whose tinyconfig is slow and fails.
W=$TMPD/www V=pub/linux/kernel/v6.x
mkdir -p "$W/$V" "$TMPD/src/linux-6.14.10" "$TMPD/notatree"
cat > "$W/releases.json" <<'JSON'
{ "latest_stable": { "version": "6.14.10" },
  "releases": [ { "iseol": false, "version": "6.14.10", "moniker": "stable" } ] }
JSON
printf 'VERSION = 6\nPATCHLEVEL = 14\nSUBLEVEL = 10\n\ntinyconfig:\n\t@for i in 1 2 3 4 5 6 7 8 9 10; do echo "fake conf step $$i"; sleep 0.3; done; echo "fake tree: no tinyconfig here"; exit 2\n' \
	> "$TMPD/src/linux-6.14.10/Makefile"
: > "$TMPD/src/linux-6.14.10/Kconfig"
tar -C "$TMPD/src" -cJf "$W/$V/linux-6.14.10.tar.xz" linux-6.14.10 || { echo "  FAIL tar cJf"; exit 1; }
# A pahole new enough, so nothing is provisioned.
printf '#!/bin/sh\n[ "$1" = --version ] && echo v1.30\nexit 0\n' > "$TMPD/pahole"
chmod +x "$TMPD/pahole"
mkdir -p "$KTSTR_CACHE_DIR/kernels/broken-entry"
# A built entry (older, so the second row) with a build log longer than the pane.
B=$KTSTR_CACHE_DIR/kernels/built-entry
mkdir -p "$B" && : > "$B/bzImage"
cat > "$B/metadata.json" <<'JSON'
{ "schema": 1, "version": "6.14.10", "source": "build:tarball", "image": "bzImage",
  "created_unix": 1000, "build": { "src": "6.14.10", "log": "build.log" } }
JSON
{ echo "FIRST LOG LINE"; seq -f "  CC      kernel/f%g.o" 1 200; echo "LAST LOG LINE"; } > "$B/build.log"

. "$(dirname "$0")/../kernel/httpd.sh"
httpd_start "$W" || { echo "  FAIL could not start busybox httpd on a loopback port"; exit 1; }
trap 'kill $SRV_PID 2>/dev/null; tm kill-server 2>/dev/null; rm -rf "$TMPD"' EXIT

tui_start -e "KTSTR_KERNEL_ORG_URL=http://127.0.0.1:$P" -e "KTSTR_PAHOLE=$TMPD/pahole" -e "no_proxy=127.0.0.1" \
	-e "NO_PROXY=127.0.0.1" --
keys 8
expect "broken-entry" "kernels pane lists the cache"
keys L
expect "broken-entry has no build log" "L on an entry ktstr did not build says it has no log"
keys j
keys L
expect "Build log of built-entry: .*built-entry/build\.log" "L opens the selected entry's build log"
expect "LAST LOG LINE" "the log opens at its end"
keys g
expect "FIRST LOG LINE" "g goes to the log's first line"
keys /
type_text "f150.o"
keys Enter
expect "kernel/f150\.o" "/ searches the log"
keys L
expect "KEY +VERSION" "L closes the log"

# (a) F: fetched, then built; the fake tinyconfig fails after ~3 s.
keys F
expect "kernel.org version to build" "F asks for a version"
type_text "6.14.10"
keys Enter
expect "fetching 6\.14\.10 from kernel\.org and building it" "the pane says what is being built" 3
expect "download linux-6\.14\.10|extract linux-6\.14\.10|build: configure|building 6\.14\.10" \
	"the pane shows the build's progress or status" 3
keys 1
expect "^Next run: " "another pane opens while the build runs"
expect_not "make tinyconfig failed" "the build is still going when the pane switched"
keys 8
expect "x cancels" "back on the Kernels pane, the build is still shown"
expect "make tinyconfig failed \(exit status 2\); full log:" "the build fails in make tinyconfig" 15
expect "builds/6\.14\.10-tarball-[0-9a-z]+/build\.log" "the failure names build.log"
expect "fake tree: no tinyconfig here" "the failure shows the log's last lines" 2
expect_not "x cancels" "the progress lines are gone after the end"
grep -q "fake conf step 10" "$KTSTR_CACHE_DIR"/builds/*/build.log 2>/dev/null && ok "build.log has make's output" ||
	bad "build.log has make's output"

# A second fetch, cancelled: x asks, y cancels, the end says so.
keys F
type_text "6.14.10"
keys Enter
expect "x cancels" "a second build starts"
keys x
expect "Cancel the kernel build .*\? y/n" "x asks before cancelling"
keys y
expect "kernel build of 6\.14\.10 from kernel\.org cancelled" "y cancels it" 15

# (b) b with a directory that is no kernel tree.
keys b
expect "kernel source directory to build" "b asks for a directory"
type_text "$TMPD/notatree"
keys Enter
expect "not a kernel source tree" "b on a non-tree says so" 10
keys q
expect "^EXIT=0" "q quits"
[ -f "$KTSTR_CACHE_DIR/tui-stderr.log" ] && ok "stderr went to tui-stderr.log while curses ran" ||
	bad "stderr went to tui-stderr.log while curses ran"
tui_done
