#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlat in nat chains binds the connection: the reference ruleset, one
# xlat rule in an ip nat postrouting chain and one in an ip6 nat
# prerouting chain, exactly as operators write it:
#
#   c6 (IPv6 only)                  rtr                   c4 (IPv4 only)
#   64:ff9b::198.51.100.6 --- eth0 [ translator ] r4 --- 192.0.2.2/24
#   sees c4 as 64:ff9b::192.0.2.2                  sees c6 as 198.51.100.6
#
#   c4 -> c6: IPv4 entry, bound by "xlat to" at ip postrouting
#   c6 -> c4: IPv6 entry, bound by "xlat from" at ip6 prerouting
#
# Each way: ping, UDP echo and TCP (several MB each way) byte for byte;
# the rule counters see the first packet of each connection only, the
# module and a capture on eth0 see every packet translated; one conntrack
# entry per connection with both directions counted and helper=xlat, and
# one conntrack -E event for it; ct state established in the forward chain of both families and no packet
# forwarded untracked; bound connections outlive their rules;
# conntrack -D ends the translation.  Then module unload and netns
# deletion under traffic with bound connections alive.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PFX=64:ff9b::/96
C6=64:ff9b::c633:6406		# 198.51.100.6
C4_6=64:ff9b::c000:202		# 192.0.2.2
MB=4

checktool "socat -V" "run the test without socat"
checktool "conntrack --version" "run the test without conntrack-tools"
checktool "tcpdump --version" "run the test without tcpdump"
checktool "python3 -V" "run the test without python3"

setup_ns c6 rtr c4
ip link add c6-r netns "$c6" type veth peer name eth0 netns "$rtr"
ip link add c4-r netns "$c4" type veth peer name r4 netns "$rtr"
for l in "$c6 c6-r" "$rtr eth0" "$rtr r4" "$c4 c4-r"; do
	# shellcheck disable=SC2086
	ip -n ${l% *} link set ${l#* } up
done
ip -n "$c6" addr add 2001:db8:6::2/64 dev c6-r nodad
ip -n "$c6" addr add "$C6/128" dev c6-r nodad
ip -n "$c6" route add "$PFX" via 2001:db8:6::1 src "$C6"
ip -n "$rtr" addr add 2001:db8:6::1/64 dev eth0 nodad
ip -n "$rtr" addr add 192.0.2.1/24 dev r4
ip -n "$rtr" route add "$C6/128" via 2001:db8:6::2 dev eth0
ip -n "$rtr" route add 198.51.100.0/24 dev eth0
# c6 answers no ARP: a packet that leaves eth0 untranslated must show.
ip -n "$rtr" neigh add 198.51.100.6 dev eth0 nud permanent \
	lladdr "$(ip -n "$c6" -br link show c6-r | awk '{ print $3 }')"
ip -n "$c4" addr add 192.0.2.2/24 dev c4-r
ip -n "$c4" route add default via 192.0.2.1
ip netns exec "$rtr" sysctl -wq net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.forwarding=1 net.netfilter.nf_conntrack_acct=1

# The reference ruleset, with a counter before each xlat, loaded by nft
# where it knows the statement; otherwise stock nft loads the rest and
# nft-xlat-rule adds the xlat rules to chains the nat chains jump to.
# XCHAIN4/XCHAIN6: the chains holding them.
load_rules() {
	if [ "$(xlat_nft_probe)" = nft ]; then
		XCHAIN4=postrouting XCHAIN6=prerouting
		ip netns exec "$rtr" nft -f - <<-EOF
		table ip xlat4 {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				ip daddr 0.0.0.0/0 oifname "eth0" counter xlat to $PFX
			}
		}
		table ip6 xlat6 {
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				ip6 saddr $PFX iifname "eth0" counter xlat from $PFX
			}
		}
		EOF
		return
	fi
	XCHAIN4=x4 XCHAIN6=x6
	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	table ip xlat4 {
		chain x4 { }
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			ip daddr 0.0.0.0/0 oifname "eth0" jump x4
		}
	}
	table ip6 xlat6 {
		chain x6 { }
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			ip6 saddr $PFX iifname "eth0" jump x6
		}
	}
	EOF
	xlat_rule "$rtr" ip xlat4 x4 counter xlat to "$PFX" &&
	xlat_rule "$rtr" ip6 xlat6 x6 counter xlat from "$PFX"
}
ip netns exec "$rtr" nft -f - <<-EOF
table inet fw {
	counter est4 { }
	counter est6 { }
	counter untracked { }
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state untracked counter name untracked drop
		meta nfproto ipv4 ct state established counter name est4 accept
		meta nfproto ipv6 ct state established counter name est6 accept
		ct state new accept
	}
}
EOF
if ! load_rules; then
	fail "the reference ruleset does not load"
	exit "$ret"
