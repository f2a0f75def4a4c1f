#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flowtable fast path of translated connections ("xlat ... offload"),
# in the manner of the kernel's nft_flowtable.sh: transfers complete byte
# for byte while the forward chain stops seeing the flow, the conntrack
# entry says [OFFLOAD], and every way a flow must leave the fast path does
# (FIN, conntrack -D, MTU or route change, device down, rule removal,
# module unload, netns exit), and a neighbour change does not need to.
# A plain "flow add @ft" of the kernel's flowtable never sends a
# translated flow out untranslated.
#
#   c6 (IPv6 only)              rtr (translator)              c4 (IPv4 only)
#   2001:db8:6::2   --veth--  r6 |  r4 192.0.2.1   --veth--   192.0.2.2
#
# NAT64: c6 -> PFX::192.0.2.2, IPv6 source NAT to PFX::198.51.100.1 (the
#        pool), "xlat from PFX offload" at postrouting, "xlat to PFX" at
#        r4's ingress for the pool.  One IPv6 conntrack entry per session.
# SIIT4: c4 -> 198.51.100.6 (= c6's C6_ADDR), "xlat to PFX offload" at
#        postrouting towards r6, "xlat from PFX" at r6's ingress: one IPv4
#        entry, the fast path translating 4 -> 6.
# Namespace names are set by setup_ns (SC2154).
# shellcheck source=lib.sh disable=SC2154
source "$(dirname "$0")/lib.sh"

checktool "socat -V" "run the test without socat"
checktool "conntrack --version" "run the test without conntrack"

PFX=${PFX:-2001:db8:64::/96}
POOL4=198.51.100.1
C6_NAT=2001:db8:6::2	# c6's address for NAT64 (C6_ADDR is its SIIT one)
SIZE_KB=${SIZE_KB:-2048}

setup_siit_topology "$PFX"
POOL6=$(embed "$PFX" $POOL4)
ip netns exec "$rtr" sysctl -wq net.netfilter.nf_conntrack_acct=1 \
	net.netfilter.nf_conntrack_tcp_loose=0 2>/dev/null ||
	modprobe nf_conntrack
ip netns exec "$rtr" sysctl -wq net.netfilter.nf_conntrack_acct=1 \
	net.netfilter.nf_conntrack_tcp_loose=0

echo "INFO: prefix $PFX, rules installed with $(xlat_nft_probe)"

stat() { ip netns exec "$rtr" awk -v n="$1" '$1 == n { print $2 }' /proc/net/stat/nft_xlat; }
fwd() { nft_counter "$rtr" inet filter "$1"; }
# offloaded [FILTER...]: conntrack entries of rtr marked [OFFLOAD].
offloaded() {
	for f in ipv4 ipv6; do
		ip netns exec "$rtr" conntrack -L -f $f "$@" 2>/dev/null
	done | grep -c OFFLOAD
}

