#!/bin/bash
# Boots build/ktstr-init by hand (no engine): a cpio with busybox + init + the init-ok
# marker + a scenario, QEMU with the control port on a unix socket, and prints every
# control line the guest sends. Checks the run ends with a "done" line.
# usage: tests/vm/guest-smoke.sh SCENARIO.json [SCHEDULER-FILE] [-- extra kernel args]
#   env: SMP (2), MEM (512), KERNEL (/work/devkernel/vmlinuz), OUT (lines file),
#        STOP_AFTER (seconds: send {"t":"stop"}), SHELL_PORT=1 (add org.ktstr.shell)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCN=${1:?scenario json}
SCHED=${2:-}
shift; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
EXTRA="$*"
KERNEL=${KERNEL:-/work/devkernel/vmlinuz}
BB=${BUSYBOX:-$(command -v busybox)}
W=$(mktemp -d /tmp/guest-smoke.XXXXXX)
QPID=
trap '[ -n "$QPID" ] && kill $QPID 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"' EXIT
OUT=${OUT:-$W/lines}
mkdir -p "$W/r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,ktstr/sched}
cp "$ROOT/build/ktstr-init" "$W/r/init"
cp "$BB" "$W/r/bin/busybox"
for a in $("$BB" --list-full); do
	[ "$a" = bin/busybox ] || [ -e "$W/r/$a" ] || ln -s /bin/busybox "$W/r/$a"
done
cp "$SCN" "$W/r/ktstr/scenario.json"
[ -n "$SCHED" ] && cp "$SCHED" "$W/r/ktstr/sched/bin" && chmod +x "$W/r/ktstr/sched/bin"
# newc archive in python (no cpio(1) needed); the init-ok marker goes last.
python3 - "$W/r" "$W/a.cpio" <<'PY'
import os, sys
root, out = sys.argv[1], sys.argv[2]
ino = [100]
def hdr(name, mode, size, nlink=1, rdev=(0, 0)):
    ino[0] += 1
    f = "070701" + "".join("%08x" % v for v in (ino[0], mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
    b = f.encode() + name.encode() + b"\0"
    return b + b"\0" * ((4 - len(b) % 4) % 4)
def pad(d): return d + b"\0" * ((4 - len(d) % 4) % 4)
with open(out, "wb") as o:
    o.write(hdr("dev/console", 0o20600, 0, rdev=(5, 1)))
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs) + sorted(files):
            full = os.path.join(d, n); rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if os.path.islink(full):
                t = os.readlink(full).encode(); o.write(hdr(rel, 0o120777, len(t)) + pad(t))
            elif os.path.isdir(full):
                o.write(hdr(rel, 0o40000 | (st.st_mode & 0o7777), 0, nlink=2))
            else:
                data = open(full, "rb").read(); o.write(hdr(rel, 0o100000 | (st.st_mode & 0o7777), len(data)) + pad(data))
    o.write(hdr(".ktstr_init_ok", 0o100644, 0))
    o.write(hdr("TRAILER!!!", 0, 0))
PY
SHELLDEV=()
if [ -n "${SHELL_PORT:-}" ]; then
	SHELLDEV=(-chardev "socket,id=sh,path=$W/sh.sock,server=on,wait=off"
		  -device "virtserialport,chardev=sh,name=org.ktstr.shell")
fi
qemu-system-x86_64 -M pc -accel tcg,thread=single -smp "${SMP:-2}" -m "${MEM:-512}" \
	-nodefaults -no-user-config -display none -serial "file:$W/console" \
	-kernel "$KERNEL" -initrd "$W/a.cpio" \
	-append "console=ttyS0 rdinit=/init panic=-1 loglevel=4 $EXTRA" -no-reboot \
	-device virtio-serial-pci -chardev "socket,id=ctl,path=$W/ctl.sock,server=on,wait=off" \
	-device virtserialport,chardev=ctl,name=org.ktstr.ctl "${SHELLDEV[@]}" &
QPID=$!
python3 - "$W/ctl.sock" "$OUT" "${STOP_AFTER:-0}" "$W/sh.sock" "${SHELL_CMD:-}" <<'PY'
import socket, sys, time, json, select, os
path, out, stop_after, shpath, shcmd = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
def conn(p):
    s = socket.socket(socket.AF_UNIX)
    for _ in range(200):
        try:
            s.connect(p); return s
        except OSError:
            time.sleep(0.05)
    raise SystemExit("cannot connect " + p)
s = conn(path)
sh = conn(shpath) if shcmd else None
t0 = time.time(); buf = b""; sent = False; done = False; shsent = False
with open(out, "w") as f:
    while time.time() - t0 < 120 and not done:
        if stop_after and not sent and time.time() - t0 > stop_after:
            s.sendall(b'not json\n{"t":"stop"}\n'); sent = True
        if sh and not shsent and time.time() - t0 > 8:
            sh.sendall(shcmd.encode() + b"\n"); shsent = True
        r, _, _ = select.select([s] + ([sh] if sh else []), [], [], 1.0)
        if sh in r:
            d = sh.recv(65536)
            if d:
                sys.stderr.write("[shell] " + d.decode("utf-8", "replace")); sys.stderr.flush()
        if s not in r:
            continue
        d = s.recv(65536)
        if not d:
            break
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            txt = line.decode("utf-8")
            json.loads(txt)            # every line must parse
            f.write(txt + "\n"); print(txt, flush=True)
            if json.loads(txt).get("t") == "done":
                done = True
sys.exit(0 if done else 1)
PY
rc=$?
wait $QPID || true
[ $rc = 0 ] || { echo "guest-smoke: no done line; console tail:" >&2; tail -30 "$W/console" >&2; }
exit $rc
