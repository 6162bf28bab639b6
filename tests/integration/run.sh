#!/bin/sh
# Run every vcan integration test (tests/integration/[0-9]*.sh) against one build tree.
#
#   tests/integration/run.sh BUILD [PATTERN]
#
# Same script natively and inside the VM.  It first runs the project's own vcan-setup.sh (so that
# script is tested wherever the bench runs), creating vcan0..vcan7.  Each test is a shell script
# with a bounded run time; exit 0 = pass, 77 = skip (with a reason on stderr), anything else = fail.
# Environment for tests: B (build tree), BIN (B/bin), TBIN (B/tests/integration), TOP (source).
set -u

B=${1:?usage: tests/integration/run.sh BUILD [PATTERN]}
pattern=${2:-}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 2
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
BIN="$B/bin"
TBIN="$B/tests/integration"
export B BIN TBIN TOP
# One test may not hang the suite; generous because sanitizers and TCG are slow.
per_test_timeout=${RECALLD_TEST_TIMEOUT:-300}

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}"

summary_file="$B/integration-summary"
rm -f "$summary_file"

if ! ./vcan-setup.sh -q -n 8; then
	echo "integration: vcan-setup.sh failed; no bus to test on" >&2
	echo "integration: 0 passed, 1 failed" | tee "$summary_file"
	exit 1
fi

pass=0 fail=0 skip=0 failed=""
for t in tests/integration/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	start=$(date +%s)
	timeout -k 5 "$per_test_timeout" sh "$t"
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name" ;;
	124) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (timed out after ${per_test_timeout}s)" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (status $rc)" ;;
	esac
	# A test that died half-way must not leave its interfaces to the next one.
	./vcan-setup.sh -q -n 8 >/dev/null 2>&1
done

[ -n "$failed" ] && echo "failed:$failed"
echo "integration: $pass passed, $fail failed, $skip skipped" | tee "$summary_file"
[ "$fail" -eq 0 ]