# The translator: a forward chain that counts what it sees, NAT66 to the
# pool, the postrouting xlat with offload ($1 = "offload" or ""), the xlat
# back at ingress (or, $2 = "prerouting", the pool's at IPv4 prerouting).
# Prerouting chains at raw priority count what reaches the receive path
# translated: pre6 the NAT64 answers, pre4 c6's SIIT packets.
load_rules() {
	local offload=$1 in4=netdev
	local in4_hook='type filter hook ingress device "r4" priority 0'
	if [ "${2:-}" = prerouting ]; then
		in4=ip
		in4_hook='type filter hook prerouting priority -450'
	fi
	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	flush ruleset
	table inet filter {
		counter fwd6 { }
		counter fwd4 { }
		counter est { }
		counter pre6 { }
		counter pre4 { }
		chain forward {
			type filter hook forward priority filter; policy accept
			meta nfproto ipv6 counter name fwd6
			meta nfproto ipv4 counter name fwd4
			ct state established counter name est
		}
		chain pre {
			type filter hook prerouting priority raw; policy accept
			iifname "r4" meta nfproto ipv6 counter name pre6
			iifname "r6" meta nfproto ipv4 counter name pre4
		}
	}
	table ip6 nat64 {
		chain pool {
			type nat hook postrouting priority srcnat; policy accept
			ip6 saddr 2001:db8:6::/64 ip6 daddr $PFX snat ip6 to $POOL6
		}
		chain out {
			type filter hook postrouting priority srcnat + 10; policy accept
			oifname "r4" ip6 daddr $PFX jump x6
		}
		chain x6 { }
	}
	table ip siit4 {
		chain out {
			type filter hook postrouting priority srcnat + 10; policy accept
			oifname "r6" ip daddr 198.51.100.0/24 jump x4
		}
		chain x4 { }
	}
	table $in4 in4 {
		chain in {
			$in4_hook; policy accept
			iif "r4" ip daddr $POOL4 jump x
		}
		chain x { }
	}
	table netdev in6 {
		chain in {
			type filter hook ingress device "r6" priority 0; policy accept
			ip6 saddr $C6_ADDR jump x
		}
		chain x { }
	}
	EOF
	xlat_rule "$rtr" ip6 nat64 x6 xlat from "$PFX" $offload &&
	xlat_rule "$rtr" ip siit4 x4 xlat to "$PFX" $offload &&
	xlat_rule "$rtr" "$in4" in4 x xlat to "$PFX" &&
	xlat_rule "$rtr" netdev in6 x xlat from "$PFX"
}

dd if=/dev/urandom of="$TMPD/tx" bs=1k count="$SIZE_KB" status=none
ip netns exec "$c4" socat TCP4-LISTEN:8080,reuseaddr,fork "SYSTEM:cat $TMPD/tx" &
ip netns exec "$c4" socat -u TCP4-LISTEN:8081,reuseaddr,fork "SYSTEM:cat > $TMPD/up4" &
# 8082: half of the file, a pause, the rest (a change under a download).
printf 'head -c 1M %s; sleep 3; tail -c +1048577 %s\n' "$TMPD/tx" "$TMPD/tx" >"$TMPD/halves.sh"
ip netns exec "$c4" socat TCP4-LISTEN:8082,reuseaddr,fork "SYSTEM:sh $TMPD/halves.sh" &
ip netns exec "$c4" socat UDP4-RECVFROM:9000,reuseaddr,fork PIPE &
ip netns exec "$c6" socat TCP6-LISTEN:8080,reuseaddr,fork "SYSTEM:cat $TMPD/tx" &
ip netns exec "$c6" socat "UDP6-RECVFROM:9000,bind=[$C6_ADDR],reuseaddr,fork" PIPE &
busywait 5000 listening "$c4" 8081 && busywait 5000 listening "$c6" 8080

# down6 TAG: TCP download c4 -> c6 through NAT64, compared byte for byte.
down6() {
	timeout 120 ip netns exec "$c6" socat -u "TCP6:[$C4_ADDR6]:8080,bind=[$C6_NAT]" \
		"OPEN:$TMPD/down-$1,creat,trunc" && cmp -s "$TMPD/tx" "$TMPD/down-$1"
}

# udp_echo SRC SPORT COUNT SIZE [PAUSE_AT]: COUNT datagrams from c6 to
# c4's echo, one at a time; prints how many came back intact.  Pauses
# 0.5 s after datagram PAUSE_AT, for a conntrack listing mid-flow.
udp_echo() {
	ip netns exec "$c6" python3 - "$C4_ADDR6" "$@" <<-'EOF'
	import os, socket, sys, time
	dst, src, sport, count, size = sys.argv[1:6]
	pause = int(sys.argv[6]) if len(sys.argv) > 6 else -1
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.bind((src, int(sport)))
	s.settimeout(1)
	ok = 0
	for i in range(int(count)):
	    data = os.urandom(int(size))
	    s.sendto(data, (dst, 9000))
	    try:
	        ok += s.recvfrom(2048)[0] == data
	    except socket.timeout:
	        pass
	    if i == pause:
	        time.sleep(0.5)
	print(ok)
	EOF
}