fi
echo "INFO: rules installed with $(xlat_nft_probe)"
# (nft-xlat-rule ends each rule with its handle.)
if xlat_list "$rtr" ip xlat4 "$XCHAIN4" | grep -Eq "counter packets 0 bytes 0 xlat to $PFX( #|\$)" &&
   xlat_list "$rtr" ip6 xlat6 "$XCHAIN6" | grep -Eq "counter packets 0 bytes 0 xlat from $PFX( #|\$)"; then
	pass "the xlat rules of the nat chains read back unchanged"
else
	fail "the xlat rules read back as: $(xlat_list "$rtr" ip xlat4 "$XCHAIN4") $(xlat_list "$rtr" ip6 xlat6 "$XCHAIN6")"
fi
if [ "$(xlat_nft_probe)" = nft ]; then
	json=$(ip netns exec "$rtr" nft -j list table ip xlat4)
	if grep -q '"xlat": {"mode": "to", "prefix": {"prefix": {"addr": "64:ff9b::", "len": 96}}}' <<<"$json" &&
	   ip netns exec "$rtr" nft -j list ruleset | ip netns exec "$rtr" nft -c -j -f -; then
		pass "nft -j lists the nat-chain xlat rule, and takes its JSON back"
	else
		fail "nft -j list: $json"
	fi
fi

xstat() { ip netns exec "$rtr" awk -v n="$1" '$1 == n { print $2 }' /proc/net/stat/nft_xlat; }
rule_packets() { xlat_counter "$rtr" "$@" | cut -d' ' -f1; }
ct_list() { ip netns exec "$rtr" conntrack -L "$@" 2>/dev/null; }

dd if=/dev/urandom of="$TMPD/tx" bs=1M count=$MB status=none
ip netns exec "$c4" socat TCP4-LISTEN:8080,reuseaddr,fork "SYSTEM:cat $TMPD/tx" &
ip netns exec "$c4" socat -u TCP4-LISTEN:8081,reuseaddr "OPEN:$TMPD/up4,creat,trunc" &
ip netns exec "$c4" socat UDP4-RECVFROM:9000,reuseaddr,fork PIPE &
ip netns exec "$c6" socat TCP6-LISTEN:8080,reuseaddr,fork "SYSTEM:cat $TMPD/tx" &
ip netns exec "$c6" socat -u TCP6-LISTEN:8081,reuseaddr "OPEN:$TMPD/up6,creat,trunc" &
ip netns exec "$c6" socat UDP6-RECVFROM:9000,reuseaddr,fork PIPE &
busywait 5000 listening "$c4" 8081 && busywait 5000 listening "$c6" 8081

# udp NS FAMILY DEST SPORT COUNT: COUNT datagrams from SPORT, each echoed
# byte for byte.
udp() {
	ip netns exec "$1" python3 - "${@:2}" <<-'EOF'
	import os, socket, sys
	fam, dst, sport, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("::" if fam == "6" else "0.0.0.0", sport))
	s.settimeout(2)
	for i in range(n):
	    data = os.urandom(1000)
	    s.sendto(data, (dst, 9000))
	    try:
	        back = s.recv(4096)
	    except socket.timeout:
	        sys.exit(1)
	    if back != data:
	        sys.exit(2)
	EOF
}

ip netns exec "$rtr" tcpdump -i eth0 -nn -w "$TMPD/eth0.pcap" 2>/dev/null &
cap=$!
sleep 1
ip netns exec "$rtr" conntrack -F 2>/dev/null
ip netns exec "$rtr" conntrack -E -e NEW > "$TMPD/events" 2>/dev/null &
events=$!
sleep 0.5
pre4=$(xstat 4to6) pre6=$(xstat 6to4) bind0=$(xstat bind)

declare -A ping udp
# --- c4 -> c6: bound by the ip postrouting rule
ip netns exec "$c4" ping -q -c 5 -i 0.2 -W 2 198.51.100.6 >/dev/null 2>&1 &&
	ping[4]=ok
udp "$c4" 4 198.51.100.6 40004 20 && udp[4]=ok
timeout 60 ip netns exec "$c4" socat -u TCP4:198.51.100.6:8080 "OPEN:$TMPD/down4,creat,trunc"
timeout 60 ip netns exec "$c4" socat -u "OPEN:$TMPD/tx" TCP4:198.51.100.6:8081
# --- c6 -> c4: bound by the ip6 prerouting rule
ip netns exec "$c6" ping -q -c 5 -i 0.2 -W 2 "$C4_6" >/dev/null 2>&1 &&
	ping[6]=ok
