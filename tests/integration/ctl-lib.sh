# Helpers of the controller-bench tests (5x-ctl-*.sh), sourced by bash scripts.
# The controller bench is `tests/vm/vm-run --bench controllers`: two Kvaser PCI cards (SJA1000) on
# one emulated CAN bus, can0 and can1, down and without bit timing at boot.  Without it (a native
# run, or the plain VM) these tests skip.
tool="$TBIN/canlink-tool"

fail() { echo "FAIL: $*"; exit 1; }

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
