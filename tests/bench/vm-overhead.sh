#!/bin/sh
# The test VM's fixed cost: boot Debian's kernel, load the CAN modules, run `true`, power off —
# for the plain VM and for the controller bench (two emulated Kvaser cards, their drivers and
# slcan), which `make check` boots for the whole suite.  Runs alternate between the two so a
# busy machine weighs on both alike.
# Only meaningful on hosts that use the VM; reported anyway so the README figure can be checked.
set -u
scripts/deps.sh vm >/dev/null || exit 1
for b in vcan controllers; do
	tests/vm/vm-run --bench $b -- true >/dev/null 2>&1 ||
		{ echo "vm-overhead: the VM ($b) does not run"; exit 1; }
done
runs_vcan="" runs_ctl=""
for i in 1 2 3 4 5; do
	for b in vcan controllers; do
		s=$(date +%s%N)
		tests/vm/vm-run --bench $b -- true >/dev/null 2>&1
		e=$(date +%s%N)
		ms=$(( (e - s) / 1000000 ))
		if [ $b = vcan ]; then runs_vcan="$runs_vcan $ms"; else runs_ctl="$runs_ctl $ms"; fi
	done
done
med() { echo $* | tr ' ' '\n' | sort -n | sed -n 3p; }
echo "vm-run boot-to-poweroff, 5 runs (ms):$runs_vcan"
echo "vm-run overhead median: $(med $runs_vcan) ms"
echo "vm-run --bench controllers boot-to-poweroff, 5 runs (ms):$runs_ctl"
echo "vm-run --bench controllers overhead median: $(med $runs_ctl) ms (+$(( $(med $runs_ctl) - $(med $runs_vcan) )) ms)"
