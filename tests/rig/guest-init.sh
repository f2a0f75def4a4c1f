#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the lab VM (installed by tests/rig/vm.sh as /sbin/nft-xlat-init in
# the Debian root).  Mounts the basics and the clone, loads nft_xlat.ko, runs
# the command vm.sh stored for this run, unloads the module, checks kmemleak
# (debug kernel) and the kernel log, records the exit status and powers off.
#
# With nftxlat.init=systemd (vm.sh -S) it hands PID 1 to the root's systemd
# instead, which boots the installed system and then starts this script
# again as nft-xlat-vm.service: the run then happens after a real boot.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=${TERM:-linux}

if [ $$ = 1 ]; then
	mount -t proc proc /proc
	if grep -qw 'nftxlat.init=systemd' /proc/cmdline; then
		exec /lib/systemd/systemd
	fi
	mount -t sysfs sys /sys
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t devtmpfs dev /dev 2>/dev/null
	ln -sfn /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	# The root is shared with the host (and with other runs): keep what
	# the guest writes in memory.
	for d in /tmp /run /var/tmp /var/log /var/lib/conntrackd /var/cache/ldconfig; do
		[ -d "$d" ] && mount -t tmpfs tmpfs "$d"
	done
fi
mountpoint -q /mnt/src || mount -t virtiofs src /mnt/src

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
	local ko=/mnt/src/build/$release/nft_xlat.ko dep deps=()
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		[ -d "/sys/module/$dep" ] || deps+=("$dep")
	done
	# The debug kernel has everything built in and no /lib/modules in the
	# root: insmod alone (it names any symbol that is really missing).
	if [ ${#deps[@]} -gt 0 ] && [ -d "/lib/modules/$(uname -r)" ]; then
		modprobe -a "${deps[@]}" || return 1
	fi
	insmod "$ko" || return 1
}

# kmemleak (the debug kernel): what it suspects after boot is not the run's,
# so one scan (about 5 s under TCG) and a clear before the run.  At the end
# a scan only reports objects older than 5 s: scan, wait, scan again.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	echo scan >"$kmemleak" && sleep 6 && echo scan >"$kmemleak"
}
if [ -e "$kmemleak" ]; then
	if echo scan >"$kmemleak" && echo clear >"$kmemleak"; then
		echo "nft_xlat: kmemleak suspects of the boot cleared" >/dev/kmsg
	else
		echo "guest: kmemleak is not working" >&2
	fi
fi

if [ "$(arg module)" = 1 ] && ! load_module; then
	echo "guest: loading nft_xlat.ko failed" >&2
	echo 1 >"$run/rc"
	finish
fi

# Under TCG a static key flipped while another vCPU runs the code it
# patches can end in "Oops: int3" (seen on 6.12 and 7.2 without nft_xlat:
# a netdev ingress chain added and deleted under a UDP flood; and in
# skb_clear_delivery_time() when ping turned netstamp_needed_key on).
# Netfilter flips its keys when the first hook of a kind comes or the last
# one goes, the socket layer netstamp_needed_key when the first socket asks
# for timestamps or the last one stops: a netns of the guest's own keeps
# one hook of each kind and one timestamping socket all along.
keep_hooks() {
	ip netns add nft-xlat-keeper &&
	ip -n nft-xlat-keeper link add k0 type veth peer name k1 &&
	ip netns exec nft-xlat-keeper nft -f - <<-EOT
	table netdev keep {
		chain ingress { type filter hook ingress device "k0" priority 0; }
	}
	table inet keep {
		chain prerouting { type filter hook prerouting priority 0; }
		chain input { type filter hook input priority 0; }
		chain forward { type filter hook forward priority 0; }
		chain output { type filter hook output priority 0; }
		chain postrouting { type filter hook postrouting priority 0;
				    ct state new counter; }
	}
	EOT
}
if command -v nft >/dev/null && ! keep_hooks; then
	echo "guest: could not register the keeper hooks" >&2
fi
ip netns exec nft-xlat-keeper python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1)  # SO_TIMESTAMP: no Python name
time.sleep(1 << 30)' </dev/null >/dev/null 2>&1 &

