# No QEMU outlives ktstr: Ctrl-C (SIGINT), SIGTERM and SIGKILL of a `ktstr run` mid-boot
# each leave the process table without the run's QEMU.
. "$(dirname "$0")/lib.sh"
s=$(scenario long '{"name":"long","duration_ms":60000,"cgroups":[{"name":"cg_0","workers":1}]}')
for sig in INT TERM KILL; do
	"$KTSTR" run "$s" > "$T/$sig.txt" 2>&1 &
	pid=$!
	up=
	for i in $(seq 1 100); do
		pgrep -f "qemu-system.*$T" > /dev/null && { up=1; break; }
		sleep 0.1
	done
	[ -n "$up" ] || fail "$sig: QEMU never started: $(cat "$T/$sig.txt")"
	sleep 1
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -ne 0 ] || fail "$sig: ktstr exited 0 after the signal"
	for i in $(seq 1 50); do
		pgrep -f "qemu-system.*$T" > /dev/null || break
		sleep 0.1
	done
	if pgrep -af "qemu-system.*$T" >&2; then fail "$sig: QEMU outlived ktstr"; fi
	echo "SIG$sig: ktstr exit $rc, no QEMU left"
done
