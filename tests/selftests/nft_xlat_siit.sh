#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIIT (RFC 7915 / RFC 6052) through nft_xlat, from every hook the
# expression supports for traffic entering the translator.
#
#   c6 (IPv6 only)              rtr (translator)              c4 (IPv4 only)
#   2001:db8:6::2/64  --veth--  2001:db8:6::1 | 192.0.2.1  --veth--  192.0.2.2/24
#   PFX::198.51.100.6/128                                     sees c6 as 198.51.100.6
#   sees c4 as PFX::192.0.2.2
#
# For each placement (netdev ingress, inet ingress, prerouting before
# conntrack, and the two pairings of ingress with postrouting that keep
# conntrack in one family, checked with conntrack -L and ct state) the test pings both ways with exact rule counter checks, moves
# TCP and UDP data both ways and compares it byte for byte (GRO on),
# compares crafted packets captured behind the translator with the ones
# RFC 7915 prescribes, and checks the receivers' checksum error counters.
# Last, unscoped prerouting rules in both directions must not loop.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PFX=${PFX:-2001:db8:64::/96}

checktool "socat -V" "run the test without socat"
checktool "python3 -c 'import scapy'" "run the test without scapy"
checktool "tcpdump --version" "run the test without tcpdump"

setup_siit_topology "$PFX"
# GRO on: TCP arrives at the translator as GSO packets.
for dev in "$c6 c6-r" "$rtr r6" "$rtr r4" "$c4 c4-r"; do
	# shellcheck disable=SC2086
	set -- $dev
	ip netns exec "$1" ethtool -K "$2" gro on >/dev/null 2>&1
done
RTR_R6_MAC=$(ip -n "$rtr" -br link show r6 | awk '{print $3}')
RTR_R4_MAC=$(ip -n "$rtr" -br link show r4 | awk '{print $3}')

echo "INFO: prefix $PFX, rules installed with $(xlat_nft_probe)"

# Placement: netdev ingress on each side.
# The base chains select the traffic to translate and jump to the chain
# holding "counter xlat", so the counters count exactly what is translated.
rules_netdev() { xlat_netdev_rules "$rtr" "$PFX" counter; }
counters_netdev() {
	echo "$(xlat_counter "$rtr" netdev xlat6 x) $(xlat_counter "$rtr" netdev xlat4 x)"
}

# Placement: inet ingress.
rules_inet() {
	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	table inet xlat {
		chain x6 { }
		chain x4 { }
		chain in6 { type filter hook ingress device r6 priority 0;
			    ip6 daddr $PFX jump x6; }
		chain in4 { type filter hook ingress device r4 priority 0;
			    ip saddr 192.0.2.0/24 jump x4; }
	}
	EOF
	xlat_rule "$rtr" inet xlat x6 counter xlat from "$PFX" &&
	xlat_rule "$rtr" inet xlat x4 counter xlat to "$PFX"
}
counters_inet() {
	echo "$(xlat_counter "$rtr" inet xlat x6) $(xlat_counter "$rtr" inet xlat x4)"
}

# Placement: ip6/ip prerouting before conntrack (and before defrag), with
# the xlat rules in regular chains reached by jump.
rules_prerouting() { xlat_prerouting_rules "$rtr" "$PFX"; }
counters_prerouting() {
	echo "$(xlat_counter "$rtr" ip6 xlat6 x) $(xlat_counter "$rtr" ip xlat4 x)"
}

# Placements with conntrack in one family: translate on the way in before
# conntrack and on the way out after it, on the same side.  post4 tracks
# the flows as IPv4 (6->4 at r6 ingress, 4->6 at r6 postrouting); post6
# tracks them as IPv6 (4->6 at r4 ingress, 6->4 at r4 postrouting).
conntrack_chain='chain forward { type filter hook forward priority 0;
		ct state established counter name "est"; ct state new counter; }
	counter est { }'

rules_post4() { xlat_post_rules "$rtr" "$PFX" 4 "$conntrack_chain"; }
counters_post4() { counters_inet; }

rules_post6() { xlat_post_rules "$rtr" "$PFX" 6 "$conntrack_chain"; }
counters_post6() { counters_inet; }

# conntrack_check PLACEMENT FAMILY: the transfers were tracked in FAMILY
# in both directions, and the forward chain saw them as established.
conntrack_check() {
	local est entries bad
	est=$(nft_counter "$rtr" inet xlat est)
	entries=$(ip netns exec "$rtr" conntrack -L -f "$2" -p tcp 2>/dev/null |
		grep -E 'dport=808[01] ')
	bad=$(grep -vc ASSURED <<<"$entries")
	if [ -n "$entries" ] && [ "$bad" = 0 ] && [ "${est:-0}" -gt 100 ]; then
		pass "$1: $(wc -l <<<"$entries") TCP transfers tracked as $2 in both directions, ct state established matched $est packets"
	else
		fail "$1: conntrack: established matched ${est:-0}, $2 entries:"
		echo "$entries"
	fi
}

