#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh RELEASE [KBUILD ARGS...] - build nft_xlat.ko for RELEASE's kernel
# inside RELEASE's Debian root, so gcc is the one Debian built the kernel
# with, and with W=1.  Sources are copied to build/RELEASE/ (one tree per
# kernel: Kbuild writes its objects next to the sources) and the module and
# the nft-xlat-rule tool end up there.  "debug" builds against the debug
# kernel's build tree (tests/rig/debug-kernel.sh, built on first use) in the
# sid root.
set -euo pipefail

release=${1:?usage: kbuild.sh sid|trixie|bookworm|debug [ARGS]}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/rig/common.sh
source "$top/tests/rig/common.sh"
root=$("$top/tests/rig/mkroot.sh" "$(root_of "$release")")
out=$top/build/$release
mnt=$root/mnt/nft-xlat
kmnt=
if [ "$release" = debug ]; then
	# The debug tree is used at the path it was built at in the root.
	tree=$("$top/tests/rig/debug-kernel.sh" | sed -n 2p)
	kver=$(cat "$tree/include/config/kernel.release")
	kbase=$(nft_xlat_cache)/debug-kernel
	kmnt=$root/mnt/nft-xlat-kernel
	kdir=/mnt/nft-xlat-kernel/${tree#"$kbase"/}
	kargs=(ARCH=x86_64)
else
	kver=$(kernel_release "$root")
	kdir=/usr/src/linux-headers-$kver
	kargs=()
fi

mkdir -p "$out" "$mnt"
# Copy what Kbuild needs; keep timestamps so rebuilds stay incremental.
for d in Kbuild net include compat tools; do
	[ -e "$top/$d" ] && cp -a --update "$top/$d" "$out/"
done
# Files deleted in the clone must not linger in the copy.
(cd "$out" && find net include compat tools -type f 2>/dev/null) | while read -r f; do
	case $f in *.o|*.ko|*.mod*|*.cmd|.*) continue ;; esac
	[ -e "$top/$f" ] || rm -f "$out/$f"
done

exec 9>"$root/mnt/.nft-xlat.lock"
flock 9
umount_all() {
	umount "$mnt" 2>/dev/null || true
	[ -z "$kmnt" ] || umount "$kmnt" 2>/dev/null || true
	umount "$root/proc" 2>/dev/null || true
}
trap umount_all EXIT
mount --bind "$out" "$mnt"
if [ -n "$kmnt" ]; then
	mkdir -p "$kmnt"
	mount --bind "$kbase" "$kmnt"
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"  # objtool
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	make -C "$kdir" "${kargs[@]}" M=/mnt/nft-xlat W=1 "$@"
# The rule tool runs in the guest: build it against the root's libmnl.
chroot "$root" gcc -O2 -Wall -Wextra -I/mnt/nft-xlat/include \
	-o /mnt/nft-xlat/nft-xlat-rule \
	/mnt/nft-xlat/tools/nft-xlat-rule/nft-xlat-rule.c -lmnl
# The hostile packet generator and checker (tests/selftests/nft_xlat_hostile.sh).
chroot "$root" gcc -O2 -Wall -Wextra -o /mnt/nft-xlat/xlat-fuzz \
	/mnt/nft-xlat/tools/xlat-fuzz/xlat-fuzz.c
echo "$kver" >"$out/kernel-release"