udp "$c6" 6 "$C4_6" 40006 20 && udp[6]=ok
timeout 60 ip netns exec "$c6" socat -u "TCP6:[$C4_6]:8080" "OPEN:$TMPD/down6,creat,trunc"
timeout 60 ip netns exec "$c6" socat -u "OPEN:$TMPD/tx" "TCP6:[$C4_6]:8081"
sleep 1

for fam in 4 6; do
	if [ "${ping[$fam]:-}" = ok ] && [ "${udp[$fam]:-}" = ok ]; then
		pass "c$fam first: 5 pings and 20 UDP datagrams echoed byte for byte"
	else
		fail "c$fam first: ping ${ping[$fam]:-failed}, UDP ${udp[$fam]:-failed}"
	fi
	if cmp -s "$TMPD/tx" "$TMPD/down$fam" &&
	   cmp -s "$TMPD/tx" "$(if [ $fam = 4 ]; then echo "$TMPD/up6"; else echo "$TMPD/up4"; fi)"; then
		pass "c$fam first: TCP $MB MB each way, byte for byte"
	else
		fail "c$fam first: TCP down $(stat -c %s "$TMPD/down$fam" 2>/dev/null || echo 0) bytes"
	fi
done

# Four connections each way (ping, UDP, two TCP): the rules saw their
# first packets only; every other packet was translated by the bindings.
r4=$(rule_packets ip xlat4 "$XCHAIN4") r6=$(rule_packets ip6 xlat6 "$XCHAIN6")
if [ "$r4" = 4 ] && [ "$r6" = 4 ]; then
	pass "rule counters: 4 packets each, the first of each connection"
else
	fail "rule counters: $r4 (ip postrouting) and $r6 (ip6 prerouting), expected 4 and 4"
fi
binds=$(( $(xstat bind) - bind0 ))
n4=$(( $(xstat 4to6) - pre4 )) n6=$(( $(xstat 6to4) - pre6 ))
kill "$cap" 2>/dev/null
wait "$cap" 2>/dev/null
v4_on_eth0=$(tcpdump -nn -r "$TMPD/eth0.pcap" ip 2>/dev/null | wc -l)
v6_on_eth0=$(tcpdump -nn -r "$TMPD/eth0.pcap" "ip6 and net $PFX" 2>/dev/null | wc -l)
# (tcpdump may lose a few under load: 95 % of what the module counted.)
if [ "$binds" = 8 ] && [ "$v4_on_eth0" = 0 ] && [ "$n4" -gt 8 ] &&
   [ "$n6" -gt 8 ] && [ "$v6_on_eth0" -ge $(((n4 + n6) * 95 / 100)) ]; then
	pass "every packet translated: 8 bindings, 4to6 $n4, 6to4 $n6, $v6_on_eth0 IPv6 packets on eth0, no IPv4"
else
	fail "bindings $binds (8), 4to6 $n4, 6to4 $n6, on eth0: $v6_on_eth0 IPv6 and $v4_on_eth0 IPv4 packets"
fi

kill "$events" 2>/dev/null
wait "$events" 2>/dev/null
new4=$(grep -c '\[NEW\] udp .*src=192\.0\.2\.2 .*sport=40004 ' "$TMPD/events")
new6=$(grep -c "\[NEW\] udp .*src=$C6 .*sport=40006 " "$TMPD/events")
if [ "$new4" = 1 ] && [ "$new6" = 1 ]; then
	pass "conntrack -E: one NEW event for each UDP connection, in its first packet's family"
else
	fail "conntrack -E: $new4 NEW events for the c4 flow, $new6 for the c6 flow"
	sed 's/^/INFO:   /' "$TMPD/events"
fi

# One entry per connection, in the family of its first packet, with both
# directions counted.
ct_list -o extended > "$TMPD/ct"
echo "INFO: conntrack -L after the transfers:"
sed 's/^/INFO:   /' "$TMPD/ct"
entries() { grep -c -- "$1" "$TMPD/ct"; }
e4=$(grep '^ipv4' "$TMPD/ct" | grep -c 'helper=xlat')
e6=$(grep '^ipv6' "$TMPD/ct" | grep -c 'helper=xlat')
t4=$(entries "^ipv4 .* tcp .*dport=808[01] .*packets=[1-9].*packets=[1-9]")
t6=$(entries "^ipv6 .* tcp .*dport=808[01] .*packets=[1-9].*packets=[1-9]")
if [ "$e4" = 4 ] && [ "$e6" = 4 ] && [ "$t4" = 2 ] && [ "$t6" = 2 ] &&
   [ "$(wc -l < "$TMPD/ct")" = 8 ]; then
	pass "conntrack: 8 entries, one per connection (4 ipv4, 4 ipv6, helper=xlat), both directions counted"
