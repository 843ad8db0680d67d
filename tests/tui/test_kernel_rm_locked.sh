# Kernels pane: `d` on a kernel whose lock a run holds. The removal waits for the lock off
# the UI thread, so while the pane says "removing KEY" the other panes still switch and
# draw; it ends with the lock timeout naming the holder. q does not wait for a removal
# that waits. Once the holder lets go, the removal ends with "removed KEY". A temp cache
# with an imported copy of the test kernel: the real cache is only read.
HERE=$(cd "$(dirname "$0")" && pwd)
IMG=$("${KTSTR:-$HERE/../../build/ktstr}" kernel path 2>/dev/null)
TUI_REAL_CACHE=0
. "$HERE/lib.sh"

HOLDER=
stop_holder() {
	[ -n "$HOLDER" ] || return 0
	pkill -P "$HOLDER" 2>/dev/null  # flock's sleep child (it has no lock fd: -o)
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
	HOLDER=
}
trap 'stop_holder; tm kill-server 2>/dev/null; rm -rf "$TMPD"' EXIT

# expect_msg PATTERN DESCRIPTION [SECONDS]: the screen, its lines joined by spaces (the
# pane wraps long messages at spaces), matches PATTERN.
expect_msg() {
	local i=0 t=${3:-5}
	while [ $i -lt $((t * 10)) ]; do
		screen | tr '\n' ' ' | tr -s ' ' | grep -Eq -- "$1" && { ok "$2"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	bad "$2 (expected /$1/ in the joined screen)"
}

if [ -z "$IMG" ] || [ ! -f "$IMG" ]; then
	bad "no test kernel in the cache (ktstr kernel path found none); run: make kernel"
	tui_done
fi
CFG=$(dirname "$IMG")/config
KEY=$("$KTSTR" kernel import "$IMG" $([ -f "$CFG" ] && echo --config "$CFG") | sed -n 's/^imported \([^ ]*\) .*/\1/p')
[ -n "$KEY" ] && [ -d "$KTSTR_CACHE_DIR/kernels/$KEY" ] && ok "imported $KEY into the temp cache" ||
	{ bad "kernel import into $KTSTR_CACHE_DIR"; tui_done; }

ere() { local s=${1//./\\.}; printf '%s' "${s//+/\\+}"; }  # a string as an extended regex
KRE=$(ere "$KEY") ROW=$(ere "${KEY:0:28}")  # the list shows 28 columns of the key
CRE=$(ere "$KTSTR_CACHE_DIR") LRE=$(ere "$KTSTR_CACHE_DIR/.locks/kernels-$KEY.lock")

# A run holds its kernel's lock shared; flock(1) stands in for it.
LOCKF=$KTSTR_CACHE_DIR/.locks/kernels-$KEY.lock
mkdir -p "$KTSTR_CACHE_DIR/.locks"
flock -s -o "$LOCKF" sleep 60 &
HOLDER=$!
for _ in $(seq 50); do flock -n -x "$LOCKF" true || break; sleep 0.1; done
flock -n -x "$LOCKF" true && { bad "the stand-in run holds $LOCKF"; tui_done; }

tui_start -x 200 -e KTSTR_LOCK_TIMEOUT_MS=8000  # wide: the temp root makes the lockfile path long
keys 8
expect "^ +$ROW " "kernels pane lists the imported kernel"
keys d
expect_msg "Delete kernel $KRE \($CRE/kernels/$KRE\)\? y/n" "d asks first"
keys y
t0=$(date +%s%N)
expect "^removing $KRE(…|\.\.\.) \(a run using it makes this wait, up to 8s\)" "status line: removing"
expect "$ROW .* removing" "the row is marked removing"
keys 1
expect "Next run: scenario default" "1 switches to the runs pane while the removal waits"
keys 2
expect "No run open. Press 1 for the runs list" "2 draws the timeline pane while it waits"
keys 8
expect "^removing $KRE" "back on 8: still removing"
waited=$((($(date +%s%N) - t0) / 1000000))
[ "$waited" -lt 8000 ] && ok "all that within the lock wait (${waited} ms of 8000)" ||
	bad "the keys took ${waited} ms, not within the 8 s lock wait"
[ -d "$KTSTR_CACHE_DIR/kernels/$KEY" ] && ok "entry kept while the run holds it" || bad "entry kept while the run holds it"
expect_msg "flock LOCK_EX on kernel-entry $CRE/kernels/$KRE timed out after 8s \(lockfile $LRE, holders: pid=$HOLDER cmd=flock -s -o $LRE sleep 60\)\. A peer ktstr process is running on kernel $KRE or changing it; wait for it to finish or kill it, then retry\." \
	"ends with the lock timeout naming the holder" 12
expect_not "^removing " "no longer removing"
[ -d "$KTSTR_CACHE_DIR/kernels/$KEY" ] && ok "entry still on disk after the timeout" || bad "entry still on disk after the timeout"

# Quitting does not wait for a removal that waits for the lock.
keys d
keys y
expect "^removing $KRE" "second d: removing"
keys q
expect "^EXIT=0" "q quits at once while the removal waits" 2
[ -d "$KTSTR_CACHE_DIR/kernels/$KEY" ] && ok "entry kept: the abandoned removal never got the lock" ||
	bad "entry kept: the abandoned removal never got the lock"

# Again, and the run ends while the removal waits: it goes through.
tui_start -x 200 -e KTSTR_LOCK_TIMEOUT_MS=8000  # wide: the temp root makes the lockfile path long
keys 8
keys d
keys y
expect "^removing $KRE" "third d: removing"
keys 1
stop_holder
expect "^removed $KRE$" "on the runs pane the status bar says removed, once the run let go" 5
expect "Next run: scenario default" "still on the runs pane"
keys 8
expect "^removed $KRE$" "the kernels pane says removed"
[ ! -e "$KTSTR_CACHE_DIR/kernels/$KEY" ] && ok "entry gone from disk" || bad "entry gone from disk"
expect "No kernels cached" "the list is reloaded"
keys q
expect "^EXIT=0" "q quits"
tui_done