cd /mnt/src || finish
export NFT_XLAT_RUN_DIR=$run NFT_XLAT_RELEASE=$release
# The debug kernel runs the tests 2-3 times slower (more under load).
[ "$release" = debug ] && export NFT_XLAT_TEST_TIMEOUT=2700
if [ "$mode" = shell ]; then
	echo "nft_xlat lab VM ($release, $(uname -r)); 'exit' powers off"
	setsid -c bash -l
	finish
fi

mapfile -t argv <"$run/argv"
"${argv[@]}" 2>&1 | tee "$run/output"
rc=${PIPESTATUS[0]}

if [ "$(arg module)" = 1 ] && grep -q '^nft_xlat ' /proc/modules; then
	# Where its code was, to name its functions in reports after the unload.
	for f in /sys/module/nft_xlat/sections/.*text*; do
		echo "$(cat "$f") ${f##*/}"
	done >"$run/nft_xlat.sections" 2>/dev/null
	nft flush ruleset 2>/dev/null
	if ! rmmod nft_xlat; then
		echo "guest: nft_xlat could not be unloaded after the run" >&2
		[ "$rc" = 0 ] && rc=1
	fi
fi

# module_lines RAW OUT: a kmemleak report with the raw addresses that were
# in the unloaded nft_xlat.ko followed by their function and line
# (addr2line on the section each address was in; once per address).
module_lines() {
	local a s name sec start off ko=/mnt/src/build/$release/nft_xlat.ko
	local map=/tmp/kmemleak.map addrs=()
	: >"$map"
	[ -s "$run/nft_xlat.sections" ] &&
		mapfile -t addrs < <(grep -oE '0x[0-9a-f]+$' "$1" | sort -u)
	for a in "${addrs[@]}"; do
		sec=""
		while read -r s name; do
			if [ $((s)) -le $((a)) ] && [ $((a - s)) -lt 16777216 ] &&
			   { [ -z "$sec" ] || [ $((s)) -gt $((start)) ]; }; then
				sec=$name start=$s
			fi
		done <"$run/nft_xlat.sections"
		[ -n "$sec" ] || continue
		off=$(printf '%#x' $((a - start)))
		printf '%s\t%s %s\n' "$a" "$sec+$off" \
			"$(addr2line -f -i -p -e "$ko" -j "$sec" "$off" | tr '\n' ' ')" >>"$map"
	done
	awk -F '\t' 'FILENAME == ARGV[1] { m[$1] = $2; next }
		{ k = $0; sub(/^ +/, "", k); if (k in m) $0 = $0 " " m[k]; print }' \
		"$map" "$1" >"$2"
}

# Leaks: whatever the module left behind is unreferenced once it is gone.
if [ -e "$kmemleak" ]; then
	if ! kmemleak_scan; then
		echo "guest: kmemleak scan failed (kmemleak disabled?)" >&2
		[ "$rc" = 0 ] && rc=1
	fi
	cat "$kmemleak" >/tmp/kmemleak 2>&1
	module_lines /tmp/kmemleak "$run/kmemleak"
	if [ -s "$run/kmemleak" ]; then
		echo "guest: kmemleak found leaks (build/vm-runs/$run_id/kmemleak):" >&2
		head -60 "$run/kmemleak" >&2
		[ "$rc" = 0 ] && rc=1
	fi
fi

# A test that passes while the kernel complained has not passed.  kmemleak's
# "N new suspected memory leaks" counts only after the boot's were cleared.
dmesg >"$run/dmesg"
problems='WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|Call Trace:'
if grep -Eq "($problems)" "$run/dmesg" ||
   sed -n '/nft_xlat: kmemleak suspects of the boot cleared/,$p' "$run/dmesg" |
	grep -Eq 'kmemleak: [0-9]+ new suspected'; then
	echo "guest: the kernel reported a problem:" >&2
	grep -E -A 20 "($problems)|kmemleak: [0-9]+ new" "$run/dmesg" | head -60 >&2
	[ "$rc" = 0 ] && rc=1
fi
echo "$rc" >"$run/rc"
finish
