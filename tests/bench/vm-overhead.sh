#!/bin/sh
# The test VM's fixed cost: boot Debian's kernel, load the CAN modules, run `true`, power off.
# Only meaningful on hosts that use the VM; reported anyway so the README figure can be checked.
set -u
scripts/deps.sh vm >/dev/null || exit 1
tests/vm/vm-run -- true >/dev/null 2>&1 || { echo "vm-overhead: the VM does not run"; exit 1; }
runs=""
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	tests/vm/vm-run -- true >/dev/null 2>&1
	e=$(date +%s%N)
	runs="$runs $(( (e - s) / 1000000 ))"
done
med=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 3p)
echo "vm-run boot-to-poweroff, 5 runs (ms):$runs"
echo "vm-run overhead median: $med ms"
