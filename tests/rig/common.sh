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
