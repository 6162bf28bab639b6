#!/bin/sh
# recalld on vcan, measured (issue 5, item 12).  With the seed database and simulated cars that
# answer at once:
#   (a) one bay: time from `ip link set IFACE up` to the report written (the .json file's mtime;
#       the daemon writes .txt first, so a .json means the pair is complete);
#   (b) eight bays brought up together: time until the last of the eight reports;
#   (c) the daemon's CPU (utime+stime from /proc/PID/stat; its check children are reaped by it, so
#       their CPU is cutime+cstime) while idle for 10 s and per check, and its memory (VmRSS,
#       VmHWM from /proc/PID/status);
#   (d) what a user would otherwise script: can-utils isotprecv/isotpsend reading the VIN (OBD
#       09 02) and `grep -F -x` in a list of 1 000 000 VINs, versus recall-check (and recalld)
#       with the same list compiled into the database (`include file` in a campaign).
# The car's VIN is the list's last line, so grep reads the whole list, as it does for every car not
# on it.  The baseline waits for isotprecv's socket to be bound (/proc/net/can/rcvlist_sff)
# instead of sleeping, so it is as fast as such a script can be.
#
# Needs vcan: without it (no CAN in this kernel) the inputs are prepared here and the measuring
# part re-runs itself in the test VM (tests/vm/vm-run), where times are slower (TCG emulation).
# Measures; never fails on a number, only when it cannot run.  Environment: B (build tree, the
# normal one, not build/san), BIN, TOP; RECALLD_BENCH_REPS (default 5), RECALLD_BENCH_VINS
# (default 1000000) change the sizes; RECALLD_BENCH_TIMEOUT sets recalld's and recall-check's
# request_timeout (default: the product's own, 50 ms, which a loaded host under TCG can miss).
set -u
B=${B:?set B to the build tree}
BIN=${BIN:-$B/bin}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP" || exit 1
reps=${RECALLD_BENCH_REPS:-5}
rto=${RECALLD_BENCH_TIMEOUT:-0}
rto=${rto%ms}
nvins=${RECALLD_BENCH_VINS:-1000000}
prep=$B/bench-daemon
car=bmw-i3			# (a)-(c): the demo's affected car, BMW addressing
obd_car=obd11-generic		# (d): answers OBD 09 02 on 0x7E0 -> 0x7E8
obd_vin=1HGCM82633A004352
list_id=9900000001
wait_s=120			# bound on every wait for an event

say() { printf '%s\n' "$*"; }
die() { say "daemon-bench: $*" >&2; exit 1; }

for p in recalld recallctl recall-ecusim recall-check recallc; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing (make all)"
done
[ -f "$B/recalls.rdb" ] || die "$B/recalls.rdb missing (make all)"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# median/min/max of the numbers given
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %d ms, min %d ms, max %d ms", m, v[1], v[NR] }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	printf "%d\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- the inputs, prepared once per run (natively, before any VM boots) -----------------------------
if [ -z "${RECALLD_BENCH_PREPARED:-}" ]; then
	rm -rf "$prep"
	mkdir -p "$prep" || die "cannot create $prep"
	s=$(now)
	# Park-Miller minimal standard generator: exact in awk's doubles, the same list everywhere.
	# Position 9 is the ISO 3779 check digit, as on real VINs (recallc refuses a North American
	# VIN whose check digit does not fit).
	awk -v n="$nvins" -v last="$obd_vin" 'BEGIN {
		a = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
		tr = "0123456789.ABCDEFGH.JKLMN.P.R.STUVWXYZ"
		split("8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2", wt, " ")
		split("WBA WBS WBY WMW WVW WAU WDD WF0 VF1 ZFA TMB YV1 JHM 1HG 1FA 5YJ", w, " ")
		x = 20261126
		for (i = 1; i < n; i++) {
			x = (x * 16807) % 2147483647
			v = w[x % 16 + 1]
			for (j = 0; j < 14; j++) {
				x = (x * 16807) % 2147483647
				v = v substr(a, x % 33 + 1, 1)
			}
			sum = 0
			for (j = 1; j <= 17; j++) {
				c = substr(v, j, 1)
				k = index(tr, c) - 1
				sum += (k < 10 ? k : (k - 11) % 9 + 1) * wt[j]
			}
			d = sum % 11
			print substr(v, 1, 8) (d == 10 ? "X" : d) substr(v, 10)
		}
		print last
	}' >"$prep/list.txt" || die "cannot write the VIN list"
	cat >"$prep/list.rules" <<EOF