# ttl_echo NS DST SRC SPORT COUNT: COUNT datagrams from NS to DST's echo
# on port 9000, one at a time; prints how many came back intact and the
# TTLs or hop limits they arrived with (both ends send with 64).
ttl_echo() {
	ip netns exec "$1" python3 - "${@:2}" <<-'EOF'
	import os, socket, struct, sys
	dst, src, sport, count = sys.argv[1:5]
	v6 = ":" in dst
	if v6:
	    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
	else:
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
	s.bind((src, int(sport)))
	s.settimeout(1)
	ok, ttls = 0, set()
	for i in range(int(count)):
	    data = os.urandom(200)
	    s.sendto(data, (dst, 9000))
	    try:
	        back, anc, _, _ = s.recvmsg(2048, 64)
	    except socket.timeout:
	        continue
	    ok += back == data
	    for level, kind, val in anc:
	        ttls.add(struct.unpack("i", val[:4])[0])
	print(ok, ",".join(map(str, sorted(ttls))))
	EOF
}

# looked_up N WHAT: once offloaded, the packets of WHAT that arrive in
# the other family are looked up by their xlat rule before it translates
# them: only the N before that (under 20) reached the new family's
# prerouting, whose raw-priority counter N is.
looked_up() {
	if [ "$1" -lt 20 ]; then
		pass "fast path: $2 looked up before their translation: $1 reached the new family's prerouting"
	else
		fail "fast path: $2: $1 reached the new family's prerouting"
	fi
}

# answers_ttl NS DST SRC SPORT WHAT: UDP answers through the fast path
# come back intact with TTL or hop limit 63 (64, decremented once).
answers_ttl() {
	local ok ttls
	read -r ok ttls < <(ttl_echo "$1" "$2" "$3" "$4" 30)
	if [ "$ok" -ge 29 ] && [ "$ttls" = 63 ]; then
		pass "fast path: $5 arrive with TTL/hop limit 63 ($ok/30 intact)"
	else
		fail "fast path: $5: $ok/30 intact, TTL/hop limits '$ttls'"
	fi
}

# ---- the kernel's flowtable on translated flows: never bypasses xlat
# It only offloads an entry whose next hops it can resolve in the entry's
# family, which translated destinations never answer for: make them
# resolvable (as a NOARP device on the prefix route would), so that only
# the module's marking keeps "flow add" away from translated entries.
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip -n "$rtr" neigh replace "$C6_V4" lladdr "$(mac "$c6" c6-r)" dev r6 nud permanent
ip -n "$rtr" -6 neigh replace "$C4_ADDR6" lladdr "$(mac "$c4" c4-r)" dev r4 nud permanent
if ! load_rules ""; then
	fail "loading the rules"
	exit "$ret"
fi
ip netns exec "$rtr" nft -f - <<-EOF
table inet filter {
	flowtable ft { hook ingress priority 0; devices = { r6, r4 }; }
	chain forward {
		type filter hook forward priority filter; policy accept
		meta l4proto tcp flow add @ft
	}
}
EOF
before=$(stat 6to4)
if down6 plain; then
	pass "kernel flowtable (flow add @ft): NAT64 TCP download byte for byte"
else
	fail "kernel flowtable (flow add @ft): NAT64 TCP download differs"
fi
sent=$(( $(stat 6to4) - before ))
if [ "$(fwd est)" -gt 50 ] && [ "$sent" -gt 50 ] && [ "$(stat flow_add)" = 0 ]; then
	pass "kernel flowtable: the translated flow stayed on the slow path ($(fwd est) established packets forwarded, $sent translated)"
else
	fail "kernel flowtable: est=$(fwd est) translated=$sent flow_add=$(stat flow_add)"
fi

