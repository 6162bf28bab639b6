#!/bin/sh
# Identity read time (issue 10, item 9), on vcan with the simulator:
#   (a) `recall-ident IFACE` (auto: every scheme in one discovery window) against a car whose only
#       scheme is the last of the default order (obd29-generic), next to
#   (b) the same car read with its one scheme named (`--addressing obd29`): a/b is the cost of not
#       knowing the car (goal <= 1.2);
#   (c) what a user would otherwise script with can-utils, not knowing the car either: per scheme
#       in the same order, isotprecv bound on the engine ECU's response id (waited for in
#       /proc/net/can/rcvlist_*, not slept), isotpsend "09 02" (OBD) or "22 F1 90" (BMW D-CAN,
#       DME 0x12), `timeout 1` on the answer (whole seconds: what such a script writes; a user
#       cannot know that 50 ms is enough) — c/a is the goal >= 10;
#   (d) a car whose ECUs are slow to answer each request (slow-ecus: four D-CAN ECUs, every answer
#       50 ms late, each ECU its own simulator process) read as by default (ECUs at the same time)
#   (e) and with --parallel 1 (one after another): e/d is what reading ECUs at the same time gains.
# Each is a whole process (or script) started fresh, timed with bash's clock ($EPOCHREALTIME: no
# process of its own, so the stopwatch adds nothing to either side; `date +%s%N` before and after
# cost two more processes per run, ~100 ms under TCG, which was counted on both sides and pulled
# every ratio towards 1; without bash it falls back to date), RECALLD_BENCH_REPS
# runs (default 7), median; two commands compared run in turn (A B A B ...) and their ratio is
# the median of the pairs' ratios.  Needs vcan: without it the measuring part re-runs itself in
# the test VM (times there are several times slower: TCG emulation).  Measures; fails only when
# it cannot run.  Environment: B, BIN, TOP.
set -u
# bash for its clock (make bench runs every bench with sh)
[ -z "${BASH_VERSION:-}" ] && command -v bash >/dev/null 2>&1 && exec bash "$0" "$@"
B=${B:?set B to the build tree}
BIN=${BIN:-$B/bin}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP" || exit 1
reps=${RECALLD_BENCH_REPS:-7}
car=obd29-generic
vin=WF0XXXGCDX8A12345

say() { printf '%s\n' "$*"; }
die() { say "ident-bench: $*" >&2; exit 1; }
for p in recall-ident recall-ecusim; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing (make all)"
done
if [ -z "${RECALLD_IN_VM:-}" ] && ! ./vcan-setup.sh --probe >/dev/null 2>&1; then
	scripts/deps.sh vm >/dev/null || die "no vcan here and the VM cannot run"
	say "no vcan in this kernel: measuring in the test VM"
	exec tests/vm/vm-run --timeout 900 --env B --env BIN --env TOP -- \
		bash "$TOP/tests/bench/ident-bench.sh"
fi
[ "${RECALLD_BENCH_CLOCK:-}" = date ] && say "clock: date +%s%N (two more processes per run)"
[ -n "${RECALLD_IN_VM:-}" ] &&
	say "note: the VM runs under TCG emulation (no KVM): every time below is several times" \
		"slower than on a native kernel with vcan"