# daemon-bench: one campaign selecting exactly the $nvins VINs of list.txt
campaign "$list_id" {
	title "Benchmark: Fahrzeuge aus einer Liste";
	recognition workshop_system;
	include file "list.txt";
}
EOF
	e=$(now)
	say "prepare: $nvins VINs in list.txt ($(du -m "$prep/list.txt" | cut -f1) MB): $(ms "$s" "$e") ms"
	s=$(now)
	"$BIN/recallc" -q rules/recalls/*.rules "$prep/list.rules" -o "$prep/list.rdb" ||
		die "recallc failed on the list"
	e=$(now)
	say "prepare: seed rules + list compiled (recallc): $(ms "$s" "$e") ms," \
		"database $(du -m "$prep/list.rdb" | cut -f1) MB"
	if ! ./vcan-setup.sh --probe >/dev/null 2>&1; then
		scripts/deps.sh vm >/dev/null || die "no vcan here and the VM cannot run"
		say "no vcan in this kernel: measuring in the test VM"
		export RECALLD_BENCH_PREPARED=1
		tests/vm/vm-run --timeout 900 --env B --env BIN --env TOP -- \
			sh "$TOP/tests/bench/daemon-bench.sh"
		rc=$?
		rm -rf "$prep"
		exit $rc
	fi
	own_prep=1	# measured here: removed with the work directory
fi
[ -f "$prep/list.rdb" ] || die "$prep/list.rdb missing"
if [ -n "${RECALLD_IN_VM:-}" ]; then
	say "note: the VM runs under TCG emulation (no KVM): every time below is several times" \
		"slower than on a native kernel with vcan"
fi
if [ "$rto" = 0 ]; then
	say "recalld: built-in defaults but paths and bays (request_timeout: the bus layer's default)"
else
	say "recalld: built-in defaults but paths, bays and request_timeout = $rto ms"
fi
have_cu=1
command -v isotpsend >/dev/null && command -v isotprecv >/dev/null && command -v xxd >/dev/null ||
	have_cu=0

# --- daemon, bays, simulators ----------------------------------------------------------------------
work=$(mktemp -d /tmp/daemon-bench.XXXXXX) || die "mktemp"
daemon='' sub='' sims='' dog=''
cleanup() {
	for p in $sims $sub $dog; do kill "$p" 2>/dev/null; done
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	for i in $(ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: \(dbay[0-9]*\|dbx[0-9]*\)[:@].*/\1/p'); do
		ip link del "$i" 2>/dev/null
	done
	rm -rf "$work"
	[ -n "${own_prep:-}" ] && rm -rf "$prep"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cp "$B/recalls.rdb" "$work/recalls.rdb" && cp "$prep/list.rdb" "$prep/list.txt" "$work/" ||
	die "cannot copy the inputs to $work"
mkdir "$work/reports"
# Defaults everywhere but the paths: what a workshop runs.
cat >"$work/recalld.conf" <<EOF
[recalld]
database = $work/recalls.rdb
report_dir = $work/reports
user = root
[history]
database = $work/history.db
[bays]
interfaces = dbay*
[check]
request_timeout = $rto
[control]
socket = $work/control.sock
EOF

# car IFACE PROFILE: a new interface, down, with a simulated car listening on it
car() {
	ip link add "$1" type vcan || die "cannot create $1"
	rm -f "$work/$1.ready"
	"$BIN/recall-ecusim" --ready-file "$work/$1.ready" "$TOP/tests/ecusim/profiles/$2.ini" "$1" \
		>"$work/$1.sim" 2>&1 &
	sims="$sims $!"
	k=0
	while [ ! -e "$work/$1.ready" ]; do
		k=$((k + 1))
		[ $k -gt 600 ] && die "simulator on $1 did not start: $(cat "$work/$1.sim")"
		sleep 0.05
	done
}
uncar() {
	for p in $sims; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	sims=
	for i in "$@"; do ip link del "$i" 2>/dev/null; done
}

"$BIN/recalld" -c "$work/recalld.conf" >"$work/daemon.log" 2>&1 &
daemon=$!
i=0
while [ ! -S "$work/control.sock" ]; do
	kill -0 "$daemon" 2>/dev/null || die "recalld exited at start: $(cat "$work/daemon.log")"
	i=$((i + 1))
	[ $i -gt $((wait_s * 20)) ] && die "recalld's socket did not appear"
	sleep 0.05
done
# Events through a FIFO: the script blocks in read until the daemon reports, costing no CPU that
# the checks would feel (a polling loop would).
mkfifo "$work/events" || die "mkfifo"
"$BIN/recallctl" -s "$work/control.sock" -j -t 0 subscribe >"$work/events" 2>&1 &
sub=$!
exec 3<"$work/events"
# The subscription is live once an event comes through: reload (harmless, same database) until one
# does.  Stray reload events after that are skipped like every other event.
(
	k=0
	while [ ! -e "$work/live" ] && [ $k -lt $((wait_s * 10)) ]; do
		"$BIN/recallctl" -s "$work/control.sock" reload >/dev/null 2>&1
		sleep 0.1
		k=$((k + 1))
	done
) &
pinger=$!
while IFS= read -r line <&3; do
	case $line in *'"event":"reload"'*) break ;; esac
