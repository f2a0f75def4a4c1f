#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) the lab's debug kernel and print two lines:
# the path of its bzImage and the path of its build tree (what
# "make -C TREE M=..." builds nft_xlat.ko against).
#
# The kernel is Debian's linux-source-7.2 configured from allnoconfig with
# tests/rig/x86_64.config (the machine and what the tests need, all built in)
# and tests/rig/debug.config (KASAN, kmemleak, lockdep, ...) merged on top.
# It is built inside the sid root, so with the gcc Debian builds 7.2 with,
# and cached with its build tree in
#   ${NFT_XLAT_CACHE:-~/.cache/nft-xlat}/debug-kernel/<version>-<hash>/
# where <hash> covers the fragments and the root's toolchain: editing a
# fragment or a new gcc in the root means a new build, the old one stays
# until removed.  A cold build takes about half an hour on 2 cores (log:
# <dir>.log); an interrupted one resumes where it stopped.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/rig/common.sh
source "$top/tests/rig/common.sh"
cache=$(nft_xlat_cache)
base=$cache/debug-kernel
frags=("$top/tests/rig/x86_64.config" "$top/tests/rig/debug.config")
pkg=linux-source-7.2
# What building a kernel needs beyond the root's compiler and make.
build_deps="bc bison flex libelf-dev xz-utils cpio"
# Mount point of $base in the root: the tree keeps one path for the kernel
# build and for the module builds against it (tests/rig/kbuild.sh debug).
inroot=/mnt/nft-xlat-kernel

root=$("$top/tests/rig/mkroot.sh" sid)
mkdir -p "$base/src"

# in_root CMD: CMD in the root as a shell script, with /proc and $base
# mounted in a private mount namespace (nothing leaks into the host's, and
# kbuild.sh unmounting the root's /proc does not hit a running build).
# shellcheck disable=SC2016 # expanded by the inner shell
in_root() {
	mkdir -p "$root$inroot"
	unshare --mount --propagation private /bin/sh -ec '
		mount --bind "$1" "$2$3"
		mount -t proc proc "$2/proc"
		exec chroot "$2" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 /bin/sh -ec "$4"
	' in_root "$base" "$root" "$inroot" "$1"
}

exec 8>"$base/.lock"
flock 8

# The root's build dependencies, installed once (under mkroot's lock).
missing=
for p in $build_deps; do
	# shellcheck disable=SC2016 # a dpkg-query format
	chroot "$root" dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
		grep -qx installed || missing+=" $p"
done
if [ -n "$missing" ]; then
	echo "debug-kernel: installing in the sid root:$missing" >&2
	(
		flock 9
		in_root "apt-get update -qq >/dev/null
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
			apt-get clean"
	) 9>"$cache/roots/.sid.lock"
fi

# The source: the archive's current linux-source-7.2, fetched once.
version=$(chroot "$root" apt-cache show --no-all-versions "$pkg" |
	sed -n 's/^Version: //p')
[ -n "$version" ] || { echo "debug-kernel: no $pkg in the sid root's archive" >&2; exit 1; }
deb=$base/src/${pkg}_${version}_all.deb
if [ ! -s "$deb" ]; then
	echo "debug-kernel: fetching $pkg $version" >&2
	in_root "cd $inroot/src && apt-get download -q $pkg=$version 2>&1 |
		grep -v 'unsandboxed as root' >&2 || true"
	[ -s "$deb" ] || { echo "debug-kernel: download of $pkg failed" >&2; exit 1; }
fi

toolchain=$(chroot "$root" sh -c 'gcc --version | head -n 1; ld --version | head -n 1')
hash=$( { echo v1; printf '%s\n' "$toolchain"; cat "${frags[@]}"; } |
	sha256sum | cut -c1-12)
key=$version-$hash
dir=$base/$key
if [ -f "$dir/.done" ]; then
	echo "$dir/linux/arch/x86/boot/bzImage"
	echo "$dir/linux"
	exit 0
fi

# The tree is built where it stays, at $inroot/$key/linux in the root: an
# interrupted build resumes there, .done marks a finished one.
log=$dir.log
tree=$inroot/$key/linux
mkdir -p "$dir"
if [ ! -f "$dir/.extracted" ]; then
	echo "debug-kernel: unpacking $pkg $version" >&2
	rm -rf "${dir:?}/linux" "${dir:?}/$pkg"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$dir"
	mv "$dir/$pkg" "$dir/linux"
	touch "$dir/.extracted"
fi
cp "${frags[@]}" "$dir/"

echo "debug-kernel: configuring (log: $log)" >&2
: >"$log"
in_root "cd $tree
	ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O . \
		../x86_64.config ../debug.config
	make ARCH=x86_64 olddefconfig" >>"$log" 2>&1 || {
	tail -n 30 "$log" >&2; exit 1; }
# Every value the fragments ask for must have survived the dependencies.
bad=0
while read -r line; do
	sym=${line%%=*}
	case $line in
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		grep -q "^$sym=" "$dir/linux/.config" || continue ;;
	CONFIG_*) grep -qxF "$line" "$dir/linux/.config" && continue ;;
	*) continue ;;
	esac
	have=$(grep -E "^(# )?${sym}[= ]" "$dir/linux/.config" || echo nothing)
	echo "debug-kernel: $line requested, .config has: $have" >&2
	bad=1
done < <(cat "${frags[@]}")
[ "$bad" = 0 ] || exit 1

jobs=$(nproc)
echo "debug-kernel: building $pkg $version ($key) with $jobs jobs" >&2
start=$(date +%s)
in_root "cd $tree && make ARCH=x86_64 -j$jobs all" >>"$log" 2>&1 || {
	tail -n 40 "$log" >&2
	echo "debug-kernel: build failed (log: $log)" >&2
	exit 1
}
secs=$(( $(date +%s) - start ))
echo "$secs" >"$dir/build-seconds"
cat "$dir/linux/include/config/kernel.release" >"$dir/kernel-release"
touch "$dir/.done"
echo "debug-kernel: $(cat "$dir/kernel-release") built in ${secs}s in $dir" >&2
echo "$dir/linux/arch/x86/boot/bzImage"
echo "$dir/linux"
