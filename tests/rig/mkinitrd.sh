#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitrd.sh ROOT KVER OUT - a minimal initramfs for kernels that build the
# virtiofs root's drivers as modules (bookworm's 6.1 cloud kernel): busybox,
# the modules virtiofs needs and an init that mounts the root and hands over
# to /sbin/nft-xlat-init.  Kernels with the drivers built in need none.
set -euo pipefail

root=${1:?usage: mkinitrd.sh ROOT KVER OUT}
kver=${2:?}
out=${3:?}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"

# The modules and their dependencies, in load order.
: >"$tmp/modules"
for m in virtio_pci virtiofs; do
	modprobe -d "$root" -S "$kver" --show-depends "$m"
done |
	awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	name=$(basename "$ko")
	case $name in
	*.xz) xz -dc "$ko" >"$tmp/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.zst) zstd -qdc "$ko" >"$tmp/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*) cp "$ko" "$tmp/lib/modules/$name" ;;
	esac
	grep -qx "$name" "$tmp/modules" || echo "$name" >>"$tmp/modules"
done

cat >"$tmp/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
for m in $(/bin/busybox cat /modules); do
	/bin/busybox insmod "/lib/modules/$m"
done
/bin/busybox mount -t virtiofs root /newroot || {
	echo "initrd: cannot mount the virtiofs root" >&2
	/bin/busybox poweroff -f
}
/bin/busybox umount /proc
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/nft-xlat-init
EOF
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