done
case $line in *'"event":"reload"'*) ;; *) die "subscribe failed: $line" ;; esac
: >"$work/live"
wait "$pinger"
# Watchdog: ending the subscriber ends the event stream, so no read waits for ever.
(trap 'kill $! 2>/dev/null; exit 0' TERM; sleep $((wait_s * 5)) & wait $!; kill "$sub") 2>/dev/null &
dog=$!

notcomplete=0 checks=0
# wait_reports N VIN: read events until N checks finished; count those not complete with VIN.
wait_reports() {
	n=0
	while [ $n -lt "$1" ]; do
		IFS= read -r line <&3 || die "event stream ended (daemon died or timeout)"
		case $line in
		*'"event":"check-finished"'*)
			n=$((n + 1))
			checks=$((checks + 1))
			case $line in
			*'"status":"complete"'*"\"vin\":\"$2\""*|*"\"vin\":\"$2\""*'"status":"complete"'*) ;;
			*) notcomplete=$((notcomplete + 1))
			   printf '%s\n' "$line" | grep -o '"iface":"[^"]*"\|"status":"[^"]*"\|"error":"[^"]*"' |
				awk '!seen[$0]++' | tr '\n' ' ' >>"$work/incomplete"
			   echo >>"$work/incomplete" ;;
			esac ;;
		esac
	done
}
# newest mtime (ns) of the JSON reports of the interfaces given
report_ns() {
	t=0
	for i in "$@"; do
		f=$(ls "$work/reports/$i"-*.json 2>/dev/null | tail -n 1)
		[ -n "$f" ] || die "no report file for $i"
		x=$(stat -c %.9Y "$f" | tr -d .)
		[ "$x" -gt "$t" ] && t=$x
	done
	echo "$t"
}
# cpu PID: utime stime cutime cstime in ms
tck=$(getconf CLK_TCK)
cpu() {
	sed 's/^.*) //' "/proc/$1/stat" |
		awk -v t="$tck" '{ printf "%d %d %d %d\n", $12 * 1000 / t, $13 * 1000 / t, $14 * 1000 / t, $15 * 1000 / t }'
}
mem() { awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status"; }

rss0=$(mem "$daemon" VmRSS)
set -- $(cpu "$daemon")
c0_self=$(($1 + $2)) c0_kids=$(($3 + $4))

# --- (a) one bay -----------------------------------------------------------------------------------
runs=
for r in $(seq "$reps"); do
	car dbay0 "$car"
	rm -f "$work/reports"/*
	s=$(now)
	ip link set dbay0 up
	wait_reports 1 WBY1Z41060V512345
	runs="$runs $(ms "$s" "$(report_ns dbay0)")"
	uncar dbay0
done
say "1 bay, interface up -> report written, $reps runs (ms):$runs"
say "1 bay: $(stats $runs)"

# --- (b) eight bays at once ------------------------------------------------------------------------
bays="dbay0 dbay1 dbay2 dbay3 dbay4 dbay5 dbay6 dbay7"
runs=
for r in $(seq "$reps"); do
	for i in $bays; do car "$i" "$car"; done
	rm -f "$work/reports"/*
	s=$(now)
	ups=
	for i in $bays; do ip link set "$i" up & ups="$ups $!"; done
	wait $ups
	wait_reports 8 WBY1Z41060V512345
	runs="$runs $(ms "$s" "$(report_ns $bays)")"
	# the last round's bays stay up (and idle) for the idle window
	[ "$r" = "$reps" ] || uncar $bays
done
say "8 bays at once, all up -> last of 8 reports written, $reps runs (ms):$runs"
say "8 bays: $(stats $runs)"
[ "$notcomplete" = 0 ] ||
	{ say "warning: $notcomplete of $checks checks not complete with the right VIN:"; head -n 3 "$work/incomplete"; }

# --- (c) CPU and memory ----------------------------------------------------------------------------
set -- $(cpu "$daemon")
c1_self=$(($1 + $2)) c1_kids=$(($3 + $4))
sleep 10	# the idle window itself, not a synchronisation
set -- $(cpu "$daemon")
c2_self=$(($1 + $2)) c2_kids=$(($3 + $4))
say "idle CPU: $((c2_self - c1_self)) ms in 10 s (8 bays up and silent, 1 subscriber;" \
	"clock tick $((1000 / tck)) ms)"
say "CPU per check ($checks checks; all the daemon did in 1 bay + 8 bays, interfaces added and removed included): daemon $(awk -v a=$((c1_self - c0_self)) -v n="$checks" \
	'BEGIN { printf "%.1f", a / n }') ms, check child $(awk -v a=$((c1_kids - c0_kids)) \
	-v n="$checks" 'BEGIN { printf "%.1f", a / n }') ms (utime+stime)"
say "memory: VmRSS $rss0 kB at start, $(mem "$daemon" VmRSS) kB after the checks," \
	"VmHWM $(mem "$daemon" VmHWM) kB (seed database, $(du -k "$work/recalls.rdb" | cut -f1) kB)"
uncar $bays

# The daemon with the list database, on the car of (d): reload, then interface up -> report.
cp "$work/list.rdb" "$work/recalls.rdb" || die "cp"
"$BIN/recallctl" -s "$work/control.sock" reload >/dev/null || die "reload of the list database refused"
while IFS= read -r line <&3; do
	case $line in *'"event":"reload","ok":true'*) break ;; esac
done
druns=
for r in $(seq "$reps"); do
	car dbay0 "$obd_car"
	rm -f "$work/reports"/*
	s=$(now)
	ip link set dbay0 up
	wait_reports 1 "$obd_vin"
	druns="$druns $(ms "$s" "$(report_ns dbay0)")"
	grep -q "\"id\":\"$list_id\"" "$work/reports"/dbay0-*.json ||
		die "recalld: the listed car's report lacks campaign $list_id"
	uncar dbay0
done
say "recalld, list database ($nvins VINs), $obd_car: interface up -> report, $reps runs (ms):$druns"
say "memory with the list database: VmRSS $(mem "$daemon" VmRSS) kB," \
	"VmHWM $(mem "$daemon" VmHWM) kB (database $(du -k "$work/list.rdb" | cut -f1) kB)"

# --- (d) what a user would script, versus recall-check / recalld --------------------------------------
if [ "$have_cu" = 0 ]; then
	say "baseline: skipped (can-utils isotpsend/isotprecv or xxd missing)"
	exit 0
fi
car dbx0 "$obd_car"
ip link set dbx0 up
# The baseline, a script as a user would write it: read the VIN with can-utils, decode, grep.
cat >"$work/baseline.sh" <<'EOF'
iface=$1 list=$2 resp=$3
isotprecv -s 7E0 -d 7E8 "$iface" >"$resp" &
rp=$!
# isotprecv must be bound before the request goes out, or the answer is lost
until grep -q "^ *$iface  *7e8 " /proc/net/can/rcvlist_sff; do :; done
echo "09 02" | isotpsend -s 7E0 -d 7E8 "$iface"
wait $rp
vin=$(cut -d' ' -f4- "$resp" | xxd -r -p)
grep -F -x -q "$vin" "$list"
EOF
rc_to=
[ "$rto" = 0 ] || rc_to="--timeout $rto"
bruns='' rruns='' gruns='' vruns=''
for r in $(seq "$reps"); do
	s=$(now)
	timeout "$wait_s" sh "$work/baseline.sh" dbx0 "$work/list.txt" "$work/resp" ||
		die "baseline: VIN not read or not found in the list ($(cat "$work/resp"))"
	e=$(now)
	bruns="$bruns $(ms "$s" "$e")"
	s=$(now)
	timeout "$wait_s" "$BIN/recall-check" dbx0 --addressing obd11 --db "$work/list.rdb" --json $rc_to \
		>"$work/rc.json"
	e=$(now)
	rruns="$rruns $(ms "$s" "$e")"
	tr -d ' \n' <"$work/rc.json" | tr '{' '\n' | grep "\"id\":\"$list_id\"" |
		grep -q '"verdict":"open"' || die "recall-check: the listed car is not open: $(cat "$work/rc.json")"
	# the parts: the list lookup alone, each way (no bus)
	s=$(now)
	grep -F -x -q "$obd_vin" "$work/list.txt" || die "grep: $obd_vin not in the list"
	e=$(now)
	gruns="$gruns $(ms "$s" "$e")"
	s=$(now)
	"$BIN/recall-check" --vin "$obd_vin" --db "$work/list.rdb" --json >/dev/null
	e=$(now)
	vruns="$vruns $(ms "$s" "$e")"
done
say "baseline (isotprecv/isotpsend VIN read + grep -F -x in $nvins VINs), $reps runs (ms):$bruns"
say "recall-check dbx0 --addressing obd11 (same car, same list in the database), $reps runs (ms):$rruns"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
say "lookup alone, no bus (medians): grep -F -x $(median $gruns) ms;" \
	"recall-check --vin (open + validate the database, decide) $(median $vruns) ms"
bm=$(median $bruns) rm_=$(median $rruns) dm=$(median $druns)
say "VIN read + list lookup (medians): baseline $bm ms, recall-check $rm_ ms," \
	"ratio $(ratio "$bm" "$rm_")x; recalld (up -> report) $dm ms, ratio $(ratio "$bm" "$dm")x"
uncar dbx0
