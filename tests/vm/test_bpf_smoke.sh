#!/usr/bin/env bash
# The scheduler alone, without the engine: boots the test kernel once with a hand-made
# busybox initramfs and drives build/bpf/ktstr_sched through every mode (attach/detach with
# fair shares between tasks and between cgroups, injected error, stall of all or of one
# task, exit, crash, verifier rejection, kfunc mismatch); checks the kernel's and libbpf's
# messages. Usage: tests/vm/test_bpf_smoke.sh [CASES...]   (needs `make kernel bpf`)
set -euo pipefail

cases=${*:-normal cgroups error stall stall_pid exit crash bad_verifier bad_kfunc}
root=$(cd "$(dirname "$0")/../.." && pwd)
kernel=${KTSTR_TEST_KERNEL:-$("$root/build/ktstr" kernel path || true)}
bpfdir=$root/build/bpf
busybox=$(command -v busybox) || { echo "bpf-smoke: busybox not found in PATH; install it: sudo apt install busybox-static" >&2; exit 2; }
smp=${SMP:-2}
for b in ktstr_sched ktstr_sched_bad_verifier ktstr_sched_bad_kfunc; do
	[ -x "$bpfdir/$b" ] || { echo "bpf-smoke: $bpfdir/$b missing; run: make bpf" >&2; exit 2; }
done
[ -r "$kernel" ] || { echo "bpf-smoke: cannot read the test kernel '$kernel'; run: make kernel" >&2; exit 2; }

work=$(mktemp -d -t bpf-smoke.XXXXXX)
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/root"/{bin,proc,sys,dev,tmp}
cp "$busybox" "$work/root/bin/busybox"
cp "$bpfdir"/ktstr_sched "$bpfdir"/ktstr_sched_bad_verifier "$bpfdir"/ktstr_sched_bad_kfunc \
   "$work/root/bin/"
for a in sh mount cat echo sleep kill dmesg grep poweroff seq tail head yes mkdir; do
	ln -s busybox "$work/root/bin/$a"
done

cat > "$work/root/init" <<EOF
#!/bin/sh
CASES="$cases"
EOF
cat >> "$work/root/init" <<'EOF'
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
dmesg -n 1

state() { echo "SMOKE state=$(cat /sys/kernel/sched_ext/state) ops=$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)"; }
# wait_for PID SECONDS: until the process is gone, or time runs out (returns 1).
wait_gone() { i=0; while kill -0 "$1" 2>/dev/null; do i=$((i+1)); [ $i -gt $(($2*10)) ] && return 1; sleep 0.1; done; return 0; }
wait_enabled() { i=0; while [ "$(cat /sys/kernel/sched_ext/state)" != enabled ]; do i=$((i+1)); [ $i -gt 300 ] && return 1; sleep 0.1; done; }
spin_start() { SPIN=; for n in 1 2 3 4; do (while :; do :; done) & SPIN="$SPIN $!"; done; }
# CPU ticks (utime+stime) each spinner got: fields 14 and 15 of /proc/PID/stat.
spin_ticks() { t=; for p in $SPIN; do set -- $(cat /proc/$p/stat); shift 13; t="$t $(($1+$2))"; done; echo "SMOKE spin ticks:$t"; }
spin_stop() { kill $SPIN 2>/dev/null; }
# grp_start CG: in cgroup CG, two spinners and a `yes | cat` pipe pair (wakeup-heavy).
grp_start() {
	mkdir -p /sys/fs/cgroup/$1
	sh -c "echo \$\$ > /sys/fs/cgroup/$1/cgroup.procs; (while :; do :; done) & (while :; do :; done) & yes | cat > /dev/null" &
}
grp_usage() { grep usage_usec /sys/fs/cgroup/$1/cpu.stat | { read k v; echo $v; }; }
# run_bg ARGS...: start the loader, wait until sched_ext says enabled.
run_bg() { ktstr_sched "$@" & LPID=$!; wait_enabled || echo "SMOKE not enabled"; state; }
reap() { wait "$LPID"; echo "SMOKE loader rc=$?"; }