else
	fail "conntrack: $(wc -l < "$TMPD/ct") entries, $e4 ipv4 and $e6 ipv6 bound, TCP counted both ways $t4 and $t6"
fi
est4=$(nft_counter "$rtr" inet fw est4) est6=$(nft_counter "$rtr" inet fw est6)
untr=$(nft_counter "$rtr" inet fw untracked)
if [ "$est4" -gt 0 ] && [ "$est6" -gt 0 ] && [ "$untr" = 0 ]; then
	pass "forward chain: ct state established in both families ($est4 IPv4, $est6 IPv6 packets), none untracked"
else
	fail "forward chain: established $est4 IPv4 and $est6 IPv6, untracked $untr"
fi

# --- bound connections outlive their rules; conntrack -D ends them.
late() {	# one datagram of the c4 -> c6 UDP flow from port 40444
	ip netns exec "$c4" python3 - <<-'EOF'
	import socket
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("0.0.0.0", 40444))
	s.settimeout(2)
	s.sendto(b"late", ("198.51.100.6", 9000))
	try:
	    print("echoed" if s.recv(100) == b"late" else "bad")
	except socket.timeout:
	    print("timeout")
	EOF
}
first=$(late)
ip netns exec "$rtr" nft delete table ip xlat4
ip netns exec "$rtr" nft delete table ip6 xlat6
after_flush=$(late)
bound=$(ct_list -p udp --sport 40444 | grep -c 'helper=xlat')
timeout 8 ip netns exec "$rtr" tcpdump -i eth0 -nn -c 1 -w "$TMPD/late.pcap" \
	"ip and udp port 9000" 2>/dev/null &
cap=$!
sleep 1
ip netns exec "$rtr" conntrack -D -p udp --sport 40444 >/dev/null 2>&1
t0=$(xstat 4to6)
after_delete=$(late)
t1=$(xstat 4to6)
wait "$cap" 2>/dev/null
untranslated=$(tcpdump -nn -r "$TMPD/late.pcap" ip 2>/dev/null | wc -l)
if [ "$first" = echoed ] && [ "$after_flush" = echoed ] && [ "$bound" = 1 ]; then
	pass "rules deleted: the bound UDP connection is still translated (one entry)"
else
	fail "rules deleted: before $first, after $after_flush, $bound bound entries"
fi
if [ "$after_delete" = timeout ] && [ "$t1" = "$t0" ] && [ "$untranslated" = 1 ]; then
	pass "conntrack -D: the connection is no longer translated (its next datagram leaves as IPv4)"
else
	fail "conntrack -D: answer $after_delete, 4to6 +$((t1 - t0)), $untranslated IPv4 packets on eth0"
fi
ip netns exec "$rtr" conntrack -F 2>/dev/null
if busywait 5000 yields 0 ip netns exec "$rtr" conntrack -C; then
	pass "conntrack -F: no bound entry left"
else
	fail "conntrack -F: $(ip netns exec "$rtr" conntrack -C) entries left"
fi

# --- lifecycle under traffic, bound connections alive
# flood: pings both ways, 100 a second, in the background.
flood() {
	ip netns exec "$c4" ping -q -i 0.01 -c "$1" 198.51.100.6 >/dev/null 2>&1 &
	flooding=$!
	ip netns exec "$c6" ping -q -i 0.01 -c "$1" "$C4_6" >/dev/null 2>&1 &
	flooding+=" $!"
}
bound() { ct_list | grep -c 'helper=xlat'; }
load_rules && flood 300
busywait 3000 yields 2 bound
alive=$(bound)
ip netns exec "$rtr" nft delete table ip xlat4
ip netns exec "$rtr" nft delete table ip6 xlat6
sleep 0.5
if rmmod nft_xlat 2>"$TMPD/err"; then
	left=$(bound)
	if [ "$alive" = 2 ] && [ "$left" = 0 ]; then
		pass "module unloaded under traffic with $alive bound connections: their entries went with it"
	else
		fail "module unloaded: $alive bound before, $left bound entries left"
	fi
	xlat_load_module || fail "nft_xlat could not be loaded again"
else
	fail "module: rmmod refused with the rules gone: $(cat "$TMPD/err")"
fi
# shellcheck disable=SC2086
wait $flooding
if load_rules; then
	flood 200
	busywait 3000 yields 2 bound
	alive=$(bound)
	ip netns del "$rtr"
	if busywait 10000 yields 0 cat /sys/module/nft_xlat/refcnt; then
		pass "rtr deleted under traffic with $alive bound connections: its rules released"
	else
		fail "rtr deleted: nft_xlat refcnt $(cat /sys/module/nft_xlat/refcnt)"
	fi
	# shellcheck disable=SC2086
	wait $flooding
else
	fail "the rules do not load after the module reload"
fi
exit "$ret"
