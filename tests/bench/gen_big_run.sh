#!/usr/bin/env bash
# Writes a run directory the size issue 4's benchmark asks for: 256 worker tids over 10
# minutes (timeline.tsv, 1,000,000 slices), a 1,000,000-line scheduler log and console log.
set -eu
dir=$1
mkdir -p "$dir"
awk 'BEGIN {
	for (i = 0; i < 1000000; i++)
		printf "ktstr_sched: tick %d enq=%d disp=%d cpu%d dsq_depth=%d\n", i, i*3, i*3-1, i%8, i%17
}' > "$dir/sched.log"
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "[%10.6f] sched_ext: line %d of the console\n", i/1666.0, i }' > "$dir/console.log"
# 256 tids x ~3906 slices each over 600 s: run/wait alternating, CPUs 0-7.
awk 'BEGIN {
	n = 0
	for (t = 0; t < 256; t++) {
		at = 0
		for (k = 0; k < 3906; k++) {
			len = 100000000 + (k * 7919 % 50000000)
			printf "%d\t%d\t%d\t%d\t%s\n", 1000 + t, (t + k) % 8, at, at + len, (k % 2) ? "w" : "r"
			at += len + 1000
		}
	}
}' > "$dir/timeline.tsv"
: > "$dir/dump.log"; : > "$dir/verifier.log"
awk 'BEGIN {
	printf "{\"ktstr_result_version\":1,\"result\":\"pass\",\"exit_code\":0,\"error\":null,\"id\":\"bench\",\"started_unix\":1764324900,"
	printf "\"checks\":[],\"boot\":{\"accel\":\"tcg\",\"sys_rdy_ms\":2300,\"kernel_boot_ms\":1400,\"budget_ms\":41200,\"budget_missed\":false,\"tcg_relaxed\":true},"
	printf "\"guest\":{\"cpus\":8,\"llcs\":[[0,1,2,3],[4,5,6,7]],\"nodes\":[[0,1,2,3,4,5,6,7]],\"kernel\":\"bench\",\"done\":true,\"ok\":true,\"steps_done\":1,\"steps\":1,\"elapsed_ms\":600000},"
	printf "\"workers\":["
	for (t = 0; t < 256; t++)
		printf "%s{\"tid\":%d,\"cgroup\":\"cg_%d\",\"work\":\"SpinWait\",\"cpu_ms\":%d,\"wall_ms\":600000,\"iters\":%d,\"max_gap_ms\":%d,\"max_gap_cpu\":%d,\"max_gap_at_ms\":%d,\"cpus\":[0,1,2,3,4,5,6,7],\"migrations\":%d,\"completed\":true,\"reported\":true}", (t ? "," : ""), 1000 + t, t % 16, 30000 + t * 10, 100000 + t, 40 + t % 90, t % 8, t * 2000, t
	printf "],\"cgroups\":[],\"thresholds\":{\"max_gap_ms\":6000,\"max_spread_pct\":35,\"tcg_relaxed\":true},"
	printf "\"scenario\":{\"name\":\"bench\",\"topology\":\"1n2l4c1t\",\"scheduler\":\"ktstr_sched\",\"scheduler_kind\":\"name\",\"duration_ms\":600000,\"memory_mb\":512,\"expect_err\":false,\"cgroups\":["
	for (c = 0; c < 16; c++)
		printf "%s{\"name\":\"cg_%d\",\"workers\":16,\"work\":\"SpinWait\",\"cpuset\":\"\"}", (c ? "," : ""), c
	printf "]},\"kernel\":{\"key\":\"bench\",\"path\":\"/nonexistent\",\"version\":\"bench\"},"
	printf "\"scheduler\":{\"label\":\"ktstr_sched\",\"ops\":\"ktstr_sched\",\"started\":true,\"attached\":true,\"load_failed\":false,\"died\":false,\"exit_reason\":null,\"exit_code\":0,\"died_ms\":0},\"vm_exit_code\":0}\n"
}' > "$dir/result.json"
