# Shared assertions for the scheduler failure tests: the failure sections appear in the
# seed's order, each once.
sections_in_order() { # file section...
	local f=$1; shift
	local prev=0 n
	for s in "$@"; do
		n=$(grep -nxF -- "$s" "$f" | head -1 | cut -d: -f1)
		[ -n "$n" ] || { cat "$f" >&2; fail "section '$s' missing"; }
		[ "$n" -gt "$prev" ] || fail "section '$s' out of order (line $n after line $prev)"
		prev=$n
	done
}