# SIIT at netdev ingress, the kernel's flowtable hooked before the xlat
# chains: its lookup sees the untranslated packets.  Each direction is an
# entry of its own there (TCP never looks established to conntrack, UDP
# does: it is confirmed at once), so a UDP echo is the case where "flow
# add" would offload an entry whose packets it then sends untranslated.
ip netns exec "$rtr" nft flush ruleset
xlat_netdev_rules "$rtr" "$PFX"
ip netns exec "$rtr" nft -f - <<-EOF
table inet filter {
	counter dgrams { }
	flowtable ft { hook ingress priority -10; devices = { r6, r4 }; }
	chain forward {
		type filter hook forward priority filter; policy accept
		meta l4proto udp counter name dgrams flow add @ft
	}
}
EOF
echoed=$(udp_echo "$C6_ADDR" 7100 100 300)
if [ "$echoed" -ge 98 ] && [ "$(offloaded)" = 0 ] && [ "$(fwd dgrams)" -ge 196 ]; then
	pass "kernel flowtable before ingress xlat: SIIT UDP echo $echoed/100, every datagram forwarded on the slow path, nothing offloaded"
else
	fail "kernel flowtable before ingress xlat: echoed $echoed/100, offloaded $(offloaded), forwarded $(fwd dgrams)"
fi

# ---- NAT64 with the fast path
if ! load_rules offload; then
	fail "loading the rules with offload"
	exit "$ret"
fi
if xlat_list "$rtr" ip6 nat64 x6 | grep -q "xlat from .* offload"; then
	pass "the rule lists with offload"
else
	fail "the rule lists as: $(xlat_list "$rtr" ip6 nat64 x6 | grep xlat)"
fi
fast0=$(stat flow_fast)
if down6 fast; then
	pass "fast path: NAT64 TCP download byte for byte"
else
	fail "fast path: NAT64 TCP download differs"
fi
est=$(fwd est) fast=$(( $(stat flow_fast) - fast0 ))
if [ "$(stat flow_add)" -ge 1 ] && [ "$est" -lt 20 ] && [ "$fast" -gt 100 ]; then
	pass "fast path: offloaded after the handshake: the forward chain saw $est established packets, the fast path $fast"
else
	fail "fast path: flow_add=$(stat flow_add) est=$est fast=$fast"
fi
# c4's data arrives in IPv4 at r4's ingress.
looked_up "$(nft_counter "$rtr" inet filter pre6)" "NAT64 answers (xlat at ingress)"
answers_ttl "$c6" "$C4_ADDR6" "$C6_NAT" 7010 "NAT64 UDP answers"

# Upload c6 -> c4 and a UDP echo at once, entry by entry in conntrack -L.
# The upload stays open 3 s after its data, for the listing.
(cat "$TMPD/tx"; sleep 3) | timeout 120 ip netns exec "$c6" socat -u STDIN "TCP6:[$C4_ADDR6]:8081,bind=[$C6_NAT]" &
up=$!
udp_echo "$C6_NAT" 7000 300 500 150 > "$TMPD/udp" &
udp=$!
sleep 1.5
listing=$(ip netns exec "$rtr" conntrack -L -f ipv6 2>/dev/null)
wait "$up"
wait "$udp"
if busywait 5000 cmp -s "$TMPD/tx" "$TMPD/up4"; then
	pass "fast path: NAT64 TCP upload byte for byte"
else
	fail "fast path: NAT64 TCP upload differs"
fi
if [ "$(cat "$TMPD/udp")" -ge 295 ]; then
	pass "fast path: NAT64 UDP echo, $(cat "$TMPD/udp")/300 datagrams back intact"
else
	fail "fast path: NAT64 UDP echo: $(cat "$TMPD/udp")"
fi
echo "$listing" | grep -E 'dport=(8081|9000)' | sed 's/^/INFO: /'
if echo "$listing" | grep -E "^udp .*src=2001:db8:6::2 dst=$C4_ADDR6 sport=7000 dport=9000 .*src=$C4_ADDR6 dst=$POOL6 sport=9000 .*\[OFFLOAD\]" >/dev/null; then
	pass "conntrack -L: the NAT64 UDP session is one IPv6 entry marked [OFFLOAD]"
else
	fail "conntrack -L: no offloaded UDP session 7000 -> 9000"
fi
if echo "$listing" | grep -E "^tcp .*dport=8081 .*\[OFFLOAD\]" >/dev/null; then
	pass "conntrack -L: the TCP upload session is marked [OFFLOAD]"
else
	fail "conntrack -L: the TCP upload session is not offloaded"
