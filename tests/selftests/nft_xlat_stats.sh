#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-netns counters in /proc/net/stat/nft_xlat: every netns has the file
# with all the counters, a fresh netns counts nothing, pings through a
# translator (netdev ingress on both sides of rtr) count in rtr only and
# exactly, and the file goes away with its netns.
#
#   c6 (IPv6 only) --veth-- rtr (translator) --veth-- c4 (IPv4 only)
#   nsx: a netns of its own, no rules, deleted at the end
# shellcheck disable=SC2154  # nsx is set by setup_ns
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PFX=${PFX:-2001:db8:64::/96}
NAMES=(4to6 6to4 icmp_err_4to6 icmp_err_6to4 frags_out icmp_sent
	pass_nomap pass_loop pass_unsupp drop_malformed drop_csum drop_icmp_type
	drop_icmp_inner drop_icmp_frag drop_udp_zero_csum drop_src_route
	drop_routing_hdr drop_ext_hdr drop_too_big drop_no_route drop_nomem
	drop_gso drop_ttl flow_add flow_fast bind drop_bind)
PINGS=3

checktool "python3 -V" "run the test without python3"

# stats NS: the netns' counters, "name value" lines.
stats() { ip netns exec "$1" cat /proc/net/stat/nft_xlat; }
# counter NS NAME: one counter.
counter() { stats "$1" | awk -v n="$2" '$1 == n { print $2 }'; }
# nonzero NS: the counters of NS that are not 0, on one line.
nonzero() { stats "$1" | awk '$2 != 0 { printf "%s=%s ", $1, $2 }'; }

setup_siit_topology "$PFX"
setup_ns nsx

for ns in "$rtr" "$nsx"; do
	if [ "$(stats "$ns" | awk '{ print $1 }' | paste -sd ' ')" = \
	     "${NAMES[*]}" ]; then
		pass "${ns%-*}: /proc/net/stat/nft_xlat lists the ${#NAMES[@]} counters"
	else
		fail "${ns%-*}: /proc/net/stat/nft_xlat: $(stats "$ns" | tr '\n' ' ')"
	fi
done
if [ -z "$(nonzero "$nsx")" ]; then
	pass "fresh netns: all counters 0"
else
	fail "fresh netns: $(nonzero "$nsx")"
fi

if ! xlat_netdev_rules "$rtr" "$PFX"; then
	fail "cannot add the xlat rules"
	exit "$ret"
fi

if ip netns exec "$c6" ping -q -c "$PINGS" -i 0.2 -W 2 "$C4_ADDR6" >/dev/null
then
	pass "ping c6 -> c4 through xlat"
else
	fail "ping c6 -> c4 through xlat"
fi
got="$(counter "$rtr" 6to4) $(counter "$rtr" 4to6)"
if [ "$got" = "$PINGS $PINGS" ]; then
	pass "rtr: 6to4 and 4to6 count the $PINGS requests and replies"
else
	fail "rtr: 6to4 4to6 are $got, want $PINGS $PINGS"
fi
bad=
for ns in "$c6" "$c4" "$nsx"; do
	[ -z "$(nonzero "$ns")" ] || bad+="${ns%-*}: $(nonzero "$ns")"
done
if [ -z "$bad" ]; then
	pass "netns without the translator: all counters still 0"
else
	fail "netns without the translator count: $bad"
fi

# A directory fd on nsx's /proc/net/stat does not keep nsx alive: open it
# in nsx, return to the initial netns, delete nsx and watch the entry go.
out=$(ip netns exec "$nsx" python3 - "$nsx" 2>&1 <<'EOF'
import ctypes, os, subprocess, sys, time
d = os.open("/proc/self/net/stat", os.O_RDONLY | os.O_DIRECTORY)
before = "nft_xlat" in os.listdir(d)
libc = ctypes.CDLL(None, use_errno=True)
if libc.setns(os.open("/proc/1/ns/net", os.O_RDONLY), 0x40000000):
    sys.exit("setns: " + os.strerror(ctypes.get_errno()))
subprocess.run(["ip", "netns", "del", sys.argv[1]], check=True)
for _ in range(100):
    if "nft_xlat" not in os.listdir(d):
        break
    time.sleep(0.1)
print("before", before, "after", "nft_xlat" in os.listdir(d))
EOF
)
if [ "$out" = "before True after False" ]; then
	pass "netns deleted: its /proc/net/stat/nft_xlat is gone"
else
	fail "netns deleted: $out"
fi

exit "$ret"
