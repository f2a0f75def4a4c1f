#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh - boot a Debian kernel in QEMU with its Debian root as the guest
# filesystem, load the freshly built nft_xlat.ko and run a command inside.
# Nothing is ever loaded into the kernel of the machine running this.
#
#   vm.sh [-k RELEASE] [-t SECONDS] [-n] -- COMMAND [ARGS...]
#   vm.sh [-k RELEASE] -s
#
#   -k RELEASE  sid (7.2, default), trixie (6.12) or bookworm (6.1); or
#               debug: the debug kernel (tests/rig/debug-kernel.sh: KASAN,
#               kmemleak, lockdep) on the sid root, with panic_on_warn=1
#   -t SECONDS  wall-clock limit of the whole run (default 1200)
#   -n          do not load nft_xlat.ko
#   -r DIR      boot the root in DIR (a throwaway copy of RELEASE's root,
#               tests/rig/package-check.sh) instead of RELEASE's own
#   -S          boot the root's systemd; COMMAND then runs as a unit once
#               multi-user.target is reached (only with -r)
#   -s          interactive shell on the VM console (leave with 'exit'
#               or Ctrl-a x)
#   -c CPUS     virtual CPUs (default 2)  -m MB  guest memory (default 2048)
#
# COMMAND runs as root in the guest with the clone mounted at /mnt/src as its
# working directory.  The exit status is COMMAND's, or 1 when the kernel
# logged a WARN/BUG/Oops or the module could not be unloaded afterwards; 124
# when the time ran out; 125 when the VM died before reporting.  Console log,
# output and kernel log are kept in build/vm-runs/<id>/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
release=sid limit=1200 module=1 mode=run cpus=2 mem=2048 rootdir='' systemd=0
usage() { sed -n '4,30p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while getopts "k:t:c:m:r:nsSh" opt; do
	case $opt in
	k) release=$OPTARG ;;
	t) limit=$OPTARG ;;
	c) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	n) module=0 ;;
	r) rootdir=$OPTARG ;;
	S) systemd=1 ;;
	s) mode=shell ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "$mode" = shell ] || [ $# -gt 0 ] || usage

# shellcheck source=tests/rig/common.sh
source "$top/tests/rig/common.sh"
host_setup
root=$("$top/tests/rig/mkroot.sh" "$(root_of "$release")")
if [ -n "$rootdir" ]; then
	root=$rootdir
elif [ "$systemd" = 1 ]; then
	echo "vm: -S boots a root's systemd, only in a copy of it (-r DIR)" >&2
	exit 2
fi
initrd=()
if [ "$release" = debug ]; then
	# Everything built in: no initramfs, no /lib/modules for it in the root.
	dk=$("$top/tests/rig/debug-kernel.sh")
	kernel=${dk%%$'\n'*}
	kver=$(cat "${dk#*$'\n'}/include/config/kernel.release")
else
	kver=$(kernel_release "$root")
	kernel=$root/boot/vmlinuz-$kver
fi
# Kernels that build virtiofs or virtio-pci as modules boot through a small
# initramfs; the others mount the root directly.
if [ "$release" != debug ] &&
   { ! grep -q '^CONFIG_VIRTIO_FS=y' "$root/boot/config-$kver" ||
     ! grep -q '^CONFIG_VIRTIO_PCI=y' "$root/boot/config-$kver"; }; then
	img=$(nft_xlat_cache)/initrd/$kver.img
	if [ ! -s "$img" ] || [ "$img" -ot "$root/.nft-xlat-root" ]; then
		mkdir -p "$(dirname "$img")"
		"$top/tests/rig/mkinitrd.sh" "$root" "$kver" "$img"
	fi
	initrd=(-initrd "$img")
fi
if [ "$module" = 1 ] && [ ! -f "$top/build/$release/nft_xlat.ko" ]; then
	echo "vm: build/$release/nft_xlat.ko missing: run 'make KERNEL=$release' first" >&2
	exit 2
fi

id=$release-$(date +%Y%m%d-%H%M%S)-$$
run=$top/build/vm-runs/$id
mkdir -p "$run" "$root/mnt/src"
printf '%s\n' "$@" >"$run/argv"
ln -sfn "$id" "$top/build/vm-runs/last-$release"

# The guest's first program: lives in the root, execs the clone's init.
install -m 0755 "$top/tests/rig/guest-init.sh" "$root/sbin/nft-xlat-init"
if [ "$systemd" = 1 ]; then
	# systemd boots the root, then runs the command as the last unit.
	cat >"$root/etc/systemd/system/nft-xlat-vm.service" <<-EOF
	[Unit]
	Description=nft_xlat lab: the command of this VM run
	After=multi-user.target

	[Service]
	Type=oneshot
	ExecStart=/sbin/nft-xlat-init
	StandardOutput=journal+console
	StandardError=journal+console
	EOF
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sfn ../nft-xlat-vm.service \
		"$root/etc/systemd/system/multi-user.target.wants/nft-xlat-vm.service"
fi

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -f "$run"/*.sock
}
trap cleanup EXIT
trap 'exit 130' INT TERM

share() {	# tag dir
	/usr/lib/qemu/virtiofsd --socket-path="$run/$1.sock" -o source="$2" \
		-o cache=always -o sandbox=chroot -o xattr \
		>"$run/virtiofsd-$1.log" 2>&1 &
	pids+=($!)
}
share root "$root"
share src "$top"
for _ in $(seq 300); do
	[ -S "$run/root.sock" ] && [ -S "$run/src.sock" ] && break
	sleep 0.1
done
if [ ! -S "$run/root.sock" ] || [ ! -S "$run/src.sock" ]; then
	echo "vm: virtiofsd did not come up in 30 s:" >&2
	cat "$run"/virtiofsd-*.log >&2
	exit 125
fi

append="console=ttyS0 root=root rootfstype=virtiofs rw init=/sbin/nft-xlat-init"
[ ${#initrd[@]} -gt 0 ] && append="console=ttyS0 rdinit=/init"
# TCG's TSC follows the host clock.  Without tsc=reliable the clocksource
# watchdog of a guest starved of CPU may declare it unstable after minutes,
# and the static key flip that follows (sched_clock_cpu) has been seen to
# trap on a stray int3 under TCG.
append+=" tsc=reliable"
append+=" panic=-1 nftxlat.run=$id nftxlat.mode=$mode nftxlat.module=$module"
append+=" nftxlat.release=$release"
[ "$systemd" = 1 ] && append+=" nftxlat.init=systemd"
if [ "$release" = debug ]; then
	# Any WARN (and KASAN, UBSAN) ends the run; warnings reach the console.
	append+=" panic_on_warn=1 kmemleak=on"
	[ "$mode" = run ] && append+=" loglevel=5"
else
	[ "$mode" = run ] && append+=" quiet"
fi

# shellcheck disable=SC2054 # QEMU's options are comma-separated lists
qemu=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
	-machine q35 -accel tcg,thread=multi -cpu max,-cx16
	-smp "$cpus" -m "$mem"
	-object memory-backend-memfd,id=mem,size="${mem}M",share=on
	-numa node,memdev=mem
	-chardev socket,id=vfs0,path="$run/root.sock"
	-device vhost-user-fs-pci,queue-size=1024,chardev=vfs0,tag=root
	-chardev socket,id=vfs1,path="$run/src.sock"
	-device vhost-user-fs-pci,queue-size=1024,chardev=vfs1,tag=src
	-device virtio-rng-pci -nic none -display none
	-kernel "$kernel" "${initrd[@]}" -append "$append")

start=$(date +%s)
if [ "$mode" = shell ]; then
	"${qemu[@]}" -serial mon:stdio
	exit 0
fi
set +e
timeout -k 10 "$limit" "${qemu[@]}" \
	-chardev stdio,id=con,signal=off,logfile="$run/console.log" \
	-serial chardev:con </dev/null
qrc=$?
set -e
echo "vm: $release ($kver) ran $(( $(date +%s) - start ))s, logs in build/vm-runs/$id" >&2
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm: time limit of ${limit}s reached" >&2
	exit 124
fi
if [ ! -f "$run/rc" ]; then
	echo "vm: the guest died before reporting; console log:" >&2
	if [ "$release" = debug ] &&
	   n=$(grep -nEm1 'WARNING:|BUG:|Oops|KASAN|UBSAN|Kernel panic' "$run/console.log"); then
		# The report that panicked it (panic_on_warn), from its first line.
		sed -n "${n%%:*},\$p" "$run/console.log" | head -n 100 >&2
	else
		tail -n 40 "$run/console.log" >&2
	fi
	exit 125
fi
exit "$(cat "$run/rc")"