fi
# Every datagram echoed went through the fast path but the first.
acct=$(ip netns exec "$rtr" conntrack -L -f ipv6 -p udp --sport 7000 2>/dev/null |
	grep -oE 'packets=[0-9]+' | cut -d= -f2 | paste -sd ' ')
# shellcheck disable=SC2086
set -- $acct
if [ "${1:-0}" -ge "$(cat "$TMPD/udp")" ] && [ "${2:-0}" -ge "$(cat "$TMPD/udp")" ]; then
	pass "conntrack accounting counts the fast path both ways ($1 / $2 packets for $(cat "$TMPD/udp") echoes)"
else
	fail "conntrack accounting: '$acct' for $(cat "$TMPD/udp") echoes"
fi

# ---- SIIT 4 -> 6 at postrouting: an IPv4 entry, the fast path translating to IPv6
est0=$(fwd est) fast0=$(stat flow_fast) t46=$(stat 4to6)
pre0=$(nft_counter "$rtr" inet filter pre4)
if timeout 120 ip netns exec "$c4" socat -u "TCP4:$C6_V4:8080" "OPEN:$TMPD/down-4,creat,trunc" &&
   cmp -s "$TMPD/tx" "$TMPD/down-4"; then
	pass "fast path: SIIT (IPv4 entry) TCP download byte for byte"
else
	fail "fast path: SIIT (IPv4 entry) TCP download differs"
fi
est=$(( $(fwd est) - est0 )) fast=$(( $(stat flow_fast) - fast0 ))
if [ "$est" -lt 20 ] && [ "$fast" -gt 100 ] && [ "$(( $(stat 4to6) - t46 ))" -gt 100 ]; then
	pass "fast path: SIIT flow offloaded ($est established packets on the slow path, $fast fast)"
else
	fail "fast path: SIIT est=$est fast=$fast"
fi
# c6's data arrives in IPv6 at r6's ingress.
looked_up "$(( $(nft_counter "$rtr" inet filter pre4) - pre0 ))" "c6's SIIT packets"
answers_ttl "$c4" "$C6_V4" "$C4_V4" 7011 "SIIT UDP answers translated 6 -> 4"

# ---- SIIT with the reply direction translated at postrouting (the lab's
# placement): c6's packets become IPv4 at r6's ingress, an IPv4 entry, c4's
# answers leave translated by the offload rule.
est0=$(fwd est) fast0=$(stat flow_fast) a0=$(stat flow_add)
if timeout 120 ip netns exec "$c6" socat -u "TCP6:[$C4_ADDR6]:8080,bind=[$C6_ADDR]" "OPEN:$TMPD/down-r,creat,trunc" &&
   cmp -s "$TMPD/tx" "$TMPD/down-r"; then
	pass "fast path: SIIT (reply direction translated) TCP download byte for byte"
else
	fail "fast path: SIIT (reply direction translated) TCP download differs"
fi
est=$(( $(fwd est) - est0 )) fast=$(( $(stat flow_fast) - fast0 ))
if [ "$(stat flow_add)" -gt "$a0" ] && [ "$est" -lt 20 ] && [ "$fast" -gt 100 ]; then
	pass "fast path: offloaded from the reply direction ($est established packets on the slow path, $fast fast)"
else
	fail "fast path: reply direction: flow_add $a0 -> $(stat flow_add), est=$est fast=$fast"
fi

# ---- NAT64 with the answers translated at IPv4 prerouting instead of
# ingress: looked up there, they skip the requeue into IPv6.
if load_rules offload prerouting; then
	fast0=$(stat flow_fast)
	if down6 pre; then
		pass "fast path, xlat at prerouting: NAT64 TCP download byte for byte"
	else
		fail "fast path, xlat at prerouting: NAT64 TCP download differs"
	fi
	fast=$(( $(stat flow_fast) - fast0 ))
	if [ "$fast" -gt 100 ]; then
		pass "fast path, xlat at prerouting: $fast packets on the fast path"
	else
		fail "fast path, xlat at prerouting: $fast packets on the fast path"
	fi
	looked_up "$(nft_counter "$rtr" inet filter pre6)" "NAT64 answers (xlat at IPv4 prerouting)"
