# The I/O work types on the run's virtio disk, under EEVDF and ktstr_sched: IoSyncWrite's
# fdatasyncs, IoRandRead's reads and IoConvoy's rounds reach /dev/vda (the guest's own
# /sys/block/vda/stat says so) and land in <run dir>/disk.img, which starts sparse; no
# other file of its size appears; a scenario without I/O types gets no disk; and a kernel
# that needs virtio_blk.ko but whose entry lacks it is refused before anything boots.
. "$(dirname "$0")/lib.sh"
# 5 workers blocked on I/O share 2 vCPUs: gaps and spread are not what this test is about.
S=$(scenario work-types-io '{
  "name": "work-types-io",
  "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512,
  "duration_ms": 2000,
  "cgroups": [
    { "name": "cg_syncwrite", "workers": 2, "work": "IoSyncWrite" },
    { "name": "cg_randread", "workers": 2, "work": "IoRandRead" },
    { "name": "cg_convoy", "workers": 1, "work": "IoConvoy" }
  ],
  "checks": { "max_gap_ms": 3600000, "max_spread_pct": 100 }
}')
DISK_BYTES=$((256 << 20))

# The kernel's cache entry holds virtio_blk.ko when ktstr fetched it (`make test` fetches
# first); an entry from before that is refreshed by `ktstr kernel fetch --debian`.
kpath=$("$KTSTR" kernel path 2>/dev/null) || missing "a cached test kernel (ktstr kernel fetch --debian)"
kdir=$(dirname "$kpath")
if grep -q '^CONFIG_VIRTIO_BLK=m' "$kdir/config" 2>/dev/null && [ ! -f "$kdir/virtio_blk.ko" ]; then
	missing "virtio_blk.ko in $kdir (refresh the entry: ktstr kernel fetch --debian)"
fi

# check_run OUT LABEL: passed, every type's figure, the disk's own counters, the image.
check_run() {
	local out=$1 what=$2
	j() { jq -r "$1" "$out"; }
	expect_eq "$(j .result)" pass "result ($what)"
	expect_eq "$(j '.workers | length')" 5 "workers ($what)"
	expect_eq "$(j '[.workers[] | select(.completed != true)] | length')" 0 "workers that did not complete ($what)"
	# fig WORK NAME MIN: every worker of WORK reports figure NAME >= MIN, iterated as often.
	fig() {
		local ws
		ws=$(jq -c --arg w "$1" '[.workers[] | select(.work == $w)]' "$out")
		expect_eq "$(jq -r '[.[].figure_name] | unique | join(",")' <<<"$ws")" "$2" "$1 figure name ($what)"
		expect_eq "$(jq -r --argjson m "$3" '[.[] | select(.figure < $m or .iters < 1) | "tid \(.tid) \(.figure_name)=\(.figure) iters=\(.iters)"] | join(", ")' <<<"$ws")" "" \
			"$1 workers with $2 < $3 ($what)"
		echo "  $1: $(jq -r '[.[] | "\(.figure)"] | join(" ")' <<<"$ws") $2; iters $(jq -r '[.[].iters | tostring] | join(" ")' <<<"$ws")"
	}
	fig IoSyncWrite fsyncs 1
	fig IoRandRead reads 10
	fig IoConvoy ios 2
	local sum_fsync sum_reads dir
	sum_fsync=$(j '[.workers[] | select(.work == "IoSyncWrite") | .figure] | add')
	sum_reads=$(j '[.workers[] | select(.work == "IoRandRead") | .figure] | add')
	dir=$(j .run_dir)
	# The device's side: every fdatasync is a flush request, every O_DIRECT read a read
	# request, and IoSyncWrite alone wrote 16 blocks of 8 sectors per fdatasync.
	local line
	line=$(grep -E '^disk vda: reads=' "$dir/guest.log") || { cat "$dir/guest.log" >&2; fail "no disk stat line in guest.log ($what)"; }
	echo "  $line"
	val() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$line"; }
	[ "$(val reads)" -ge "$sum_reads" ] || fail "vda reads $(val reads) < IoRandRead reads $sum_reads ($what)"
	[ "$(val flushes)" -ge "$sum_fsync" ] || fail "vda flushes $(val flushes) < IoSyncWrite fsyncs $sum_fsync ($what)"
	[ "$(val write_sectors)" -ge $((sum_fsync * 128)) ] || fail "vda write_sectors $(val write_sectors) < 128 per fsync ($what)"
	# The host's side: the image is in the run directory, 256 MiB, and what was written
	# was allocated (it was created sparse: 0 blocks).
	expect_eq "$(stat -c %s "$dir/disk.img" 2>/dev/null)" "$DISK_BYTES" "size of $dir/disk.img ($what)"
	local alloc=$(( $(stat -c '%b * %B' "$dir/disk.img") ))
	echo "  disk.img: $alloc bytes allocated of $DISK_BYTES"
	[ "$alloc" -ge $((16 * 4096)) ] || fail "disk.img has $alloc bytes allocated, expected >= 64 KiB written ($what)"
}