for c in $CASES; do
	echo "SMOKE ===== case $c"
	dmesg -c >/dev/null
	case $c in
	normal)
		run_bg --verbose
		spin_start; sleep 4; spin_ticks; spin_stop
		kill -TERM "$LPID"; wait_gone "$LPID" 10; reap; state ;;
	cgroups)
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		run_bg
		grp_start a; grp_start b; sleep 5
		echo "SMOKE cgroup usage_usec: $(grp_usage a) $(grp_usage b)"
		echo 1 > /sys/fs/cgroup/a/cgroup.kill; echo 1 > /sys/fs/cgroup/b/cgroup.kill
		kill -TERM "$LPID"; wait_gone "$LPID" 10; reap; state ;;
	error)
		run_bg --error-after-ms 2000
		spin_start; wait_gone "$LPID" 30 || echo "SMOKE loader still running"
		spin_stop; reap; state ;;
	stall)
		run_bg --stall-after-ms 2000
		spin_start; wait_gone "$LPID" 40 || echo "SMOKE loader still running"
		spin_stop; reap; state ;;
	stall_pid)
		(while :; do :; done) & VICTIM=$!
		echo "SMOKE victim=$VICTIM"
		run_bg --stall-after-ms 1000 --stall-pid "$VICTIM"
		wait_gone "$LPID" 40 || echo "SMOKE loader still running"
		kill "$VICTIM"; reap; state ;;
	exit)
		run_bg --exit-after-ms 2000
		wait_gone "$LPID" 20; reap; sleep 0.5; state ;;
	crash)
		run_bg --crash-after-ms 2000
		wait_gone "$LPID" 20; reap; sleep 0.5; state ;;
	bad_verifier)
		ktstr_sched_bad_verifier; echo "SMOKE loader rc=$?"; state ;;
	bad_kfunc)
		ktstr_sched_bad_kfunc; echo "SMOKE loader rc=$?"; state ;;
	esac
	dmesg | grep sched_ext | sed 's/^/SMOKE dmesg: /'
done
echo "SMOKE ===== done"
poweroff -f
EOF
chmod +x "$work/root/init"
# cpio(1) if installed, else busybox's own (same newc format).
if command -v cpio >/dev/null; then cpio=(cpio -o -H newc --quiet); else cpio=("$busybox" cpio -o -H newc); fi
(cd "$work/root" && find . | "${cpio[@]}") > "$work/initrd.cpio"

log=${SMOKE_LOG:-$work/console.log}
echo "bpf-smoke: booting $kernel ($smp vCPUs), cases: $cases" >&2
timeout 540 qemu-system-x86_64 -M pc -accel tcg,thread=single -smp "$smp" -m 512 \
	-nodefaults -no-user-config -display none -serial stdio -kernel "$kernel" \
	-initrd "$work/initrd.cpio" -append "console=ttyS0 rdinit=/init panic=-1 loglevel=4" \
	-no-reboot > "$log" 2>&1 &
qpid=$!
wait "$qpid" || true
qpid=
tr -d '\r' < "$log" > "$log.txt"