else
	fail "loading the rules with the pool's xlat at prerouting"
fi
load_rules offload || fail "loading the rules with offload again"

# ---- a connection in a conntrack zone other than the default one is not
# offloaded: its zone comes from a template, which keeps its packets off
# the fast path, and its answers must reach the raw chain that sets it.
ip netns exec "$rtr" nft -f - <<-EOF
table inet zones {
	chain raw {
		type filter hook prerouting priority raw - 10; policy accept
		iifname { "r6", "r4" } ct zone set 7
	}
}
EOF
a0=$(stat flow_add) pre0=$(nft_counter "$rtr" inet filter pre6)
if down6 zone; then
	pass "conntrack zone: NAT64 TCP download byte for byte"
else
	fail "conntrack zone: NAT64 TCP download differs"
fi
pre=$(( $(nft_counter "$rtr" inet filter pre6) - pre0 ))
zoned=$(ip netns exec "$rtr" conntrack -L -f ipv6 -p tcp --dport 8080 2>/dev/null | grep -c "zone=7")
if [ "$(stat flow_add)" = "$a0" ] && [ "$zoned" -ge 1 ] && [ "$pre" -gt 100 ]; then
	pass "conntrack zone: the zone 7 session stayed on the slow path ($pre answers through IPv6 prerouting)"
else
	fail "conntrack zone: flow_add $a0 -> $(stat flow_add), zone 7 entries $zoned, answers through IPv6 prerouting $pre"
fi
ip netns exec "$rtr" nft delete table inet zones

# ---- teardown: FIN
sleep 1
if [ "$(offloaded -p tcp --dport 8080)" = 0 ]; then
	pass "teardown: TCP sessions leave the flowtable once closed"
else
	fail "teardown: closed TCP sessions still [OFFLOAD]: $(ip netns exec "$rtr" conntrack -L -p tcp 2>/dev/null | grep OFFLOAD)"
fi

# A long UDP flow for the remaining teardown cases: udpflow PORT SECONDS
# sends 20 numbered datagrams a second, prints how many distinct ones
# came back intact (late answers count too: slow kernels) and how many
# were sent.
udpflow() {
	ip netns exec "$c6" python3 - "$C4_ADDR6" "$1" "$2" "$C6_NAT" <<-'EOF'
	import os, socket, sys, time
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.bind((sys.argv[4], int(sys.argv[2])))
	s.settimeout(0.05)
	sent, ok, seq = {}, set(), 0
	end = time.time() + float(sys.argv[3])
	while time.time() < end:
	    data = seq.to_bytes(4, "big") + os.urandom(196)
	    sent[seq] = data
	    seq += 1
	    s.sendto(data, (sys.argv[1], 9000))
	    try:
	        while True:
	            back = s.recvfrom(2048)[0]
	            n = int.from_bytes(back[:4], "big")
	            if sent.get(n) == back:
	                ok.add(n)
	    except socket.timeout:
	        pass
	print(len(ok), seq)
	EOF
}
# most FILE: udpflow's output says at least 80 % came back.
most() { read -r ok sent < "$1" && [ "$((ok * 10))" -ge "$((sent * 8))" ] && [ "$sent" -gt 10 ]; }

# conntrack -D: the next packets take the slow path and open a new entry.
udpflow 7001 6 > "$TMPD/f1" &
flow=$!
sleep 2
n1=$(offloaded -p udp --sport 7001)
ip netns exec "$rtr" conntrack -D -f ipv6 -p udp --sport 7001 >/dev/null 2>&1
sleep 2
n2=$(offloaded -p udp --sport 7001)
wait $flow
if [ "$n1" = 1 ] && [ "$n2" = 1 ] && most "$TMPD/f1"; then
	pass "teardown: conntrack -D ends the offloaded session, the flow comes back as a new one (answers/sent: $(cat "$TMPD/f1"))"
else
	fail "teardown: conntrack -D: offloaded before $n1, after $n2, answers $(cat "$TMPD/f1")"
fi

