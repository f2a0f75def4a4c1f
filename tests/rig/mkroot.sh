#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkroot.sh RELEASE - create (once) and print the path of a Debian root for
# RELEASE (sid, trixie or bookworm).  The root serves twice: the module is
# built inside it, so the compiler is the one Debian built that kernel with,
# and the lab VM boots that release's kernel with the root as its filesystem.
# Roots live in the cache, outside the clone, and are reused; a root made
# for an older package list gets the missing packages installed.
set -euo pipefail

release=${1:?usage: mkroot.sh sid|trixie|bookworm}
case $release in
sid|trixie|bookworm) ;;
*) echo "mkroot: unknown release '$release'" >&2; exit 2 ;;
esac

# shellcheck source=tests/rig/common.sh
source "$(dirname "$0")/common.sh"
cache=$(nft_xlat_cache)
root=$cache/roots/$release
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Kernel and headers of the release, its compiler (pulled in by the headers;
# perl for the kernel-doc run of W=1 builds, sparse for C=2),
# and what the tests and the lab run inside the guest.
packages="linux-image-cloud-amd64 linux-headers-cloud-amd64 make gcc libc6-dev
	kmod procps iproute2 iputils-ping ethtool nftables conntrack socat
	tcpdump python3-scapy libmnl-dev pkg-config psmisc iperf3 netcat-openbsd
	curl perl sparse conntrackd bind9 bind9-dnsutils"
stamp_want=$(echo "v2 $packages" | sha256sum | cut -c1-16)

mkdir -p "$cache/roots"
exec 9>"$cache/roots/.$release.lock"
flock 9

if [ -f "$root/.nft-xlat-root" ] && [ "$(cat "$root/.nft-xlat-root")" = "$stamp_want" ]; then
	echo "$root"
	exit 0
fi
# A root stamped by another package list (another branch's mkroot.sh) that
# has every package of this list is used as it is: no apt run, and the
# stamp is left alone so that branches do not take turns updating it.
# shellcheck disable=SC2086
if [ -f "$root/.nft-xlat-root" ] &&
   [ "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}\n' $packages 2>/dev/null |
	grep -c "^install ok installed$")" = "$(echo $packages | wc -w)" ]; then
	echo "$root"
	exit 0
fi

log=$cache/roots/$release.log
host_setup

# apt_in DIR [APT-OPTIONS]: install the package list inside the root DIR.
apt_in() {
	mount -t proc proc "$1/proc"
	mount --bind /dev "$1/dev"
	local rc=0
	chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive sh -c "
		apt-get update && apt-get install -y ${2:-} $(echo $packages) && apt-get clean
	" >>"$log" 2>&1 || rc=$?
	# A VM started meanwhile (its virtiofsd) can keep these busy.
	umount "$1/dev" 2>/dev/null || umount -l "$1/dev"
	umount "$1/proc" 2>/dev/null || umount -l "$1/proc"
	[ $rc = 0 ] || tail -30 "$log" >&2
	return $rc
}

# sources DIR: the release and, for stable releases, its security and
# point-release updates, which carry the kernel operators actually run.
sources() {
	echo "deb $mirror $release main" >"$1/etc/apt/sources.list"
	[ "$release" = sid ] && return
	echo "deb $mirror $release-updates main" >>"$1/etc/apt/sources.list"
	echo "deb ${DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security} $release-security main" \
		>>"$1/etc/apt/sources.list"
}

# A root made for an older package list is completed in place: only the
# missing packages are installed (--no-upgrade), so that a new test tool
# does not move the kernel that modules were built for under running work.
if [ -f "$root/.nft-xlat-root" ]; then
	echo "mkroot: updating the $release root's packages (log: $log)" >&2
	sources "$root"
	apt_in "$root" --no-upgrade
	echo "$stamp_want" >"$root/.nft-xlat-root"
	echo "$root"
	exit 0
fi

echo "mkroot: creating the $release root in $root (log: $log)" >&2
rm -rf "$root.tmp"
mkdir -p "$root.tmp"
debootstrap --variant=minbase --components=main "$release" "$root.tmp" \
	"$mirror" >"$log" 2>&1 || {
	tail -20 "$log" >&2; exit 1; }

# Release files of a snapshot or a slow mirror may be past Valid-Until.
cat >"$root.tmp/etc/apt/apt.conf.d/99nft-xlat" <<EOT
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOT
sources "$root.tmp"
# No daemons are started while packages install.
printf '#!/bin/sh\nexit 101\n' >"$root.tmp/usr/sbin/policy-rc.d"
chmod +x "$root.tmp/usr/sbin/policy-rc.d"
apt_in "$root.tmp" || exit 1

# Guest basics: a hostname and an empty root password for the debug shell.
echo "nft-xlat-$release" >"$root.tmp/etc/hostname"
chroot "$root.tmp" passwd -d root >/dev/null
echo "$stamp_want" >"$root.tmp/.nft-xlat-root"
mv "$root.tmp" "$root"
echo "mkroot: $release root ready" >&2
echo "$root"