offload() {	# on|off: checksum offload on the endpoints' and rtr's veths
	ip netns exec "$c6" ethtool -K c6-r tx "$1" >/dev/null
	ip netns exec "$c4" ethtool -K c4-r tx "$1" >/dev/null
	ip netns exec "$rtr" ethtool -K r6 tx off >/dev/null
	ip netns exec "$rtr" ethtool -K r4 tx off >/dev/null
}

csum_errors() {	# sum of the receivers' checksum error counters
	{
		ip netns exec "$c4" nstat -az Tcp/InCsumErrors Udp/InCsumErrors \
			Icmp/InCsumErrors
		ip netns exec "$c6" nstat -az Tcp/InCsumErrors Udp6/InCsumErrors \
			Icmp6/InCsumErrors
	} | awk '/InCsumErrors/ {s += $2} END {print s + 0}'
}

# test_ping PLACEMENT: three pings each way.  Each direction of the
# translator sees exactly six packets (three requests, three replies): an
# 84-byte IPv4 ping is a 104-byte IPv6 one.
test_ping() {
	local before after
	read -ra before < <("counters_$1")
	if ip netns exec "$c6" ping -q -c 3 -i 0.2 -W 2 "$C4_ADDR6" >/dev/null; then
		pass "$1: ping c6 -> c4 through xlat"
	else
		fail "$1: ping c6 -> c4 through xlat"
	fi
	if ip netns exec "$c4" ping -q -c 3 -i 0.2 -W 2 "$C6_V4" >/dev/null; then
		pass "$1: ping c4 -> c6 through xlat"
	else
		fail "$1: ping c4 -> c6 through xlat"
	fi
	read -ra after < <("counters_$1")
	local d6p=$((after[0] - before[0])) d6b=$((after[1] - before[1]))
	local d4p=$((after[2] - before[2])) d4b=$((after[3] - before[3]))
	if [ "$d6p $d6b $d4p $d4b" = "6 624 6 504" ]; then
		pass "$1: rule counters: 6 packets/624 bytes 6->4, 6/504 4->6"
	else
		fail "$1: rule counters: $d6p packets/$d6b bytes 6->4, $d4p/$d4b 4->6 (want 6/624, 6/504)"
	fi
}

# tcp_transfer PLACEMENT LABEL: 2 MB each way, compared byte for byte.
tcp_transfer() {
	local what="$1: TCP 2 MB $2"
	dd if=/dev/urandom of="$TMPD/tx" bs=1k count=2048 status=none

	timeout 90 ip netns exec "$c4" socat -u TCP4-LISTEN:8080,reuseaddr \
		"OPEN:$TMPD/rx4,creat,trunc" &
	busywait 5000 listening "$c4" 8080
	timeout 60 ip netns exec "$c6" socat -u "OPEN:$TMPD/tx" \
		"TCP6:[$C4_ADDR6]:8080,bind=[$C6_ADDR]"
	wait
	if cmp -s "$TMPD/tx" "$TMPD/rx4"; then
		pass "$what c6 -> c4"
	else
		fail "$what c6 -> c4 ($(stat -c %s "$TMPD/rx4" 2>/dev/null) bytes)"
	fi

	timeout 90 ip netns exec "$c6" socat -u \
		"TCP6-LISTEN:8081,reuseaddr,bind=[$C6_ADDR]" \
		"OPEN:$TMPD/rx6,creat,trunc" &
	busywait 5000 listening "$c6" 8081
	timeout 60 ip netns exec "$c4" socat -u "OPEN:$TMPD/tx" \
		"TCP4:$C6_V4:8081"
	wait
	if cmp -s "$TMPD/tx" "$TMPD/rx6"; then
		pass "$what c4 -> c6"
	else
		fail "$what c4 -> c6 ($(stat -c %s "$TMPD/rx6" 2>/dev/null) bytes)"
	fi
}

# udp_exchange PLACEMENT: datagrams of many sizes from c6 to an echo
# server on c4, each compared byte for byte when it comes back.
udp_exchange() {
	ip netns exec "$c4" socat UDP4-RECVFROM:9000,reuseaddr,fork PIPE &
	local srv=$!
	sleep 0.5
	if ip netns exec "$c6" python3 - "$C4_ADDR6" "$C6_ADDR" <<-'EOF'
	import os, socket, sys
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.bind((sys.argv[2], 0))
	s.settimeout(3)
	bad = 0
	for size in (1, 7, 64, 512, 1000, 1200, 1232):
	    data = os.urandom(size)
	    s.sendto(data, (sys.argv[1], 9000))
	    try:
	        back, _ = s.recvfrom(2048)
	    except socket.timeout:
	        back = b''
	    if back != data:
	        print('  %d-byte datagram came back as %d bytes' % (size, len(back)))
	        bad += 1
	sys.exit(1 if bad else 0)
	EOF
	then
		pass "$1: UDP datagrams c6 -> c4 -> c6 byte for byte"
	else
		fail "$1: UDP datagrams c6 -> c4 -> c6 byte for byte"
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
}