# MTU change: lower r4's MTU under an offloaded TCP upload (half of it
# sent, the rest after the change); the big segments leave the fast path
# and get "packet too big" (from IPv6 forwarding, whose route to the
# prefix also goes out r4, or from the translator), the upload completes.
ptb() { ip netns exec "$rtr" awk '$1 == "Icmp6OutPktTooBigs" { print $2 }' /proc/net/snmp6; }
ip -n "$rtr" link set r4 mtu 1500
t0=$(ptb)
(head -c 1M "$TMPD/tx"; sleep 3; tail -c +1048577 "$TMPD/tx") |
	timeout 120 ip netns exec "$c6" socat -u STDIN "TCP6:[$C4_ADDR6]:8081,bind=[$C6_NAT]" &
up=$!
sleep 1.5
n1=$(offloaded -p tcp --dport 8081)
ip -n "$rtr" link set r4 mtu 1300
wait $up
busywait 5000 cmp -s "$TMPD/tx" "$TMPD/up4"
too_big=$(( $(ptb) - t0 ))
if [ "$n1" = 1 ] && cmp -s "$TMPD/tx" "$TMPD/up4" && [ "$too_big" -gt 0 ]; then
	pass "teardown: MTU lowered under an offloaded upload: $too_big too big packets answered with PTB, upload byte for byte"
else
	fail "teardown: MTU change: offloaded $n1, upload $(cmp -s "$TMPD/tx" "$TMPD/up4" && echo ok || echo differs), packet too big +$too_big"
fi
ip -n "$rtr" link set r4 mtu 1500

# The other way: r6's MTU lowered under an offloaded NAT64 download.  c4's
# segments would no longer fit once translated; the lookup before the
# translation leaves them to the slow path, whose "packet too big" reaches
# c4 translated, and c4 sends smaller segments.  c6 forgets the path MTU
# the upload's check taught it: on 6.1 it would advertise an MSS that
# fits the lowered MTU already.
ip -n "$c6" -6 route flush cache
t0=$(ptb)
timeout 120 ip netns exec "$c6" socat -u "TCP6:[$C4_ADDR6]:8082,bind=[$C6_NAT]" \
	"OPEN:$TMPD/down-mtu,creat,trunc" &
down=$!
sleep 1.5
n1=$(offloaded -p tcp --dport 8082)
ip -n "$rtr" link set r6 mtu 1300
wait $down
too_big=$(( $(ptb) - t0 ))
if [ "$n1" = 1 ] && cmp -s "$TMPD/tx" "$TMPD/down-mtu" && [ "$too_big" -gt 0 ]; then
	pass "teardown: MTU lowered under an offloaded download: $too_big too big packets answered, download byte for byte"
else
	fail "teardown: MTU change under a download: offloaded $n1, download $(cmp -s "$TMPD/tx" "$TMPD/down-mtu" && echo ok || echo differs), packet too big +$too_big"
fi
ip -n "$rtr" link set r6 mtu 1500

# Route change: the cached route is stale, the flow leaves the fast path
# and comes back with the new one.
udpflow 7005 5 > "$TMPD/f5" &
flow=$!
sleep 2
a0=$(stat flow_add)
ip -n "$rtr" route replace 192.0.2.0/24 dev r4 metric 1
sleep 1.5
a1=$(stat flow_add)
wait $flow
if [ "$a1" -gt "$a0" ] && most "$TMPD/f5"; then
	pass "teardown: route change: the flow left the fast path and was offloaded again with the new route (answers/sent: $(cat "$TMPD/f5"))"
else
	fail "teardown: route change: flow_add $a0 -> $a1, answers $(cat "$TMPD/f5")"
fi

# Neighbour change: c4 takes another MAC address and rtr learns it (as
# from a gratuitous ARP).  The fast path resolves the next hop for every
# packet, as the neighbour layer does for the slow path: the offloaded
# flow follows the new address without leaving the fast path.
udpflow 7006 6 > "$TMPD/f6" &
flow=$!
sleep 2
n1=$(offloaded -p udp --sport 7006)
f0=$(stat flow_fast)
mac=02:00:00:00:04:02
ip -n "$c4" link set c4-r address $mac
ip -n "$rtr" neigh replace "$C4_V4" lladdr $mac dev r4 nud reachable
sleep 2
n2=$(offloaded -p udp --sport 7006)
f1=$(stat flow_fast)
wait $flow
if [ "$n1" = 1 ] && [ "$n2" = 1 ] && [ "$f1" -gt "$f0" ] && most "$TMPD/f6"; then
	pass "teardown: neighbour change: the offloaded flow follows c4's new MAC address (answers/sent: $(cat "$TMPD/f6"), $((f1 - f0)) packets on the fast path meanwhile)"
