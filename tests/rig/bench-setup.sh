#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-setup.sh [RELEASE] - install what the benchmark (make bench) needs
# into a Debian root (default trixie, the kernel Jool builds on): the peers
# Jool (jool-dkms, jool-tools) and Tayga, gnuplot for the plots and perf
# for the profiles.  Idempotent: a second run only checks.  jool-dkms builds
# its modules with DKMS at install time; this makes sure they exist for the
# kernel the VM boots (the root's newest kernel with headers), and rebuilds
# them after a kernel update.  tests/rig/mkroot.sh's package list is not
# touched: these packages are the benchmark's alone.
set -euo pipefail

release=${1:-trixie}
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/rig/common.sh
source "$top/tests/rig/common.sh"
root=$("$top/tests/rig/mkroot.sh" "$release")
kver=$(kernel_release "$root")
cache=$(nft_xlat_cache)
log=$cache/roots/$release-bench.log
packages="jool-dkms jool-tools tayga gnuplot-nox linux-perf"

have_all() {
	local p
	for p in $packages; do
		chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || return 1
	done
	ls "$root/lib/modules/$kver/updates/dkms/"jool_siit.ko* >/dev/null 2>&1 &&
		ls "$root/lib/modules/$kver/updates/dkms/"jool.ko* >/dev/null 2>&1
}

if have_all; then
	echo "bench-setup: $release root ready (jool for $kver, tayga, gnuplot, perf)" >&2
	exit 0
fi

# Same locks as mkroot.sh (the root's package set) and kbuild.sh (its /proc).
exec 8>"$cache/roots/.$release.lock"
flock 8
exec 9>"$root/mnt/.nft-xlat.lock"
flock 9

mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
for m in proc dev sys; do
	mountpoint -q "$root/$m" && continue
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	dev) mount --bind /dev "$root/dev" ;;
	sys) mount -t sysfs sys "$root/sys" ;;
	esac
	mounted=("$root/$m" "${mounted[@]}")
done

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
}

echo "bench-setup: installing $packages into the $release root (log: $log)" >&2
{
	echo "=== $(date -u +%FT%TZ) bench-setup $release ($kver)"
	in_root apt-get update
	in_root apt-get install -y $packages
	in_root apt-get clean
} >>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }

# The package's postinst builds for the kernels DKMS guesses (in a chroot,
# uname -r is the host's); build for the kernel the VM boots.
ver=$(in_root dpkg-query -W -f='${Version}' jool-dkms | sed 's/-[^-]*$//')
if ! ls "$root/lib/modules/$kver/updates/dkms/"jool_siit.ko* >/dev/null 2>&1; then
	echo "bench-setup: building jool $ver for $kver with DKMS" >&2
	in_root dkms install "jool/$ver" -k "$kver" >>"$log" 2>&1 || {
		tail -40 "$log" >&2
		echo "bench-setup: jool $ver does not build for $kver" >&2
		exit 1
	}
fi
have_all || { echo "bench-setup: incomplete, see $log" >&2; exit 1; }
echo "bench-setup: $release root ready: $(ls "$root/lib/modules/$kver/updates/dkms/" | tr '\n' ' ')" >&2