./vcan-setup.sh -q -n 1 || die "vcan-setup.sh failed"
iface=vcan0
work=$(mktemp -d /tmp/ident-bench.XXXXXX) || die mktemp
sim=
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# now: nanoseconds into $ns, without a process where bash can (a function called as $(now) would
# fork a subshell: the cost this is meant to leave out)
# (RECALLD_BENCH_CLOCK=date: the old stopwatch, to compare figures with earlier runs)
if [ -n "${EPOCHREALTIME:-}" ] && [ "${RECALLD_BENCH_CLOCK:-}" != date ]; then
	now() { ns=${EPOCHREALTIME//[.,]/}000; }
else
	now() { ns=$(date +%s%N); }
fi
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	printf "%d\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END {
	printf "min %d, max %d", a, b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

"$BIN/recall-ecusim" --ready-file "$work/ready" "tests/ecusim/profiles/$car.ini" "$iface" \
	>"$work/sim.log" 2>&1 &
sim=$!
i=0
while [ ! -e "$work/ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$work/ready" ] || die "simulator did not start"

# The user's script: first scheme that gives a VIN wins.  A bound socket is waited for (no sleep).
cat >"$work/script.sh" <<'EOS'
#!/bin/sh
iface=$1
try() {	# ISOTPRECV/SEND args, request, rcvlist file, response id as /proc lists it (a
	# 29-bit id with the EFF flag: 98daf110)
	: >"$w/resp"
	timeout 1 isotprecv $1 "$iface" >"$w/resp" 2>/dev/null &
	p=$!
	n=0
	until grep -q "^ *$iface  *$4 " "/proc/net/can/$3"; do
		n=$((n + 1))
		[ $n -gt 100000 ] && { echo "isotprecv never bound" >&2; exit 2; }
	done
	echo "$2" | isotpsend $1 "$iface"
	wait $p
	[ -s "$w/resp" ]
}
w=$(mktemp -d)
try "-s 7E0 -d 7E8" "09 02" rcvlist_sff 7e8 ||
	try "-s 6F1 -d 612 -x 12:F1" "22 F1 90" rcvlist_sff 612 ||
	try "-s 18DA10F1 -d 18DAF110" "09 02" rcvlist_eff '[19]8daf110'
rc=$?
cat "$w/resp"
rm -rf "$w"
exit $rc
EOS

have_cu=1
command -v isotpsend >/dev/null && command -v isotprecv >/dev/null || have_cu=0
medianf() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# one X: runs command X once (the string cmd_X, eval'd; its output must hold want_X), its time
# in ms into $ms; false when the output lacks want_X
one() {
	eval "c=\$cmd_$1 w=\$want_$1"
	now; s=$ns
	eval "$c" >"$work/out" 2>&1
	now; e=$ns
	ms=$(( (e - s) / 1000000 ))
	[ -z "$w" ] || grep -q -- "$w" "$work/out"
}
# pair X [Y]: X and Y in turn, X Y X Y ... (one warm-up each first), reps times; prints each
# series with its median (into med_X, med_Y) and the median of the pairs' ratios Y/X (into $pr).
# Pairs, not two series one after the other: the VM's speed drifts with the host's load, and a
# ratio of two runs taken side by side keeps its meaning through that.  A run whose output lacks
# what it must read is fatal, except while $retries > 0 (the can-utils script gives up after its
# `timeout 1` on a loaded machine): then the pair is said and repeated.
pair() {
	one "$1" || die "$(eval echo "\$label_$1"): no VIN read: $(cat "$work/out")"
	[ -z "${2:-}" ] || one "$2" || die "$(eval echo "\$label_$2"): no VIN read: $(cat "$work/out")"
	tx='' ty='' rr='' k=0
	while [ $k -lt "$reps" ]; do
		ok=1
		one "$1" || ok=0
		x=$ms
		if [ -n "${2:-}" ] && [ $ok -eq 1 ]; then
			one "$2" || ok=0
		fi
		if [ $ok -eq 0 ]; then
			[ "${retries:-0}" -gt 0 ] || die "run $k: no VIN read: $(cat "$work/out")"
			retries=$((retries - 1))
			say "  (run $k: no VIN read, repeated)"
			continue
		fi
		tx="$tx $x"
		[ -z "${2:-}" ] || { ty="$ty $ms"; rr="$rr $(ratio "$ms" "$x")"; }
		k=$((k + 1))
	done
	for v in "$1" ${2:-}; do
		# shellcheck disable=SC2086
		if [ "$v" = "$1" ]; then t=$tx; else t=$ty; fi
		# shellcheck disable=SC2086
		m=$(median $t)
		eval "med_$v=$m"
		say "$(eval echo "\$label_$v"), $reps runs (ms):$t"
		# shellcheck disable=SC2086
		say "  median $m ms ($(minmax $t))"
	done
	# shellcheck disable=SC2086
	[ -z "${2:-}" ] || pr=$(medianf $rr)
}
# the floor: an empty process, timed the same way (what any whole process costs here)
label_0="0 an empty process (/bin/true)" cmd_0=/bin/true want_0=''
pair 0
label_a="a auto (recall-ident $iface)" cmd_a='"$BIN/recall-ident" "$iface"' want_a=$vin
label_b="b named (recall-ident $iface --addressing obd29)" want_b=$vin
cmd_b='"$BIN/recall-ident" "$iface" --addressing obd29'
pair b a
say "auto / named: $pr x, median of the $reps pairs' ratios (medians $(ratio "$med_a" "$med_b")x;" \
	"goal <= 1.2: the cost of not knowing the car)"
if [ $have_cu -eq 1 ]; then
	label_c="c can-utils script (isotpsend/isotprecv, obd11 then bmw then obd29, timeout 1 each)"
	cmd_c='sh "$work/script.sh" "$iface"'
	want_c='49 02 01 57 46 30'	# 09 02 answer, "WF0"
	retries=3
	pair a c
	retries=0
	say "can-utils script / auto: $pr x, median of the $reps pairs' ratios (medians" \
		"$(ratio "$med_c" "$med_a")x; goal >= 10)"
else
	say "baseline: skipped (can-utils isotpsend/isotprecv missing)"
fi

# (d)/(e): every ECU its own process, as the ECUs of a car answer independently
start_car() {	# PROFILE: the simulator on it, with every ECU its own process
	kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null
	rm -f "$work/ready"
	"$BIN/recall-ecusim" --ready-file "$work/ready" --process-per-ecu \
		"tests/ecusim/profiles/$1.ini" "$iface" >"$work/sim.log" 2>&1 &
	sim=$!
	i=0
	while [ ! -e "$work/ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$work/ready" ] || die "simulator did not start ($1)"
}
start_car slow-ecus
label_d="d parallel (recall-ident $iface; slow-ecus: 4 ECUs, each answer 50 ms late)"
cmd_d='"$BIN/recall-ident" "$iface"' want_d=WBA8E51060K734560
label_e="e one after another (recall-ident $iface --parallel 1; the same car)"
cmd_e='"$BIN/recall-ident" "$iface" --parallel 1' want_e=WBA8E51060K734560
pair d e
say "one after another / parallel: $pr x, median of the $reps pairs' ratios (medians" \
	"$(ratio "$med_e" "$med_d")x: what reading ECUs at the same time gains on a car whose" \
	"ECUs are slow to answer)"

# Before/after (optional): RECALLD_BENCH_BEFORE="LABEL=DIR ..." names earlier builds' bin
# directories (e.g. main before issue 10, built in a worktree of that commit: `make all`, then its
# build/bin; it must lie under a path the VM sees, not /tmp).  Each car of the shipped profiles
# is read with default settings by each build and by this one, every ECU its own simulator process
# (as in a car: one slow ECU does not hold another up), the two builds in turn (pairs); the ratio
# is this build's time over the earlier one's, the median of the pairs' ratios (< 1: faster now).
[ -n "${RECALLD_BENCH_BEFORE:-}" ] || exit 0
say "before/after: default settings, $reps pairs (earlier build, this one) per car, ms"
for car in obd11-generic obd29-generic bmw-f30-obd bmw-f30 bmw-i3 vw-golf; do
	start_car "$car"
	line="$car:"
	for which in $RECALLD_BENCH_BEFORE; do
		label=${which%%=*} dir=${which#*=}
		label_p="  $label" cmd_p="\"$dir/recall-ident\" \"\$iface\"" want_p=''
		label_n="  now" cmd_n='"$BIN/recall-ident" "$iface"' want_n=''
		pair p n >"$work/pair"
		pe=$("$dir/recall-ident" "$iface" --json 2>/dev/null | grep -c '"address"')
		ne=$("$BIN/recall-ident" "$iface" --json 2>/dev/null | grep -c '"address"')
		sp=$(sed -n 's/^ *median [0-9]* ms (\(.*\))$/\1/p' "$work/pair" | sed -n 1p)
		sn=$(sed -n 's/^ *median [0-9]* ms (\(.*\))$/\1/p' "$work/pair" | sed -n 2p)
		line="$line $label $med_p ms ($sp, $pe ECUs); now $med_n ms ($sn, $ne ECUs);"
		line="$line now/$label $pr x (pairs' median; medians $(ratio "$med_n" "$med_p")x);"
	done
	say "$line"
done
