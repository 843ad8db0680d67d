#!/usr/bin/env bash
# Runs the Criterion unit tests (build/unit, or $UNIT) with their arguments, in one temp root
# removed at the end, on the test kernel `make kernel` provisioned (KTSTR_TEST_KERNEL, else
# `ktstr kernel path`). `make test` exports KTSTR_TEST_STRICT=1: a missing kernel, QEMU or
# package then fails the test that needs it instead of skipping it.
cd "$(dirname "$0")/../.." || exit 2
. tests/tmproot.sh
# Criterion's runner keeps its socket at /tmp/criterion_<pid>.sock whatever TMPDIR says, and
# leaves it there when it is killed.
tmproot_extra() { [ -z "$TMPROOT_PID" ] || rm -f "/tmp/criterion_$TMPROOT_PID.sock"; }
: "${KTSTR_TEST_KERNEL:=$(build/ktstr kernel path 2>/dev/null)}"
export KTSTR_TEST_KERNEL
tmproot_run "${UNIT:-build/unit}" "$@"
