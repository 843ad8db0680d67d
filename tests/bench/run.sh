#!/usr/bin/env bash
# make bench: boot figures (QEMU start -> sys_rdy, and the kernel's own part of it), the
# initramfs build cold and cached, a 2-vCPU scenario end to end, and the TUI frame figures.
set -u
cd "$(dirname "$0")/../.."
K=${KTSTR:-build/ktstr}
export KTSTR_RUNS_DIR=$(mktemp -d -t ktstr-bench-runs.XXXXXX)
trap 'rm -rf "$KTSTR_RUNS_DIR"' EXIT
echo "== initramfs"
build/bench_initramfs build/ktstr-init "$(command -v busybox)" || exit 1
echo "== boot and end to end (examples/two-cgroups.json, 2 vCPUs, 3 runs)"
for i in 1 2 3; do
	s=$(date +%s.%N)
	$K run examples/two-cgroups.json --json > "$KTSTR_RUNS_DIR/r$i.json" 2>/dev/null || { echo "run $i failed"; exit 1; }
	e=$(date +%s.%N)
	jq -r --arg wall "$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}')" --arg i "$i" \
	  '"run \($i): accel=\(.boot.accel) qemu->sys_rdy=\(.boot.sys_rdy_ms) ms  kernel part=\(.boot.kernel_boot_ms) ms  our overhead=\(.boot.sys_rdy_ms - .boot.kernel_boot_ms) ms  end-to-end=\($wall) s"' \
	  "$KTSTR_RUNS_DIR/r$i.json"
done
jq -s 'map(.boot.sys_rdy_ms) | sort | "median qemu->sys_rdy: \(.[1]) ms"' -r "$KTSTR_RUNS_DIR"/r*.json
jq -s 'map(.boot.kernel_boot_ms) | sort | "median kernel part:   \(.[1]) ms"' -r "$KTSTR_RUNS_DIR"/r*.json
echo "== snapshot boot: cold vs restored, side by side (docs/snapshot.md)"
bash tests/bench/bench_snapshot.sh || exit 1
echo "== host-side monitor: host CPU per 100 ms sample"
build/bench_monitor "$($K kernel vmlinux)" || exit 1
# With a sched_ext scheduler the sampler also renders its BPF globals every sample.
$K run examples/two-cgroups.json --scheduler ktstr_sched --json > "$KTSTR_RUNS_DIR/r4.json" 2>/dev/null ||
	{ echo "the ktstr_sched run failed"; exit 1; }
jq -rs 'map(.monitor | select(. != null) | (.sampler_cpu_ns / 1e6) as $ms | ((.t_ms[-1] - .t_ms[0]) / 1000) as $s |
  "real 2-vCPU run (\(if .summary.evaluated then "ktstr_sched, globals rendered" else "eevdf" end)): \(.samples) samples, \($ms * 100 | round / 100) ms of sampler CPU over \($s) s = \($ms / 10 / $s * 1000 | round / 1000)% of one core")[]' \
  "$KTSTR_RUNS_DIR"/r*.json
echo "== TUI: 256 tids over 10 minutes, 1,000,000-line scheduler and console logs, 200x50"
big=$KTSTR_RUNS_DIR/big-run
s=$(date +%s.%N)
bash tests/bench/gen_big_run.sh "$big"
TERM=xterm-256color $K tui --open "$big" --bench-frames 20 || exit 1
echo "(fixture generation took $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; the scheduler log ring holds all 1,000,000 lines (cap 1M lines / 128 MiB), the console ring its newest 20,000, the timeline ring the newest 200,000 of 1,000,000 slices)"