# packet_check PLACEMENT: crafted packets, captured behind the translator,
# against the reference translation (xlat_ref.py).
packet_check() {
	local ref
	ref="$(dirname "$0")/xlat_ref.py"

	ip netns exec "$c4" tcpdump -Uni c4-r -w "$TMPD/got4.pcap" \
		"src $C6_V4 and (udp or tcp or icmp)" 2>/dev/null &
	ip netns exec "$c6" tcpdump -Uni c6-r -w "$TMPD/got6.pcap" \
		"ip6 src $C4_ADDR6 and (udp or tcp or icmp6)" 2>/dev/null &
	sleep 1
	ip netns exec "$c6" python3 "$ref" send 6to4 c6-r "$RTR_R6_MAC" \
		"$TMPD/sent6.pcap" "$C6_ADDR" "$C4_ADDR6"
	ip netns exec "$c4" python3 "$ref" send 4to6 c4-r "$RTR_R4_MAC" \
		"$TMPD/sent4.pcap" "$C4_V4" "$C6_V4"
	sleep 1
	ip netns exec "$c4" pkill tcpdump
	ip netns exec "$c6" pkill tcpdump
	wait
	python3 "$ref" verify 6to4 "$TMPD/sent6.pcap" "$TMPD/got4.pcap" \
		"$PFX" "$PFX" 1 | sed "s/^\([A-Z]*\): /\1: $1: /"
	[ "${PIPESTATUS[0]}" = 0 ] || ret=$ksft_fail
	python3 "$ref" verify 4to6 "$TMPD/sent4.pcap" "$TMPD/got6.pcap" \
		"$PFX" "$PFX" 1 | sed "s/^\([A-Z]*\): /\1: $1: /"
	[ "${PIPESTATUS[0]}" = 0 ] || ret=$ksft_fail
}

run_placement() {
	local p=$1 before after
	ip netns exec "$rtr" nft flush ruleset
	if ! "rules_$p"; then
		fail "$p: loading the xlat rules"
		return
	fi
	before=$(csum_errors)
	offload off
	test_ping "$p"
	packet_check "$p"
	udp_exchange "$p"
	tcp_transfer "$p" "(checksums computed by the senders)"
	offload on
	tcp_transfer "$p" "(checksum offload, CHECKSUM_PARTIAL)"
	case $p in
	post4) conntrack_check "$p" ipv4 ;;
	post6) conntrack_check "$p" ipv6 ;;
	esac
	after=$(csum_errors)
	if [ "$before" = "$after" ]; then
		pass "$p: no checksum errors at the receivers"
	else
		fail "$p: $((after - before)) checksum errors at the receivers"
	fi
}

# The loop the first prototype had: "xlat from" and "xlat to" at ip6 and ip
# prerouting, neither scoped to an interface.  Each packet translated by
# one is a candidate for the other; the kernel must stop the ping-pong.
loop_guard() {
	local before after
	ip netns exec "$rtr" nft flush ruleset
	ip netns exec "$rtr" nft -f - <<-EOF
	table ip6 l6 {
		chain x { }
		chain pre { type filter hook prerouting priority -450; jump x; }
	}
	table ip l4 {
		chain x { }
		chain pre { type filter hook prerouting priority -450; jump x; }
	}
	EOF
	xlat_rule "$rtr" ip6 l6 x counter xlat from "$PFX"
	xlat_rule "$rtr" ip l4 x counter xlat to "$PFX"
	before=$(ip netns exec "$rtr" nstat -az IpInReceives Ip6InReceives |
		awk '/InReceives/ {s += $2} END {print s + 0}')
	if ip netns exec "$c6" ping -q -c 3 -i 0.2 -W 2 "$C4_ADDR6" >/dev/null &&
	   ip netns exec "$c4" ping -q -c 3 -i 0.2 -W 2 "$C6_V4" >/dev/null; then
		pass "loop guard: ping both ways with unscoped prerouting rules"
	else
		fail "loop guard: ping both ways with unscoped prerouting rules"
	fi
	sleep 1
	after=$(ip netns exec "$rtr" nstat -az IpInReceives Ip6InReceives |
		awk '/InReceives/ {s += $2} END {print s + 0}')
	# 12 pings in and out, translated once each: 24 receptions, plus ND.
	if [ $((after - before)) -lt 100 ]; then
		pass "loop guard: $((after - before)) packets received by the translator"
	else
		fail "loop guard: $((after - before)) packets received by the translator (looping)"
	fi
	ip netns exec "$rtr" nft flush ruleset
}

for placement in ${PLACEMENTS:-netdev inet prerouting post4 post6}; do
	run_placement "$placement"
done
loop_guard

exit $ret
