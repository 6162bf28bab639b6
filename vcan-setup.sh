#!/bin/sh
# vcan-setup.sh — create (or remove) virtual CAN interfaces for recalld's tests, demo and bays.
#
# Runs on a real Linux host with CAN support, and unchanged inside recalld's test VM.
set -u

usage() {
	cat <<'EOF'
usage: vcan-setup.sh [options] [NAME...]

Create virtual CAN (vcan) interfaces and bring them up.  With no NAME and no -n, creates vcan0.
Loads the kernel modules vcan and can-isotp first (modprobe) unless they are loaded already.
Idempotent: an interface that exists as vcan is only brought up; one that exists with another
type is an error and is left alone.

options:
  -n N          create N interfaces named PREFIX0 .. PREFIX(N-1)
  -p PREFIX     name prefix for -n (default: vcan)
  --fd          set MTU 72 (CAN FD frames); default MTU 16 (classic CAN)
  --down        remove the named interfaces instead (only ones of type vcan)
  --probe       exit 0 if vcan interfaces can be used here (kernel support and permission), else 1;
                creates nothing that outlives the probe
  -q            quiet: print errors only
  -h, --help    this text
  -V, --version print the version

exit status: 0 done; 1 (--probe only) vcan cannot be used here; 2 usage; 3 failed (no vcan in
this kernel, not permitted, an interface of another type).

Without vcan in the kernel (CONFIG_CAN_VCAN unset, e.g. some cloud kernels), run recalld's bus
tests in its VM instead, which boots Debian's kernel with the CAN modules:
  make check VM=1             or   tests/vm/vm-run -- COMMAND...
Needs root (CAP_NET_ADMIN) to create or remove interfaces.
EOF
}

# the project's version (plugin/daemon.mk RECALL_VERSION), kept equal by the deploy tests
version=0.1.0
# one line saying what is wrong and the hint, exit 2: as every recalld tool
usage_error() {
	echo "vcan-setup.sh: $1" >&2
	echo "Try 'vcan-setup.sh --help' for more information." >&2
	exit 2
}

n=""
prefix=vcan
mtu=16
down=0
probe=0
quiet=0
names=""

while [ $# -gt 0 ]; do
	case "$1" in
	-n) [ $# -ge 2 ] || usage_error "-n needs a number"; n=$2; shift ;;
	-p) [ $# -ge 2 ] || usage_error "-p needs a prefix"; prefix=$2; shift ;;
	--fd) mtu=72 ;;
	--down) down=1 ;;
	--probe) probe=1 ;;
	-q) quiet=1 ;;
	-h|--help) usage; exit 0 ;;
	-V|--version) echo "vcan-setup.sh $version"; exit 0 ;;
	--) shift; names="$names $*"; break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) names="$names $1" ;;
	esac
	shift
done

say() { [ "$quiet" = 1 ] || echo "vcan-setup.sh: $*"; }
die() { echo "vcan-setup.sh: $*" >&2; exit 3; }

case "$n" in
'') ;;
*[!0-9]*) usage_error "-n wants a number, got '$n'" ;;
*) i=0; while [ "$i" -lt "$n" ]; do names="$names $prefix$i"; i=$((i + 1)); done ;;
esac
[ -n "$(echo $names)" ] || names=vcan0

for name in $names; do
	# IFNAMSIZ is 16 with the NUL; ip would say something less clear.
	[ ${#name} -le 15 ] || usage_error "interface name '$name' longer than 15"
done

command -v ip >/dev/null 2>&1 || die "'ip' (iproute2) not found"

no_vcan() {
	die "this kernel has no vcan support ($1).
  Check: modprobe vcan, or CONFIG_CAN_VCAN in the kernel config.
  On a host without CAN, run the bus tests in recalld's VM (Debian's kernel, CAN modules loaded):
    make check VM=1      or      tests/vm/vm-run -- COMMAND..."
}

# A module that is already loaded (or built in) needs no modprobe: inside the test VM the modules
# are loaded by the VM's init and there is no module tree to probe from.
load_module() {
	m=$1
	sysname=$(echo "$m" | tr - _)
	[ -d "/sys/module/$sysname" ] && return 0
	if command -v modprobe >/dev/null 2>&1 && modprobe "$m" 2>/dev/null; then
		say "loaded module $m"
		return 0
	fi
	return 1
}

is_vcan() {
	ip -d link show dev "$1" 2>/dev/null | grep -q ' vcan '
}

if [ "$down" = 1 ]; then
	rc=0
	for name in $names; do
		if ! ip link show dev "$name" >/dev/null 2>&1; then
			say "$name: not present"
		elif is_vcan "$name"; then
			ip link del dev "$name" || rc=3
			say "$name: removed"
		else
			echo "vcan-setup.sh: $name is not a vcan interface; left alone" >&2
			rc=3
		fi
	done
	exit $rc
fi

vcan_loaded=1
load_module vcan || vcan_loaded=0
if ! load_module can-isotp; then
	# Not fatal here: vcan works without it, and the ISO-TP tests say clearly when it is missing.
	[ "$probe" = 1 ] || echo "vcan-setup.sh: warning: could not load can-isotp (ISO-TP sockets" \
		"will fail with EPROTONOSUPPORT)" >&2
fi

if [ "$probe" = 1 ]; then
	# Probe with a real create/delete: module presence alone says nothing about permission.
	p="vcanprobe$$"
	p=$(echo "$p" | cut -c1-15)
	if ip link add dev "$p" type vcan 2>/dev/null; then
		ip link del dev "$p" 2>/dev/null
		exit 0
	fi
	exit 1
fi

rc=0
for name in $names; do
	if ip link show dev "$name" >/dev/null 2>&1; then
		if ! is_vcan "$name"; then
			echo "vcan-setup.sh: $name exists and is not a vcan interface; left alone" >&2
			rc=3
			continue
		fi
	else
		if ! err=$(ip link add dev "$name" type vcan 2>&1); then
			case "$err" in
			*"Operation not permitted"*) die "$name: not permitted (need root / CAP_NET_ADMIN)" ;;
			*"Unknown device type"*|*"not supported"*|*"Not supported"*)
				[ "$vcan_loaded" = 1 ] || no_vcan "ip: $err" ;;
			esac
			[ "$vcan_loaded" = 1 ] || no_vcan "module vcan not loadable"
			die "$name: ip link add failed: $err"
		fi
		say "$name: created"
	fi
	ip link set dev "$name" mtu "$mtu" 2>/dev/null ||
		{ echo "vcan-setup.sh: $name: cannot set MTU $mtu" >&2; rc=3; continue; }
	ip link set dev "$name" up || { rc=3; continue; }
	say "$name: up (mtu $mtu)"
done
exit $rc
