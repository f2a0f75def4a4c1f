#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the lab VM (installed by scripts/vm.sh as /sbin/nft-xlat-init in
# the Debian root).  Mounts the basics and the clone, loads nft_xlat.ko, runs
# the command vm.sh stored for this run, checks the kernel log, records the
# exit status and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=${TERM:-linux}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# The root is shared with the host (and with other runs): keep what the
# guest writes in memory.
for d in /tmp /run /var/tmp /var/log /var/lib/conntrackd /var/cache/ldconfig; do
	[ -d "$d" ] && mount -t tmpfs tmpfs "$d"
done
mount -t virtiofs src /mnt/src

arg() { sed -n "s/.*\bnftxlat\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
run_id=$(arg run)
mode=$(arg mode)
release=$(arg release)
run=/mnt/src/build/vm-runs/$run_id
hostname "nft-xlat-$release"
ip link set lo up
echo 1 >/proc/sys/kernel/sysrq

finish() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
}

load_module() {
	local ko=/mnt/src/build/$release/nft_xlat.ko deps
	deps=$(modinfo -F depends "$ko" | tr ',' ' ')
	# shellcheck disable=SC2086
	[ -z "$deps" ] || modprobe -a $deps || return 1
	insmod "$ko" || return 1
}

if [ "$(arg module)" = 1 ] && ! load_module; then
	echo "guest: loading nft_xlat.ko failed" >&2
	echo 1 >"$run/rc"
	finish
fi

cd /mnt/src || finish
export NFT_XLAT_RUN_DIR=$run NFT_XLAT_RELEASE=$release
if [ "$mode" = shell ]; then
	echo "nft_xlat lab VM ($release, $(uname -r)); 'exit' powers off"
	setsid -c bash -l
	finish
fi

mapfile -t argv <"$run/argv"
"${argv[@]}" 2>&1 | tee "$run/output"
rc=${PIPESTATUS[0]}

# A test that passes while the kernel complained has not passed.
dmesg >"$run/dmesg"
if grep -Eq '(WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|kmemleak: [0-9]+ new|Call Trace:)' "$run/dmesg"; then
	echo "guest: the kernel reported a problem:" >&2
	grep -E -A 20 '(WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|Call Trace:)' \
		"$run/dmesg" | head -60 >&2
	[ "$rc" = 0 ] && rc=1
fi
if [ "$(arg module)" = 1 ] && grep -q '^nft_xlat ' /proc/modules; then
	nft flush ruleset 2>/dev/null
	if ! rmmod nft_xlat; then
		echo "guest: nft_xlat could not be unloaded after the run" >&2
		[ "$rc" = 0 ] && rc=1
	fi
fi
echo "$rc" >"$run/rc"
finish