# Checks: each case's expected line(s), as fixed strings.
fail=0
expect() { # CASE STRING
	if awk -v c="$1" '/^SMOKE ===== case /{cur=$4} cur==c' "$log.txt" | grep -qF -- "$2"; then
		echo "ok   $1: $2"
	else
		echo "FAIL $1: missing '$2'"; fail=1
	fi
}
for c in $cases; do
	case $c in
	normal)
		expect normal "ktstr_sched: attached"
		expect normal "SMOKE state=enabled ops=ktstr_sched"
		expect normal "ktstr_sched: t=1s enqueued="
		expect normal "ktstr_sched: detached (signal 15)"
		expect normal "SMOKE loader rc=0"
		expect normal "SMOKE state=disabled"
		expect normal 'sched_ext: BPF scheduler "ktstr_sched" enabled'
		expect normal 'sched_ext: BPF scheduler "ktstr_sched" disabled (unregistered from user space)'
		# Fairness: 4 spinners on 2 vCPUs; the least-served gets >= 75% of the most-served.
		ticks=$(awk '/^SMOKE spin ticks:/{sub(/^SMOKE spin ticks:/,""); print; exit}' "$log.txt")
		if [ -n "$ticks" ] && echo "$ticks" | awk '{mn=$1;mx=$1; for(i=2;i<=NF;i++){if($i<mn)mn=$i; if($i>mx)mx=$i}; exit !(mx>0 && mn*100>=mx*75)}'; then
			echo "ok   normal: fair shares (ticks:$ticks)"
		else
			echo "FAIL normal: unfair shares (ticks:$ticks)"; fail=1
		fi ;;
	cgroups)
		expect cgroups "SMOKE state=enabled ops=ktstr_sched"
		expect cgroups "SMOKE loader rc=0"
		# Same workers in each cgroup: the smaller usage is >= 80% of the larger.
		u=$(awk '/^SMOKE cgroup usage_usec:/{print $4, $5; exit}' "$log.txt")
		if [ -n "$u" ] && echo "$u" | awk '{mn=$1<$2?$1:$2; mx=$1<$2?$2:$1; exit !(mx>0 && mn*100>=mx*80)}'; then
			echo "ok   cgroups: fair shares (usage_usec: $u)"
		else
			echo "FAIL cgroups: unfair shares (usage_usec: $u)"; fail=1
		fi ;;
	error)
		expect error 'sched_ext: BPF scheduler "ktstr_sched" disabled (scx_bpf_error)'
		expect error "sched_ext: ktstr_sched: ktstr_sched: injected error after 2"
		expect error "ktstr_sched: disabled by the kernel (scx_bpf_error): ktstr_sched: injected error after"
		expect error "SMOKE loader rc=1"
		expect error "SMOKE state=disabled" ;;
	stall)
		expect stall 'sched_ext: BPF scheduler "ktstr_sched" disabled (runnable task stall)'
		expect stall "failed to run for"
		expect stall "ktstr_sched: disabled by the kernel (runnable task stall): "
		expect stall "SMOKE loader rc=1"
		expect stall "SMOKE state=disabled" ;;
	stall_pid)
		v=$(awk '/^SMOKE victim=/{sub(/^SMOKE victim=/,""); print; exit}' "$log.txt")
		expect stall_pid 'sched_ext: BPF scheduler "ktstr_sched" disabled (runnable task stall)'
		expect stall_pid "[$v] failed to run for"
		expect stall_pid "SMOKE state=disabled" ;;
	exit)
		expect exit "ktstr_sched: exiting on purpose"
		expect exit "SMOKE loader rc=3"
		expect exit 'sched_ext: BPF scheduler "ktstr_sched" disabled (unregistered from user space)'
		expect exit "SMOKE state=disabled" ;;
	crash)
		expect crash "ktstr_sched: crashing on purpose"
		expect crash "SMOKE loader rc=139"
		expect crash 'sched_ext: BPF scheduler "ktstr_sched" disabled (unregistered from user space)'
		expect crash "SMOKE state=disabled" ;;
	bad_verifier)
		expect bad_verifier "invalid mem access 'scalar'"
		expect bad_verifier "processed "
		expect bad_verifier "-- END PROG LOAD LOG --"
		expect bad_verifier "ktstr_sched: failed to load BPF skeleton"
		expect bad_verifier "SMOKE state=disabled" ;;
	bad_kfunc)
		# libbpf 1.1 says "incompatible with kernel [N]", newer ones "... with vmlinux [N]".
		expect bad_kfunc "extern (func ksym) 'scx_bpf_create_dsq': func_proto"
		expect bad_kfunc "incompatible with"
		expect bad_kfunc "ktstr_sched: failed to load BPF skeleton"
		expect bad_kfunc "SMOKE state=disabled" ;;
	esac
done
if grep -q "deprecated" "$log.txt"; then echo "FAIL: the kernel warned about a deprecated use:"; grep deprecated "$log.txt" | head -3; fail=1; fi
grep -q "SMOKE ===== done" "$log.txt" || { echo "FAIL: guest did not finish (see console log)"; fail=1; }
if [ -n "${SMOKE_LOG:-}" ]; then echo "bpf-smoke: console log in $log.txt" >&2; fi
[ $fail -eq 0 ] && echo "bpf-smoke: PASS" || { echo "bpf-smoke: FAIL" >&2; tail -40 "$log.txt" >&2; }
exit $fail
