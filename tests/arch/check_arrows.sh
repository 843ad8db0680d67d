#!/usr/bin/env bash
# The architecture's arrows, checked on every #include "..." in the tree (docs/architecture.md):
#   views/ includes from tui/ only tui/draw.h;
#   engine/ and vmm/ never include tui/, views/ or cli/;
#   vmm/ includes nothing above itself (only vmm/);
#   tui/ and views/ never include engine/kernel/, engine/initramfs/ or vmm/ (panes go through
#   the engine's requests and the run model), and cli/ never includes vmm/;
#   guest/ includes only guest/;
#   no source file is over 800 lines.
# Prints every violation and the closing "N passed, N failed" line; exit 1 on any.
cd "$(dirname "$0")/../.." || exit 2
bad=0 rules=0
rule() { # name, then the offending lines on stdin (empty = pass)
	rules=$((rules + 1))
	local out; out=$(cat)
	if [ -n "$out" ]; then
		bad=$((bad + 1)); echo "FAIL $1:"; printf '%s\n' "$out" | sed 's/^/    /'
	else
		echo "ok   $1"
	fi
}
incs() { # dirs -> "file:line:#include "x"" for every quoted include under them
	git ls-files -- "$@" | grep -E '\.[ch]$' | xargs -r grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' 2>/dev/null
}
target() { sed -E 's/.*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/'; }
only() { # keep lines whose include target does NOT match the allowed ERE
	while IFS= read -r l; do
		t=$(printf '%s\n' "$l" | target)
		[[ $t =~ $1 ]] || printf '%s\n' "$l"
	done
}
rule "views include from tui/ only tui/draw.h" < <(incs views/ | grep -E '"tui/' | only '^tui/draw\.h$')
rule "engine/ never includes tui/, views/ or cli/" < <(incs engine/ | grep -E '"(tui|views|cli)/')
rule "vmm/ includes only vmm/" < <(incs vmm/ | only '^vmm/')
rule "tui/ and views/ reach the kernel cache and the VM only through the engine" < <(incs tui/ views/ | grep -E '"(engine/kernel|engine/initramfs|vmm)/')
rule "cli/ reaches the VM only through the engine" < <(incs cli/ | grep -E '"vmm/')
rule "guest/ includes only guest/" < <(incs guest/ | only '^guest/')
# Every include names its folder: a bare "x.h" hides which layer it comes from. Generated
# headers (the BPF skeletons, vmlinux.h, version_gen.h) are the exceptions.
rule "every include names its folder" < <(incs engine/ vmm/ guest/ tui/ views/ cli/ tests/unit/ | only '/|^version_gen\.h$')
rule "no source file over 800 lines" < <(git ls-files -- '*.c' '*.h' | xargs wc -l |
	awk '$2 != "total" && $1 > 800 {print $2": "$1" lines"}')
echo "arch: $((rules - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