# A file of the image's size where a misplaced one would go (the test's temp root, the
# cache, the tree, the top of /tmp and $HOME) means the disk escaped the run dir.
touch "$T/mark"
strays() {
	{ find "$T" "${KTSTR_CACHE_DIR:-$HOME/.cache/ktstr}" "$ROOT" -xdev -newer "$T/mark" \
		-type f -size "${DISK_BYTES}c"
	  find /tmp "$HOME" -maxdepth 2 -xdev -newer "$T/mark" -type f -size "${DISK_BYTES}c"
	} 2>/dev/null | grep -v "^$T/runs/[^/]*/disk.img$"
}

under_both "$S" check_run
expect_eq "$(strays)" "" "files of the disk image's size outside the run directories"

# No I/O type, no disk: neither the image nor the guest's disk line.
N=$(scenario no-io '{ "name": "no-io", "topology": { "numa": 1, "llcs": 1, "cores": 1, "threads": 1 },
  "memory_mb": 256, "duration_ms": 500, "cgroups": [ { "name": "cg", "workers": 1, "work": "SpinWait" } ] }')
"$KTSTR" run "$N" --json > "$T/noio.json" 2> "$T/err.txt" || { cat "$T/err.txt" >&2; fail "the run without I/O types failed"; }
d=$(jq -r .run_dir "$T/noio.json")
[ ! -e "$d/disk.img" ] || fail "a scenario without I/O types got $d/disk.img"
! grep -q '^disk' "$d/guest.log" || fail "a scenario without I/O types has a disk in the guest: $(grep '^disk' "$d/guest.log")"
expect_no_qemu

# A module-less entry of a CONFIG_VIRTIO_BLK=m kernel (an import of the image and its
# config) is refused with the fix, before a run directory is made.
if grep -q '^CONFIG_VIRTIO_BLK=m' "$kdir/config" 2>/dev/null; then
	KC=$T/kc
	KTSTR_CACHE_DIR=$KC "$KTSTR" kernel import "$kpath" --config "$kdir/config" > "$T/imp.txt" 2>&1 ||
		{ cat "$T/imp.txt" >&2; fail "import of $kpath into a private cache"; }
	before=$(ls "$T/runs" | wc -l)
	KTSTR_CACHE_DIR=$KC expect_refused_F "run on a module-less entry" \
		"builds virtio-blk as a module (CONFIG_VIRTIO_BLK=m) that its cache entry does not hold" run "$S"
	grep -qF "use a kernel with CONFIG_VIRTIO_BLK=y" "$T/o.txt" || { cat "$T/o.txt" >&2; fail "the refusal names no fix"; }
	expect_eq "$(ls "$T/runs" | wc -l)" "$before" "run directories after the refusal"
fi
echo "PASS: test_work_types_io"
