# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by the host-side scripts.

# release_of 7.2|6.12|6.1|sid|trixie|bookworm|debug: the Debian release
# whose kernel it is, or "debug" for the debug kernel built from sid's
# linux-source-7.2 (tests/rig/debug-kernel.sh).
release_of() {
	case $1 in
	7.2 | sid | unstable) echo sid ;;
	6.12 | trixie) echo trixie ;;
	6.1 | bookworm) echo bookworm ;;
	debug) echo debug ;;
	*) echo "unknown kernel '$1' (use 7.2, 6.12, 6.1 or debug)" >&2; return 1 ;;
	esac
}

# root_of RELEASE: the Debian root a release's builds and VMs use; the debug
# kernel boots with the sid root, whose gcc built it.
root_of() {
	case $1 in
	debug) echo sid ;;
	*) echo "$1" ;;
	esac
}

# host_setup [PACKAGE...]: the packages this machine needs to build roots
# and run VMs, and those named.  Its callers' standard output is often
# captured (root=$(mkroot.sh ...)), so everything it says goes to standard
# error.
host_setup() {
	local need=() p log
	for p in qemu-system-x86 debootstrap ca-certificates xz-utils zstd \
		 busybox-static cpio kmod "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	log=$(nft_xlat_cache)/host-setup.log
	mkdir -p "${log%/*}"
	echo "# installing host packages: ${need[*]} (log: $log)" >&2
	# Several roots are made side by side: one apt at a time.
	(
		flock 9
		{ apt-get -o Acquire::Check-Valid-Until=false update &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends "${need[@]}"; } >"$log" 2>&1
	) 9>"${log%/*}/.host-setup.lock" || {
		tail -n 20 "$log" >&2
		return 1
	}
}

nft_xlat_cache() {
	echo "${NFT_XLAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nft-xlat}"
}

# kernel_release ROOT: the newest kernel of a root that has its headers.
kernel_release() {
	local k found=
	while read -r k; do
		[ -d "$1/usr/src/linux-headers-$k" ] && found=$k
	done < <(find "$1/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V)
	[ -n "$found" ] || { echo "no kernel with headers in $1" >&2; return 1; }
	echo "$found"
}

# private_mounts "$0" "$@": re-run the calling script in a mount namespace
# of its own, so that whatever it mounts (overlays, bind mounts, /proc in
# a root) vanishes with it, on every exit path.  Call it first thing.
private_mounts() {
	[ -n "${NFT_XLAT_PRIVATE_MOUNTS:-}" ] && return 0
	NFT_XLAT_PRIVATE_MOUNTS=1 exec unshare --mount --propagation private \
		/bin/bash "$@"
}

# overlay_up LOWER SCRATCH: a throwaway copy of the root LOWER, as an
# overlay whose writable layer is in SCRATCH (removed by the caller); prints
# the directory it is mounted on.  Only inside private_mounts.
overlay_up() {
	mkdir -p "$2/upper" "$2/work" "$2/machine"
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/machine" ||
		return 1
	echo "$2/machine"
}

# overlay_down SCRATCH: unmount what overlay_up and machine_run mounted and
# remove SCRATCH.  Never rm before the unmount: the machine may hold bind
# mounts of the cache, which rm would empty.
overlay_down() {
	[ -d "$1" ] || return 0
	if mountpoint -q "$1/machine"; then
		umount -R "$1/machine" 2>/dev/null || umount -lR "$1/machine"
	fi
	mountpoint -q "$1/machine" && return 1
	rm -rf --one-file-system "$1"
}

# machine_run DIR SCRIPT [ARGS...]: SCRIPT by bash as root in the root DIR,
# with /proc, /sys and /dev, and a clean environment (only inside
# private_mounts: the mounts stay until the namespace ends).
machine_run() {
	local m=$1 script=$2
	shift 2
	mountpoint -q "$m/proc" || mount -t proc proc "$m/proc"
	mountpoint -q "$m/sys" || mount -t sysfs sys "$m/sys"
	mountpoint -q "$m/dev" || mount --rbind /dev "$m/dev"
	chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		/bin/bash -c "$script" machine "$@"
}