else
	fail "teardown: neighbour change: offloaded before $n1, after $n2, fast path $f0 -> $f1, answers $(cat "$TMPD/f6")"
fi

# Device down: its flows go.
udpflow 7002 3 > /dev/null &
flow=$!
sleep 1.5
n1=$(offloaded -p udp --sport 7002)
ip -n "$rtr" link set r4 down
sleep 1.5
n2=$(offloaded -p udp --sport 7002)
wait $flow
ip -n "$rtr" link set r4 up
ip -n "$rtr" route replace "$PFX" dev r4
if [ "$n1" = 1 ] && [ "$n2" = 0 ]; then
	pass "teardown: device down takes its flows out of the fast path"
else
	fail "teardown: device down: offloaded before $n1, after $n2"
fi

# Rule removal under traffic: the last offload rule frees the table.
udpflow 7003 4 > /dev/null &
flow=$!
sleep 1.5
n1=$(offloaded)
ip netns exec "$rtr" nft flush chain ip6 nat64 x6
ip netns exec "$rtr" nft flush chain ip siit4 x4
sleep 1
n2=$(offloaded)
wait $flow
if [ "$n1" -ge 1 ] && [ "$n2" = 0 ]; then
	pass "teardown: removing the offload rules empties the fast path ($n1 -> 0 offloaded entries)"
else
	fail "teardown: rule removal: offloaded before $n1, after $n2"
fi

# Module unload under traffic: the ruleset goes (the flowtable with its
# last offload rule), nft_xlat is unloaded while the flow keeps sending,
# then loaded again with the rules: the same session is translated and
# offloaded again (the counters start from 0 with the new module) and a
# new one works.
load_rules offload >/dev/null 2>&1
udpflow 7008 12 > /dev/null &
flow=$!
sleep 2
n1=$(offloaded -p udp --sport 7008)
ip netns exec "$rtr" nft flush ruleset
unload=refused
unused() { [ "$(cat /sys/module/nft_xlat/refcnt)" = 0 ]; }
if busywait 10000 unused && rmmod nft_xlat 2>"$TMPD/err"; then
	unload="done"
	sleep 1
	insmod "$BUILD/nft_xlat.ko" || unload="done, insmod failed"
	load_rules offload >/dev/null 2>&1 || unload="$unload, rules refused"
fi
sleep 3
n2=$(offloaded -p udp --sport 7008)
fast=$(stat flow_fast)
wait $flow
echoed=$(udp_echo "$C6_NAT" 7009 20 200)
if [ "$unload" = "done" ] && [ "$n1" = 1 ] && [ "$n2" = 1 ] &&
   [ "${fast:-0}" -gt 0 ] && [ "$echoed" = 20 ]; then
	pass "teardown: nft_xlat unloaded under an offloaded flow and loaded again: offloaded again ($fast packets on the fast path), new flow 20/20"
else
	fail "teardown: module unload: $unload $(cat "$TMPD/err"), offloaded before $n1, after $n2, fast ${fast:-none}, new flow $echoed/20"
fi

# Netns exit under traffic: the translator's netns goes away while flows
# are offloaded (the harness checks the kernel log for warnings and leaks).
load_rules offload >/dev/null 2>&1
udpflow 7004 4 >/dev/null 2>&1 &
flow=$!
sleep 2
n1=$(offloaded)
ip netns del "$rtr"
wait $flow
if [ "$n1" -ge 1 ]; then
	pass "teardown: netns deleted with $n1 offloaded entries"
else
	fail "teardown: netns exit: nothing was offloaded before ($n1)"
fi
exit "$ret"
