# Helpers of the controller-bench tests (5x-ctl-*.sh), sourced by bash scripts.
# The controller bench is `tests/vm/vm-run --bench controllers`: two Kvaser PCI cards (SJA1000) on
# one emulated CAN bus, can0 and can1, down and without bit timing at boot.  Without it (a native
# run, or the plain VM) these tests skip.
tool="$TBIN/canlink-tool"

fail() { echo "FAIL: $*"; exit 1; }

# ctl_wait SECONDS COMMAND...: run COMMAND until it succeeds, for at most SECONDS of wall-clock
# time (not a number of rounds: on a loaded machine one round takes far longer than its sleep).
# Its status is COMMAND's last one, so `ctl_wait 60 test -e F || fail ...` reads as it runs.
ctl_wait() {
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && { "$@"; return; }
		sleep 0.1
	done
}

# Is IFACE a real controller (rtnl kind "can") of the given driver?
ctl_driver() { basename "$(readlink "/sys/class/net/$1/device/driver" 2>/dev/null)" 2>/dev/null; }

need_kvaser() {
	if [ "$(ctl_driver can0)" != kvaser_pci ] || [ "$(ctl_driver can1)" != kvaser_pci ]; then
		echo "skip: no Kvaser PCI cards (run in tests/vm/vm-run --bench controllers)" >&2
		exit 77
	fi
}

# Put both cards back as they come from the driver: down, restart-ms 0, listen-only off.
# (The bit timing cannot be unset again; tests that need "no timing" run first on a card.)
kvaser_reset() {
	for c in can0 can1; do
		ip link set "$c" down 2>/dev/null
		ip link set "$c" type can restart-ms 0 listen-only off 2>/dev/null
	done
}

# key=value output of canlink-tool: val KEY <<<"$out"
val() { sed -n "s/^$1=//p" | head -n 1; }

# Unplug and plug a card again: unbind and bind its PCI driver.  The interface vanishes and comes
# back fresh from the driver — down, without bit timing — exactly as a USB adapter plugged in.
kvaser_pci_addr() { basename "$(readlink "/sys/class/net/$1/device")"; }
kvaser_unplug() { echo "$1" >/sys/bus/pci/drivers/kvaser_pci/unbind; }
kvaser_plug() { echo "$1" >/sys/bus/pci/drivers/kvaser_pci/bind; }
# kvaser_replug IFACE: back under the same name (the kernel gives the lowest free canN)
kvaser_replug() {
	local a
	a=$(kvaser_pci_addr "$1")
	[ -n "$a" ] || fail "$1: no PCI device"
	kvaser_unplug "$a"
	kvaser_plug "$a"
	ctl_wait 30 test -e "/sys/class/net/$1" || fail "$1 did not come back after replug of $a"
}

# Field of a bay in `recallctl status --json`: bay_json IFACE (prints the bay's object)
bay_json() {
	"$BIN/recallctl" -s "$work/control.sock" -j status | tr -d '\n' | sed 's#\\/#/#g' |
		sed 's/},{"iface"/}\n{"iface"/g' | grep "\"iface\": *\"$1\""
}

# A serial adapter: slcan_adapter NAME VCAN [slcan-emu options]: the emulator on a pty bridging
# to VCAN (created if missing), slcand attaching the kernel's slcan driver to the pty's other end
# under the interface name NAME.  NAME appears down with no bit rate, as a CANable plugged in.
# Sets emu_pid_NAME; everything is stopped by slcan_cleanup.
slcan_pids="" slcand_pids="" slcan_names=""
need_slcan() {
	command -v slcand >/dev/null || { echo "skip: slcand (can-utils) missing" >&2; exit 77; }
	[ -e /sys/module/slcan ] || { echo "skip: no slcan driver (vm-run --bench controllers)" >&2; exit 77; }
}
slcan_adapter() {
	local name=$1 vcan=$2 dir=${work:-/tmp}
	shift 2
	[ -e "/sys/class/net/$vcan" ] || { ip link add "$vcan" type vcan && ip link set "$vcan" up; } ||
		fail "cannot create $vcan"
	rm -f "$dir/$name.pty"
	"$TBIN/slcan-emu" --ready "$dir/$name.pty" --log "$dir/$name.emu" "$@" "$vcan" &
	slcan_pids="$slcan_pids $!"
	eval "emu_pid_$name=$!"
	ctl_wait 30 test -s "$dir/$name.pty" || fail "slcan-emu for $name did not start"
	slcand -F "$(cat "$dir/$name.pty")" "$name" &
	slcand_pids="$slcand_pids $!"
	eval "slcand_pid_$name=$!"
	slcan_names="$slcan_names $name"
	ctl_wait 30 test -e "/sys/class/net/$name" || fail "slcand did not make $name"
}
# In the order a person unplugs: slcand first (it detaches the line discipline, and the
# interface goes), then the adapters.  The other way round slcand finds its tty gone (EIO).
slcan_cleanup() {
	local p n

	for p in $slcand_pids; do kill "$p" 2>/dev/null; done
	for p in $slcand_pids; do wait "$p" 2>/dev/null; done
	for n in $slcan_names; do ctl_wait 10 test ! -e "/sys/class/net/$n"; done
	for p in $slcan_pids; do kill "$p" 2>/dev/null; done
	for p in $slcan_pids; do wait "$p" 2>/dev/null; done
	slcan_pids="" slcand_pids="" slcan_names=""
}
# slcan_pull NAME: the adapter pulled out — its emulator killed outright (the pty's master end
# closes, the kernel hangs the tty up, slcan unregisters NAME), and its slcand, left without a
# tty, stopped.  Returns once NAME is gone, so it can be plugged in again under the same name.
slcan_pull() {
	local emu slc

	eval "emu=\${emu_pid_$1:-} slc=\${slcand_pid_$1:-}"
	[ -n "$emu" ] || fail "slcan_pull: no adapter $1"
	kill -KILL "$emu" 2>/dev/null
	ctl_wait 30 test ! -e "/sys/class/net/$1" || fail "$1 still there after its adapter was pulled"
	kill "$slc" 2>/dev/null
	wait "$emu" "$slc" 2>/dev/null
	return 0
}
