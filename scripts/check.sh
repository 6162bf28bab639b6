#!/bin/sh
# Run recalld's test suites against one build tree and print one summary line per suite.
#
#   scripts/check.sh BUILD [--vm] [--unit-only | --integration-only]
#
# unit:         every cmocka program BUILD/tests/unit/test-*
# fuzz-corpus:  every fuzz target replayed over its committed corpus tests/fuzz/corpus/NAME/
# deploy:       every tests/deploy/NN-*.sh (install, unit, man pages, exit codes), on this host
# integration:  tests/integration/run.sh — natively when this host can create vcan interfaces,
#               else (or with --vm) inside the VM of tests/vm/ booted from Debian's kernel, with
#               the controller bench (vm-run --bench controllers); natively, the controller
#               tests (-ctl-) then run in that VM on their own.
# Exit status is non-zero when any suite has a failure.
set -u

b=${1:?usage: scripts/check.sh BUILD [--vm] [--unit-only|--integration-only]}
shift
vm=0
do_unit=1
do_integ=1
for a in "$@"; do
	case "$a" in
	--vm) vm=1 ;;
	--unit-only) do_integ=0 ;;
	--integration-only) do_unit=0 ;;
	*) echo "check.sh: unknown option $a" >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
failed_suites=""
summary=""

# Sanitizers: any report is fatal and names the place; leaks count as failures.
export ASAN_OPTIONS="abort_on_error=0:halt_on_error=1:detect_leaks=1:exitcode=99${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=98${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

run_unit() {
	pass=0 fail=0
	for t in "$b"/tests/unit/test-*; do
		[ -x "$t" ] || continue
		case "$t" in *.o|*.d) continue ;; esac
		out=$("$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		# cmocka's own closing lines give the per-test counts.
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		pass=$((pass + ${p:-0}))
		fail=$((fail + ${f:-0}))
		if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
			# Crashed or stopped by a sanitizer before cmocka could count.
			echo "check.sh: $(basename "$t") exited with status $rc" >&2
			fail=$((fail + 1))
		fi
	done
	summary="${summary}unit: $pass passed, $fail failed
"
	[ "$fail" -eq 0 ] || failed_suites="$failed_suites unit"
}

run_fuzz_corpus() {
	pass=0 fail=0
	for t in "$b"/tests/fuzz/fuzz-*; do
		[ -x "$t" ] || continue
		case "$t" in *.o|*.d) continue ;; esac
		name=$(basename "$t")
		corpus="tests/fuzz/corpus/$name"
		[ -d "$corpus" ] || { echo "check.sh: $name has no corpus in $corpus" >&2; fail=$((fail + 1)); continue; }
		if "$t" "$corpus"/*; then
			pass=$((pass + 1))
		else
			echo "check.sh: fuzz target $name failed on its corpus" >&2
			fail=$((fail + 1))
		fi
	done
	summary="${summary}fuzz-corpus: $pass passed, $fail failed
"
	[ "$fail" -eq 0 ] || failed_suites="$failed_suites fuzz-corpus"
}

# deploy: tests/deploy/NN-*.sh on this host (no bus needed): installing, the unit, man pages, the
# tools' exit codes and usage errors.  Exit 0 pass, 77 skip.  They get B (the sanitizer tree, whose
# programs they run) and TOP.
run_deploy() {
	pass=0 fail=0 skip=0
	case $b in /*) ab=$b ;; *) ab=$top/$b ;; esac
	for t in tests/deploy/[0-9]*.sh; do
		[ -f "$t" ] || continue
		B="$ab" TOP="$top" BIN="$ab/bin" bash "$t"
		rc=$?
		case $rc in
		0) pass=$((pass + 1)); echo "PASS $(basename "$t" .sh)" ;;
		77) skip=$((skip + 1)); echo "SKIP $(basename "$t" .sh)" ;;
		*) fail=$((fail + 1)); echo "FAIL $(basename "$t" .sh) (status $rc)" ;;
		esac
	done
	summary="${summary}deploy: $pass passed, $fail failed, $skip skipped
"
	[ "$fail" -eq 0 ] || failed_suites="$failed_suites deploy"
}

run_integration() {
	if [ "$vm" = 0 ] && ./vcan-setup.sh --probe; then
		echo "check.sh: this host has vcan: running the integration tests natively"
		tests/integration/run.sh "$b"
		rc=$?
		# The controller bench (real CAN controller drivers on emulated cards) exists only in
		# the VM: its tests skipped above run there, when the VM can be had.
		line=$(cat "$b/integration-summary" 2>/dev/null)
		if scripts/deps.sh vm >/dev/null 2>&1; then
			echo "check.sh: the controller tests (-ctl-) in the VM's controller bench"
			tests/vm/vm-run --bench controllers -- tests/integration/run.sh "$b" -ctl-
			rc2=$?
			summary="${summary}${line:-integration: runner did not finish}
"
			line=$(cat "$b/integration-summary" 2>/dev/null)
			summary="${summary}${line:+controller bench: ${line#integration: }}"
			[ -n "$line" ] || summary="${summary}controller bench: 0 passed, 1 failed (status $rc2)"
			summary="$summary
"
			[ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] || failed_suites="$failed_suites integration"
			return
		fi
	else
		if [ "$vm" = 1 ]; then
			echo "check.sh: VM=1: running the integration tests in the VM"
		else
			echo "check.sh: this kernel has no vcan: running the integration tests in the VM"
		fi
		scripts/deps.sh vm || return 1
		# One boot for every test: the controller bench's two emulated CAN cards cost the
		# boot a fraction of a second (tests/bench/vm-overhead.sh measures both profiles).
		tests/vm/vm-run --bench controllers -- tests/integration/run.sh "$b"
		rc=$?
	fi
	# run.sh prints its own "integration: N passed, N failed" line; repeat it in the summary.
	line=$(cat "$b/integration-summary" 2>/dev/null)
	summary="${summary}${line:-integration: 0 passed, 1 failed (runner did not finish, status $rc)}
"
	[ "$rc" -eq 0 ] || failed_suites="$failed_suites integration"
}

run_host() {
	pass=0 fail=0 skip=0
	for t in tests/host/[0-9]*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		B="$b" TOP="$top" timeout -k 5 300 bash "$t"
		rc=$?
		case $rc in
		0) pass=$((pass + 1)); echo "PASS $name" ;;
		77) skip=$((skip + 1)); echo "SKIP $name" ;;
		*) fail=$((fail + 1)); echo "FAIL $name (status $rc)" ;;
		esac
	done
	summary="${summary}host: $pass passed, $fail failed, $skip skipped
"
	[ "$fail" -eq 0 ] || failed_suites="$failed_suites host"
}

[ "$do_unit" = 1 ] && { run_unit; run_fuzz_corpus; run_host; run_deploy; }
[ "$do_integ" = 1 ] && { rm -f "$b/integration-summary"; run_integration; }

echo
echo "==== recalld test summary ($b) ===="
printf '%s' "$summary"
if [ -n "$failed_suites" ]; then
	echo "FAILED:$failed_suites"
	exit 1
fi
echo "all suites passed"
