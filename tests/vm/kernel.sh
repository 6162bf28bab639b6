#!/bin/sh
# Fetch Debian's amd64 kernel package and unpack it into the cache; print the unpacked directory.
#
#   tests/vm/kernel.sh [CACHE_DIR]        (default: $RECALLD_CACHE or <repo>/.cache)
#
# The package is whatever linux-image-amd64 depends on today (override: RECALLD_VM_KERNEL_PKG).
# Nothing binary is committed: the cache is git-ignored and rebuilt on a fresh clone.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${1:-${RECALLD_CACHE:-$top/.cache}}/vm
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

pkg=${RECALLD_VM_KERNEL_PKG:-}
if [ -z "$pkg" ] && [ -f "$cache/kernel-pkg" ] && [ -d "$cache/kernel/$(cat "$cache/kernel-pkg")" ]; then
	# Reuse what we have: a new point release is no reason to download 70 MB again.
	pkg=$(cat "$cache/kernel-pkg")
fi
resolve() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
if [ -z "$pkg" ]; then
	pkg=$(resolve)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >&2
		pkg=$(resolve)
	fi
	[ -n "$pkg" ] || {
		echo "kernel.sh: cannot resolve Debian's kernel package (apt-cache depends" \
			"linux-image-amd64 says nothing; run 'apt-get update' as root)" >&2
		exit 1
	}
fi

dir="$cache/kernel/$pkg"
if [ ! -f "$dir/.ok" ]; then
	echo "kernel.sh: fetching $pkg (Debian's kernel, for the CAN test VM)" >&2
	tmp="$cache/dl.$$"
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp"
	# apt-get download writes into the current directory; run it there.
	(cd "$tmp" && apt-get download -q "$pkg" >&2) || {
		rm -rf "$tmp"
		echo "kernel.sh: apt-get download $pkg failed" >&2
		exit 1
	}
	mkdir -p "$dir"
	dpkg -x "$tmp"/*.deb "$dir"
	rm -rf "$tmp"
	kver=$(ls "$dir/lib/modules")
	# The package ships no modules.dep (postinst makes it); the VM's init needs the load order.
	/sbin/depmod -b "$dir" "$kver"
	touch "$dir/.ok"
	echo "$pkg" >"$cache/kernel-pkg"
fi
echo "$dir"
