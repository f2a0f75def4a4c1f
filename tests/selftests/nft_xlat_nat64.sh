#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stateful NAT64 (RFC 6146) from the kernel's IPv6 NAT plus nft_xlat: every
# session is an ordinary IPv6 conntrack entry (Documentation/nat64.rst,
# ruleset as in tests/lab/nat64.nft).
#
#  c6a 2001:db8:6::a (mtu 1500) --- r6a \
#                                         rtr --- r4 192.0.2.1 --- gw --- s4 203.0.113.2
#  c6b 2001:db8:7::b (mtu 1280) --- r6b /          192.0.2.254 | 203.0.113.1
#
# Prefix PFX (2001:db8:64::/96, not checksum-neutral), IPv4 pool
# 198.51.100.0/28 routed to rtr: .0-.7 dynamic, .14 static (tcp/80 ->
# [c6b]:8080), .15 for the exhaustion check.  s4 is seen from IPv6 as
# PFX::203.0.113.2.
# Namespace names are set by setup_ns (SC2154).
# shellcheck source=lib.sh disable=SC2154
source "$(dirname "$0")/lib.sh"

checktool "socat -V" "run the test without socat"
checktool "conntrack --version" "run the test without conntrack"

PFX=${PFX:-2001:db8:64::/96}
P=${PFX%::/96}
S4=203.0.113.2
GW=192.0.2.254
S6=$(embed "$PFX" "$S4")
POOL6=$(embed "$PFX" 198.51.100.0)/124
DYN6="$(embed "$PFX" 198.51.100.0)-$(embed "$PFX" 198.51.100.7)"
STATIC6=$(embed "$PFX" 198.51.100.14)
EXH6=$(embed "$PFX" 198.51.100.15)
A6=2001:db8:6::a
B6=2001:db8:7::b

setup_ns c6a c6b rtr gw s4
ip link add c6 netns "$c6a" type veth peer name r6a netns "$rtr"
ip link add c6 netns "$c6b" type veth peer name r6b netns "$rtr"
ip link add r4 netns "$rtr" type veth peer name g4r netns "$gw"
ip link add g4s netns "$gw" type veth peer name s4 netns "$s4"
ip -n "$c6b" link set c6 mtu 1280
ip -n "$rtr" link set r6b mtu 1280
for l in "$c6a c6" "$c6b c6" "$rtr r6a" "$rtr r6b" "$rtr r4" "$gw g4r" "$gw g4s" "$s4 s4"; do
	# shellcheck disable=SC2086
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$c6a" addr add $A6/64 dev c6 nodad
ip -n "$c6a" route add default via 2001:db8:6::1
ip -n "$c6b" addr add $B6/64 dev c6 nodad
ip -n "$c6b" route add default via 2001:db8:7::1
ip -n "$rtr" addr add 2001:db8:6::1/64 dev r6a nodad
ip -n "$rtr" addr add 2001:db8:7::1/64 dev r6b nodad
ip -n "$rtr" addr add 192.0.2.1/24 dev r4
ip -n "$rtr" route add 203.0.113.0/24 via $GW
ip -n "$rtr" route add "$PFX" dev r4
ip -n "$gw" addr add $GW/24 dev g4r
ip -n "$gw" addr add 203.0.113.1/24 dev g4s
ip -n "$gw" route add 198.51.100.0/24 via 192.0.2.1
ip -n "$s4" addr add $S4/24 dev s4
ip -n "$s4" route add default via 203.0.113.1
ip netns exec "$gw" sysctl -wq net.ipv4.ip_forward=1
ip netns exec "$rtr" sysctl -wq net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.forwarding=1 net.netfilter.nf_conntrack_acct=1 \
	net.netfilter.nf_conntrack_tcp_loose=0 \
	net.netfilter.nf_conntrack_icmpv6_timeout=60

echo "INFO: prefix $PFX, s4 is $S6, rules installed with $(xlat_nft_probe)"

# The NAT64 ruleset of tests/lab/nat64.nft with this topology's names.
load_ruleset() {
	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	table ip6 nat64 {
		counter unsolicited { }
		counter clamped { }
		ct timeout nat64-udp {
			protocol udp; l3proto ip6
			policy = { unreplied: 120, replied: 300 }
		}
		ct timeout short-udp {
			protocol udp; l3proto ip6
			policy = { unreplied: 5, replied: 5 }
		}
		chain static {
			type nat hook prerouting priority dstnat; policy accept
			ip6 daddr $STATIC6 tcp dport 80 dnat to [$B6]:8080
		}
		chain refuse {
			type filter hook prerouting priority dstnat + 10; policy accept
			ip6 daddr $POOL6 ct state new counter name unsolicited drop
		}
		chain timeouts {
			type filter hook prerouting priority filter; policy accept
			ct state new udp dport 9003 ct timeout set "short-udp" accept
			ct state new meta l4proto udp ct timeout set "nat64-udp"
		}
		chain forward {
			type filter hook forward priority filter; policy drop
			tcp flags syn / syn,rst counter name clamped tcp option maxseg size set rt mtu
			ct state established,related accept
			iifname { "r6a", "r6b" } ip6 daddr $PFX ct state new accept
			ct status dnat ct state new accept
		}
		chain pool {
			type nat hook postrouting priority srcnat; policy accept
			ip6 saddr != $PFX ct original ip6 daddr $PFX snat ip6 to $DYN6 persistent
		}
		chain out {
			type filter hook postrouting priority srcnat + 10; policy accept
			oifname "r4" ip6 saddr $PFX ip6 daddr $PFX jump x6
		}
		chain x6 { }
	}
	table netdev nat64in {
		chain in {
			type filter hook ingress device "r4" priority 0; policy accept
			ip daddr 198.51.100.0/28 jump x4
		}
		chain x4 { }
	}
	EOF
	xlat_rule "$rtr" ip6 nat64 x6 counter xlat from "$PFX" &&
	xlat_rule "$rtr" netdev nat64in x4 counter xlat to "$PFX"
}

# Endpoint-independent filtering (and with it hairpinning): a map from
# pool (proto, address, port) to client (address, port), filled after
# source NAT and read by a dnat for new flows to the pool.  $1 = "adf"
# restricts it to remote addresses the client has sent to.
load_eif() {
	local match=""
	[ "$1" = adf ] && match="meta l4proto . ip6 daddr . th dport . ip6 saddr @adf"
	ip netns exec "$rtr" nft -f - <<-EOF
	table ip6 nat64 {
		map bib {
			type inet_proto . ipv6_addr . inet_service : ipv6_addr . inet_service
			flags dynamic, timeout; timeout 5m
		}
		set adf {
			type inet_proto . ipv6_addr . inet_service . ipv6_addr
			flags dynamic, timeout; timeout 5m
		}
		chain eif {
			type nat hook prerouting priority dstnat + 5; policy accept
		}
		chain learn {
			type filter hook postrouting priority srcnat + 5; policy accept
			ct status snat ct direction original meta l4proto { tcp, udp } update @bib { meta l4proto . ct reply ip6 daddr . ct reply proto-dst : ct original ip6 saddr . ct original proto-src }
			ct status snat ct direction original meta l4proto { tcp, udp } update @adf { meta l4proto . ct reply ip6 daddr . ct reply proto-dst . ip6 daddr }
		}
	}
	flush chain ip6 nat64 eif
	add rule ip6 nat64 eif ip6 daddr $POOL6 meta l4proto { tcp, udp } $match dnat ip6 to meta l4proto . ip6 daddr . th dport map @bib
	EOF
}

ct6() { ip netns exec "$rtr" conntrack -L -f ipv6 "$@" 2>/dev/null; }
v4_of() {	# the IPv4 address in the last 32 bits of an IPv6 address
	python3 -c 'import ipaddress as i, sys; print(i.IPv4Address(int(i.IPv6Address(sys.argv[1])) & 0xffffffff))' "$1"
}
unsolicited() { nft_counter "$rtr" ip6 nat64 unsolicited; }
ct_errors() {	# insert_failed + drop over all CPUs
	ip netns exec "$rtr" conntrack -S 2>/dev/null |
		awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(insert_failed|drop)=/) {split($i, a, "="); s += a[2]}} END {print s + 0}'
}

# udp CLIENT_NS BIND_ADDR BIND_PORT DEST PORT SIZE COUNT [TIMEOUT]: send
# COUNT datagrams, expect each echoed byte for byte; prints the source
# address of the answers.
udp() {
	ip netns exec "$1" python3 - "${@:2}" <<-'EOF'
	import os, socket, sys
	a, p, d, dp, size, n = sys.argv[1:7]
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.bind((a, int(p)))
	s.settimeout(float(sys.argv[7]) if len(sys.argv) > 7 else 2)
	frm = None
	for i in range(int(n)):
	    data = os.urandom(int(size))
	    s.sendto(data, (d, int(dp)))
	    try:
	        back, frm = s.recvfrom(4096)
	    except socket.timeout:
	        sys.exit(1)
	    if back != data:
	        sys.exit(2)
	print(frm[0], frm[1])
	EOF
}

if ! load_ruleset; then
	fail "loading the NAT64 ruleset"
	exit $ret
fi

dd if=/dev/urandom of="$TMPD/tx" bs=1k count=1024 status=none
ip netns exec "$s4" socat TCP4-LISTEN:8080,reuseaddr,fork "SYSTEM:cat $TMPD/tx" &
ip netns exec "$s4" socat -u TCP4-LISTEN:8081,reuseaddr "OPEN:$TMPD/up-a,creat,trunc" &
ip netns exec "$s4" socat -u TCP4-LISTEN:8082,reuseaddr "OPEN:$TMPD/up-b,creat,trunc" &
ip netns exec "$s4" socat TCP4-LISTEN:8083,reuseaddr,fork PIPE &
for port in 9000 9001 9003; do
	ip netns exec "$s4" socat UDP4-RECVFROM:$port,reuseaddr,fork PIPE &
done
ip netns exec "$c6b" socat "TCP6-LISTEN:8080,reuseaddr,fork" PIPE &
busywait 5000 bash -c "ip netns exec $s4 ss -Hltn | grep -q 8083"
sleep 0.5

# --- several clients at once: TCP both ways, UDP, ping
clients() {
	local ns=$1 me=$2 tag=$3 up=$4
	timeout 60 ip netns exec "$ns" socat -u "TCP6:[$S6]:8080" "OPEN:$TMPD/down-$tag,creat,trunc" &
	timeout 60 ip netns exec "$ns" socat -u "OPEN:$TMPD/tx" "TCP6:[$S6]:$up" &
	udp "$ns" "$me" 0 "$S6" 9000 1000 20 > "$TMPD/udp-$tag" || echo fail > "$TMPD/udp-$tag" &
	ip netns exec "$ns" ping -q -c 3 -i 0.3 -W 2 "$S6" > "$TMPD/ping-$tag" 2>&1 || echo FAILED >> "$TMPD/ping-$tag" &
}
nstat_before=$(ip netns exec "$rtr" nstat -az Ip6InTooBigErrors Ip6OutTooBig 2>/dev/null | awk 'NR > 1 {s += $2} END {print s + 0}')
clients "$c6a" $A6 a 8081
clients "$c6b" $B6 b 8082
wait_for_clients() { sleep 1; while jobs -r | grep -q "timeout 60\|udp\|ping"; do sleep 0.5; done; }
wait_for_clients
for tag in a b; do
	if cmp -s "$TMPD/tx" "$TMPD/down-$tag" && cmp -s "$TMPD/tx" "$TMPD/up-$tag"; then
		pass "client $tag: TCP 1 MB each way through NAT64, byte for byte"
	else
		fail "client $tag: TCP down $(stat -c %s "$TMPD/down-$tag" 2>/dev/null), up $(stat -c %s "$TMPD/up-$tag" 2>/dev/null) of 1048576 bytes"
	fi
	if grep -q "^${P}::cb00:7102 9000" "$TMPD/udp-$tag"; then
		pass "client $tag: 20 UDP datagrams echoed byte for byte, from $(cat "$TMPD/udp-$tag")"
	else
		fail "client $tag: UDP echo: $(cat "$TMPD/udp-$tag")"
	fi
	if grep -q " 0% packet loss" "$TMPD/ping-$tag"; then
		pass "client $tag: ping through NAT64 (echo id mapped)"
	else
		fail "client $tag: ping: $(grep -E 'loss|FAIL' "$TMPD/ping-$tag")"
	fi
done
clamped=$(nft_counter "$rtr" ip6 nat64 clamped)
if [ "${clamped:-0}" -ge 4 ]; then
	pass "MSS clamping: $clamped SYN and SYN-ACK clamped to the route MTU (c6b on 1280, IPv4 on 1500)"
else
	fail "MSS clamping counter: ${clamped:-0}"
fi

# --- conntrack -L, entry by entry
ct6 > "$TMPD/ct"
echo "INFO: conntrack -L -f ipv6 after the transfers:"
sed 's/^/INFO:   /' "$TMPD/ct"
pool_re="${P}::c633:640[0-7]"
for c in $A6 $B6; do
	for port in 8080 8081 8082; do
		[ "$c" = $A6 ] && [ "$port" = 8082 ] && continue
		[ "$c" = $B6 ] && [ "$port" = 8081 ] && continue
		line=$(grep -E "^tcp .* src=$c dst=$S6 sport=[0-9]+ dport=$port .* src=$S6 dst=$pool_re sport=$port dport=[0-9]+ " "$TMPD/ct")
		if [ -n "$line" ] && grep -qE "TIME_WAIT|CLOSE|FIN_WAIT|LAST_ACK|CLOSE_WAIT" <<<"$line" &&
		   grep -q ASSURED <<<"$line" &&
		   awk -v p=$port '{n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^bytes=/) {split($i, b, "="); v[++n] = b[2]}
			big = (p == 8080) ? v[2] : v[1]; exit !(big > 1048576 && v[1] > 0 && v[2] > 0)}' <<<"$line"; then
			pass "conntrack: tcp $c -> [$S6]:$port, reply to the pool, closed, ASSURED, > 1 MB counted"
		else
			fail "conntrack: tcp $c -> $port: ${line:-no entry}"
		fi
	done
	# A UDP flow shorter than 2 s keeps the "unreplied" timeout: 120 s
	# from the nat64-udp policy instead of the default 30 s.
	line=$(grep -E "^udp .* src=$c dst=$S6 sport=[0-9]+ dport=9000 packets=20 bytes=$((20 * 1048)) src=$S6 dst=$pool_re sport=9000 dport=[0-9]+ packets=20 bytes=$((20 * 1048)) " "$TMPD/ct")
	if [ -n "$line" ] && [ "$(awk '{print $3}' <<<"$line")" -gt 60 ]; then
		pass "conntrack: udp $c -> [$S6]:9000, 20 packets/20960 bytes each way, timeout $(awk '{print $3}' <<<"$line") s (nat64-udp policy)"
	else
		fail "conntrack: udp $c -> 9000: $(grep -E "^udp .* src=$c .* dport=9000" "$TMPD/ct")"
	fi
	if grep -qE "^icmpv6 .* src=$c dst=$S6 type=128 code=0 id=[0-9]+ packets=3 .* src=$S6 dst=$pool_re type=129 code=0 id=[0-9]+ packets=3 " "$TMPD/ct"; then
		pass "conntrack: icmpv6 echo $c -> $S6, 3 requests and 3 replies"
	else
		fail "conntrack: icmpv6 $c: $(grep -E "^icmpv6 .* src=$c" "$TMPD/ct")"
	fi
done
# persistent: one client, one pool address, for every session
for c in $A6 $B6; do
	n=$(grep -E "src=$c " "$TMPD/ct" | grep -oE "dst=$pool_re " | sort -u | wc -l)
	if [ "$n" = 1 ]; then
		pass "persistent: every session of $c uses one pool address"
	else
		fail "persistent: $c uses $n pool addresses"
	fi
done
after=$(ip netns exec "$rtr" nstat -az Ip6InTooBigErrors Ip6OutTooBig 2>/dev/null | awk 'NR > 1 {s += $2} END {print s + 0}')
echo "INFO: too-big events at rtr: $((after - nstat_before)); nft_xlat: $(ip netns exec "$rtr" cat /proc/net/stat/nft_xlat 2>/dev/null | grep -E 'too_big|icmp_sent' | tr '\n' ' ')"

# --- ICMP errors from IPv4 reach the IPv6 client, matched to the session
icmp_err() {	# NS SRC HOPS PORT: print "type code offender" of the error
	ip netns exec "$1" python3 - "$2" "$S6" "$3" "$4" <<-'EOF'
	import socket, struct, sys, select
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.setsockopt(socket.IPPROTO_IPV6, 25, 1)		# IPV6_RECVERR
	s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, int(sys.argv[3]))
	s.bind((sys.argv[1], 0))
	s.connect((sys.argv[2], int(sys.argv[4])))
	s.send(b'x' * 32)
	select.select([], [], [], 3)
	for _ in range(30):
	    try:
	        _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
	    except BlockingIOError:
	        select.select([s], [], [], 0.1)
	        continue
	    for lvl, typ, data in anc:
	        errno, origin, etype, code = struct.unpack('=IBBB', data[:7])
	        off = socket.inet_ntop(socket.AF_INET6, data[16 + 8:16 + 24])
	        print(etype, code, off)
	        sys.exit(0)
	print('none')
	EOF
}
got=$(icmp_err "$c6a" $A6 2 9002)
if [ "$got" = "3 0 $(embed "$PFX" $GW)" ]; then
	pass "ICMP error: time exceeded from IPv4 router $GW reaches $A6 as ICMPv6 3/0 from $(embed "$PFX" $GW)"
else
	fail "ICMP error: time exceeded from $GW: got '$got' (ICMP error translation in nf_xlat_icmp.c?)"
fi
got=$(icmp_err "$c6a" $A6 64 9002)
if [ "$got" = "1 4 $S6" ]; then
	pass "ICMP error: port unreachable from $S4 reaches $A6 as ICMPv6 1/4"
else
	fail "ICMP error: port unreachable from $S4: got '$got'"
fi
# An ICMPv6 error from the client about a session reaches the IPv4 server:
# s4 answers c6a's UDP session after c6a closed its socket; c6a's port
# unreachable is related to the session, NATed back to the pool address
# (inner packet included) and translated to ICMPv4 3/3.
ip netns exec "$s4" python3 - > "$TMPD/err6" 2>&1 <<-'EOF' &
import socket, struct, select
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 11, 1)		# IP_RECVERR
s.bind(('0.0.0.0', 9005)); s.settimeout(8)
print('ready', flush=True)
try:
    d, peer = s.recvfrom(100)
except socket.timeout:
    print('none'); raise SystemExit
s.connect(peer)
select.select([], [], [], 1)
s.send(b'late')
for _ in range(40):
    try:
        _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except BlockingIOError:
        select.select([s], [], [], 0.1)
        continue
    for lvl, typ, data in anc:
        errno, origin, etype, code = struct.unpack('=IBBB', data[:7])
        print(etype, code, socket.inet_ntoa(data[16 + 4:16 + 8]), peer[0], flush=True)
        raise SystemExit
print('no error', peer[0])
EOF
err6pid=$!
busywait 5000 grep -qs ready "$TMPD/err6"
ip netns exec "$c6a" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 46010)); s.sendto(b"open", (sys.argv[2], 9005))' $A6 "$S6"
wait $err6pid
read -r et ec off peer < <(tail -1 "$TMPD/err6")
if [ "$et $ec" = "3 3" ] && [ "$off" = "$peer" ] && [ "${peer%.*}" = 198.51.100 ]; then
	pass "ICMP error: port unreachable from $A6 reaches $S4 as ICMPv4 3/3 from the session's pool address $peer"
else
	fail "ICMP error from the IPv6 side: s4 got '$(tr '\n' ' ' < "$TMPD/err6")'"
fi
# shellcheck disable=SC2016
echo "INFO: nft_xlat counters: $(ip netns exec "$rtr" awk '$2 != 0' /proc/net/stat/nft_xlat 2>/dev/null | tr '\n' ' ')"

# --- conntrack -D ends a TCP session
ip netns exec "$c6a" python3 - $A6 "$S6" > "$TMPD/del" 2>&1 <<-EOF &
import socket, sys, time
s = socket.create_connection((sys.argv[2], 8083), source_address=(sys.argv[1], 44444))
s.settimeout(2)
s.sendall(b'before'); print('1', s.recv(100).decode(), flush=True)
time.sleep(3)
s.sendall(b'after')
try:
    print('2', s.recv(100).decode() or 'eof', flush=True)
except Exception as e:
    print('2', type(e).__name__, flush=True)
EOF
delpid=$!
busywait 10000 grep -q "^1 before" "$TMPD/del"
before_d=$(ct6 -p tcp --orig-port-src 44444 | grep -c ESTABLISHED)
ip netns exec "$rtr" conntrack -D -f ipv6 -p tcp --orig-port-src 44444 >/dev/null 2>&1
wait $delpid
after_d=$(ct6 -p tcp --orig-port-src 44444 | wc -l)
if [ "$before_d" = 1 ] && grep -q "^1 before" "$TMPD/del" && ! grep -q "^2 after" "$TMPD/del" && [ "$after_d" = 0 ]; then
	pass "conntrack -D: established session ended, next packet refused ($(sed -n 2p "$TMPD/del"))"
else
	fail "conntrack -D: before $before_d entries, after $after_d; client: $(tr '\n' ' ' < "$TMPD/del")"
fi

# --- expiry with a short ct timeout policy, seen by conntrack -E
ip netns exec "$rtr" timeout 20 conntrack -E -f ipv6 -p udp --orig-port-dst 9003 > "$TMPD/events" 2>/dev/null &
evpid=$!
sleep 0.5
# The entry is listed right after the exchange (its timeout at most the
# policy's 5 s, far below the default 30/120 s), then must be gone within
# 12 s; listing also reaps expired entries, so no waiting for conntrack's
# garbage collector.
udp "$c6a" $A6 45000 "$S6" 9003 10 1 >/dev/null
t1=$(ct6 -p udp --orig-port-dst 9003 | awk '{print $3}' | head -1)
t0=$(date +%s)
if busywait 12000 bash -c "! ip netns exec $rtr conntrack -L -f ipv6 -p udp --orig-port-dst 9003 2>/dev/null | grep -q ."; then
	gone="gone after $(($(date +%s) - t0)) s"
else
	gone="still listed after 12 s"
fi
busywait 5000 grep -q DESTROY "$TMPD/events"
kill $evpid 2>/dev/null; wait $evpid 2>/dev/null
if [ -n "$t1" ] && [ "$t1" -le 5 ] && [ "${gone#gone}" != "$gone" ]; then
	pass "ct timeout short-udp: entry with timeout $t1 s (policy 5 s), $gone"
else
	fail "ct timeout short-udp: timeout '${t1:-no entry}', $gone"
fi
if grep -q "\[NEW\] udp .*src=$A6 .*dport=9003 .*dst=$pool_re" "$TMPD/events" &&
   grep -q "\[DESTROY\] udp .*src=$A6 .*dport=9003" "$TMPD/events"; then
	pass "conntrack -E: NEW and DESTROY of the NAT64 session reported"
else
	fail "conntrack -E: $(tr '\n' ' ' < "$TMPD/events")"
fi

# --- unsolicited IPv4 to the pool: dropped, counted, no state
u0=$(unsolicited)
ip netns exec "$s4" python3 - <<-'EOF'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in (5555, 5556, 5557):
    u.sendto(b'knock', ('198.51.100.3', port))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(1)
try:
    t.connect(('198.51.100.3', 22))
except Exception:
    pass
EOF
u1=$(unsolicited)
n=$(ct6 | grep -cE "sport=(5555|5556|5557|22) |dport=(5555|5556|5557|22) ")
if [ $((u1 - u0)) -ge 4 ] && [ "$n" = 0 ]; then
	pass "unsolicited IPv4 to the pool: $((u1 - u0)) packets dropped and counted, no conntrack entry"
else
	fail "unsolicited IPv4: counter +$((u1 - u0)) (want >= 4), $n conntrack entries"
fi

# --- static mapping 198.51.100.14:80 -> [c6b]:8080
got=$(echo static-hello | timeout 5 ip netns exec "$s4" socat - TCP4:198.51.100.14:80,connect-timeout=3 2>&1)
line=$(ct6 -p tcp | grep -E "src=$S6 dst=$STATIC6 sport=[0-9]+ dport=80 .* src=$B6 dst=$S6 sport=8080 ")
if [ "$got" = static-hello ] && [ -n "$line" ]; then
	pass "static mapping: $S4 -> 198.51.100.14:80 reaches [$B6]:8080, one IPv6 entry"
else
	fail "static mapping: got '$got', entry '${line}'"
fi

# --- hairpinning through the static mapping (RFC 6146 section 3.8): c6a
# reaches c6b's IPv4 transport address 198.51.100.14:80 by its IPv6 form.
# The router applies both NATs to one IPv6 entry, c6b sees c6a as a pool
# address, and no packet leaves as IPv4.
tx0=$(ip netns exec "$rtr" cat /sys/class/net/r4/statistics/tx_packets)
got=$(echo hairpin-tcp | timeout 5 ip netns exec "$c6a" socat - "TCP6:[$STATIC6]:80,connect-timeout=3" 2>&1)
tx1=$(ip netns exec "$rtr" cat /sys/class/net/r4/statistics/tx_packets)
line=$(ct6 -p tcp -s $A6 | grep -E "src=$A6 dst=$STATIC6 sport=[0-9]+ dport=80 .* src=$B6 dst=$pool_re sport=8080 dport=[0-9]+ ")
if [ "$got" = hairpin-tcp ] && [ -n "$line" ] && [ "$tx0" = "$tx1" ]; then
	pass "hairpinning (TCP, static mapping): $A6 reaches [$B6]:8080 via 198.51.100.14:80, seen from $(v4_of "$(sed -nE "s/.* src=$B6 dst=([^ ]+) sport=8080 .*/\1/p" <<<"$line")"), nothing sent on r4"
else
	fail "hairpinning (TCP, static mapping): got '$got', entry '${line}', r4 sent $((tx1 - tx0)) packets"
fi

# --- conntrack zones: c6b's sessions live in zone 7 and take pool address
# .12; the answers, translated at ingress, are put in the same zone by
# their destination.
ZONE6=$(embed "$PFX" 198.51.100.12)
ip netns exec "$rtr" nft -f - <<-EOF
table ip6 nat64zone {
	chain raw {
		type filter hook prerouting priority raw; policy accept
		iifname "r6b" ct zone set 7
		ip6 daddr $ZONE6 ct zone set 7
	}
	chain pool {
		type nat hook postrouting priority srcnat - 1; policy accept
		ct zone 7 ip6 saddr != $PFX ct original ip6 daddr $PFX snat ip6 to $ZONE6
	}
}
EOF
from=$(udp "$c6b" $B6 49000 "$S6" 9000 200 5)
line=$(ct6 -p udp --orig-port-src 49000 | grep -E "src=$B6 dst=$S6 sport=49000 dport=9000 packets=5 .* src=$S6 dst=$ZONE6 sport=9000 dport=[0-9]+ packets=5 .* zone=7 ")
n0=$(ct6 -p udp --orig-port-src 49000 | grep -vc "zone=7")
if [ "$from" = "$S6 9000" ] && [ -n "$line" ] && [ "$n0" = 0 ]; then
	pass "conntrack zones: c6b's session is one entry in zone 7 on pool address 198.51.100.12, 5 of 5 answered"
else
	fail "conntrack zones: answers from '$from', zone 7 entry '${line}', $n0 entries outside zone 7"
fi
ip netns exec "$rtr" nft delete table ip6 nat64zone

# --- endpoint-independent filtering and hairpinning
# pool_mapping SPORT: "ADDR6 PORT", the pool transport address of c6a's
# UDP session from port SPORT to s4:9000, read from conntrack.
pool_mapping() {
	ct6 -p udp --orig-port-src "$1" |
		sed -nE "s/.* src=$S6 dst=($pool_re) sport=9000 dport=([0-9]+) .*/\1 \2/p" | head -1
}
# mapped_client SPORT: c6a opens a mapping from SPORT to s4:9000, then
# prints every datagram it receives as "PAYLOAD ADDR PORT" and answers
# "eif-gw" and "hairpin" with "<payload> back", until killed (or 30 s of
# silence).  Run in the background, $! is the python process.
mapped_client() {
	exec ip netns exec "$c6a" python3 - $A6 "$S6" "$1" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.bind((sys.argv[1], int(sys.argv[3]))); s.settimeout(30)
	s.sendto(b'open', (sys.argv[2], 9000)); s.recvfrom(100)
	print('mapped', flush=True)
	try:
	    while True:
	        d, a = s.recvfrom(100)
	        d = d.decode().strip()
	        print(d, a[0], a[1], flush=True)
	        if d in ('eif-gw', 'hairpin'):
	            s.sendto(d.encode() + b' back', a)
	except socket.timeout:
	    pass
	EOF
}
eif_ok=yes
if ! load_eif eif 2>"$TMPD/eiferr"; then
	eif_ok=no
	why="nft cannot load the @bib map: $(grep -m1 -E 'rror|ssert' "$TMPD/eiferr" | head -c 160)"
	skip "endpoint-independent filtering: $why"
	skip "endpoint-independent filtering (TCP): $why"
	skip "hairpinning (UDP, EIF map): needs the @bib map ($why)"
	skip "address-dependent filtering: needs the @bib map ($why)"
else
	mapped_client 46000 > "$TMPD/eif" 2>&1 &
	eifpid=$!
	busywait 8000 grep -qs mapped "$TMPD/eif"
	read -r m6 mport < <(pool_mapping 46000)
	if [ -z "$m6" ] || [ -z "$mport" ]; then
		fail "endpoint-independent filtering: no session of $A6 port 46000 in conntrack (client: '$(tr '\n' ' ' < "$TMPD/eif")')"
		fail "hairpinning (UDP, EIF map): no mapping to hairpin to"
	else
		m4=$(v4_of "$m6")
		echo "INFO: $A6 port 46000 is mapped to $m4:$mport; @bib: $(ip netns exec "$rtr" nft list map ip6 nat64 bib | grep -o 'udp . [^}]*46000[^,}]*' | head -1)"
		# gw never received anything from c6a: EIF lets it in anyway.
		got=$(echo eif-gw | timeout 4 ip netns exec "$gw" socat -t 2 - "UDP4:$m4:$mport,sourceport=47000" 2>/dev/null)
		if grep -q "^eif-gw $(embed "$PFX" $GW) 47000" "$TMPD/eif" && [ "$got" = "eif-gw back" ]; then
			pass "endpoint-independent filtering: $GW (never contacted) reaches $A6 through $m4:$mport and gets an answer"
		else
			fail "endpoint-independent filtering: client saw '$(tr '\n' ' ' < "$TMPD/eif")', gw got '$got'"
		fi

		# hairpinning: c6b reaches c6a at c6a's pool address and port,
		# and gets the answer from there.
		got=$(ip netns exec "$c6b" python3 - $B6 "$m6" "$mport" 2>&1 <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		s.bind((sys.argv[1], 46001)); s.settimeout(3)
		s.sendto(b'hairpin', (sys.argv[2], int(sys.argv[3])))
		try:
		    d, a = s.recvfrom(100)
		    print(d.decode(), a[0], a[1])
		except socket.timeout:
		    print('timeout')
		EOF
		)
		line=$(grep "^hairpin " "$TMPD/eif")
		if grep -qE "^hairpin ${P}::c633:640[0-7] [0-9]+$" <<<"$line" &&
		   [ "$got" = "hairpin back $m6 $mport" ]; then
			pass "hairpinning (UDP, EIF map): $B6 reaches $A6 via $m4:$mport (seen from pool address $(v4_of "$(cut -d' ' -f2 <<<"$line")") port ${line##* }), answer comes back from $m4:$mport"
		else
			fail "hairpinning (UDP, EIF map): c6a saw '${line}', c6b got '$got'"
		fi
	fi
	kill $eifpid 2>/dev/null; wait $eifpid 2>/dev/null

	# EIF for TCP: c6a connects from port 46010 to s4 and listens on the
	# same port (SO_REUSEPORT); gw, which c6a never contacted, connects
	# to the pool address and port of that session and reaches the
	# listener (the NAT traversal that TCP hole punching relies on).
	ip netns exec "$c6a" python3 - $A6 "$S6" > "$TMPD/eiftcp" 2>&1 <<-'EOF' &
	import socket, sys
	def sock():
	    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
	    s.bind((sys.argv[1], 46010)); s.settimeout(20)
	    return s
	c = sock(); c.connect((sys.argv[2], 8083)); c.sendall(b'open\n'); c.recv(100)
	l = sock(); l.listen(1)
	print('mapped', flush=True)
	a, peer = l.accept(); a.settimeout(5)
	d = a.recv(100).decode().strip()
	print(d, peer[0], peer[1], flush=True)
	a.sendall(d.encode() + b' back\n'); a.close(); c.close()
	EOF
	tcppid=$!
	busywait 8000 grep -qs mapped "$TMPD/eiftcp"
	read -r t6 tport < <(ct6 -p tcp --orig-port-src 46010 |
		sed -nE "s/.* src=$S6 dst=($pool_re) sport=8083 dport=([0-9]+) .*/\1 \2/p" | head -1)
	got=""
	[ -n "$t6" ] && got=$(echo eif-tcp | timeout 5 ip netns exec "$gw" socat - "TCP4:$(v4_of "$t6"):$tport,sourceport=47010,connect-timeout=3" 2>&1)
	wait $tcppid 2>/dev/null
	if [ -n "$t6" ] && [ "$got" = "eif-tcp back" ] && grep -q "^eif-tcp $(embed "$PFX" $GW) 47010" "$TMPD/eiftcp"; then
		pass "endpoint-independent filtering (TCP): $GW (never contacted) connects to $A6 port 46010 through $(v4_of "$t6"):$tport"
	else
		fail "endpoint-independent filtering (TCP): mapping '$t6 $tport', gw got '$got', client '$(tr '\n' ' ' < "$TMPD/eiftcp")'"
	fi

	# address-dependent: only remote addresses the client sent to
	if load_eif adf 2>"$TMPD/eiferr"; then
		u0=$(unsolicited)
		mapped_client 46002 > "$TMPD/adf" 2>&1 &
		adfpid=$!
		busywait 8000 grep -qs mapped "$TMPD/adf"
		read -r m6 mport < <(pool_mapping 46002)
		if [ -n "$m6" ] && [ -n "$mport" ]; then
			m4=$(v4_of "$m6")
			echo adf-gw | timeout 3 ip netns exec "$gw" socat -u - "UDP4:$m4:$mport,sourceport=47001" 2>/dev/null
			echo adf-s4 | timeout 3 ip netns exec "$s4" socat -u - "UDP4:$m4:$mport,sourceport=47002" 2>/dev/null
			busywait 5000 grep -q "^adf-s4" "$TMPD/adf"
			sleep 0.5	# adf-gw was sent first: give it as long
		fi
		kill $adfpid 2>/dev/null; wait $adfpid 2>/dev/null
		u1=$(unsolicited)
		if [ -n "$m6" ] && grep -q "^adf-s4 $S6 47002" "$TMPD/adf" && ! grep -q "^adf-gw" "$TMPD/adf" && [ $((u1 - u0)) -ge 1 ]; then
			pass "address-dependent filtering: $S4 from a new port accepted, $GW refused and counted"
		else
			fail "address-dependent filtering: mapping '$m6 $mport', client saw '$(tr '\n' ' ' < "$TMPD/adf")', unsolicited +$((u1 - u0))"
		fi
	else
		fail "address-dependent filtering: loading the @adf set: $(head -c 200 "$TMPD/eiferr")"
	fi
	load_eif eif
fi

# --- the lab ruleset loads as it is documented
setup_ns lab
ip -n "$lab" link add lan0 type dummy
ip -n "$lab" link add wan0 type dummy
if ip netns exec "$lab" nft -f "$SRC/tests/lab/nat64.nft" 2>"$TMPD/laberr"; then
	labres="loads"
elif [ $eif_ok = no ] &&
     nat64_without_bib | ip netns exec "$lab" nft -f - 2>>"$TMPD/laberr"; then
	labres="loads without the bib map and the eif and learn chains (this nft cannot build the map)"
else
	labres=""
fi
if [ -n "$labres" ] && xlat_rule "$lab" ip6 nat64 x6 counter xlat from 64:ff9b::/96 2>>"$TMPD/laberr" &&
   xlat_rule "$lab" netdev nat64in x4 counter xlat to 64:ff9b::/96 2>>"$TMPD/laberr"; then
	pass "tests/lab/nat64.nft $labres, with its two xlat rules"
else
	fail "tests/lab/nat64.nft: $(tr '\n' ' ' < "$TMPD/laberr" | head -c 300)"
fi

# --- pool exhaustion: one address, three ports
ip netns exec "$rtr" nft -f - <<-EOF
flush chain ip6 nat64 pool
add rule ip6 nat64 pool ip6 saddr != $PFX ct original ip6 daddr $PFX meta l4proto { tcp, udp } snat ip6 to [$EXH6]:2000-2002
EOF
ok=0
for p in 48001 48002 48003; do
	udp "$c6a" $A6 $p "$S6" 9001 100 1 >/dev/null && ok=$((ok + 1))
done
e0=$(ct_errors)
udp "$c6a" $A6 48004 "$S6" 9001 100 1 1 >/dev/null && fourth=answered || fourth=refused
e1=$(ct_errors)
n=$(ct6 -p udp -d "$S6" --orig-port-dst 9001 | grep -c "dst=$EXH6 ")
if [ $ok = 3 ] && [ "$fourth" = refused ] && [ "$n" = 3 ]; then
	pass "pool exhaustion: 3 ports used by 3 sessions, the 4th refused (conntrack insert_failed/drop +$((e1 - e0)))"
else
	fail "pool exhaustion: $ok of 3 sessions, 4th $fourth, $n entries on $EXH6"
fi
ok=0
for p in 48001 48002 48003; do
	udp "$c6a" $A6 $p "$S6" 9001 100 1 >/dev/null && ok=$((ok + 1))
done
ip netns exec "$rtr" conntrack -D -f ipv6 -p udp --orig-port-src 48001 >/dev/null 2>&1
if [ $ok = 3 ] && udp "$c6a" $A6 48004 "$S6" 9001 100 1 >/dev/null; then
	pass "pool exhaustion: existing sessions unaffected; after conntrack -D of one, a new session gets its port"
else
	fail "pool exhaustion: $ok of 3 existing sessions still work, recovery failed"
fi
ip netns exec "$rtr" nft -f - <<-EOF
flush chain ip6 nat64 pool
add rule ip6 nat64 pool ip6 saddr != $PFX ct original ip6 daddr $PFX snat ip6 to $DYN6 persistent
EOF

# --- HA: two translators sharing state with conntrackd (FTFW)
#
#            hc 2001:db8:a::100 (br6)            VIPs on the active one:
#           /                      \             2001:db8:a::1, 203.0.113.1
#   lan  ha ::11 | .11     sy     hb ::12 | .12  lan
#   wan     \      10.255.0.1 -- .2      /       wan
#            hs 203.0.113.2 (br4), pool 198.51.100.0/24 via 203.0.113.1
ha_ruleset() {	# NS
	ip netns exec "$1" nft -f - <<-EOF || return 1
	table ip6 nat64 {
		counter fwdrop { }
		chain forward {
			type filter hook forward priority filter; policy accept
			ct state established,related accept
			iifname "lan" ip6 daddr $PFX ct state new accept
			counter name fwdrop drop
		}
		chain pool {
			type nat hook postrouting priority srcnat; policy accept
			ip6 saddr != $PFX ct original ip6 daddr $PFX snat ip6 to $DYN6 persistent
		}
		chain out {
			type filter hook postrouting priority srcnat + 10; policy accept
			oifname "wan" ip6 saddr $PFX ip6 daddr $PFX jump x6
		}
		chain x6 { }
	}
	table netdev nat64in {
		chain in {
			type filter hook ingress device "wan" priority 0; policy accept
			ip daddr 198.51.100.0/28 jump x4
		}
		chain x4 { }
	}
	EOF
	xlat_rule "$1" ip6 nat64 x6 counter xlat from "$PFX" &&
	xlat_rule "$1" netdev nat64in x4 counter xlat to "$PFX"
}

ha_conf() {	# NAME LOCAL PEER
	cat <<-EOF
	Sync {
		Mode FTFW {
			DisableExternalCache Off
		}
		UDP {
			IPv4_address $2
			IPv4_Destination_Address $3
			Port 3780
			Interface sy
			SndSocketBuffer 1249280
			RcvSocketBuffer 1249280
			Checksum on
		}
	}
	General {
		HashSize 8192
		HashLimit 65536
		LogFile $TMPD/ha-$1.log
		Syslog off
		LockFile $TMPD/ha-$1.lock
		UNIX {
			Path $TMPD/ha-$1.ctl
		}
		NetlinkBufferSize 2097152
		NetlinkBufferSizeMaxGrowth 8388608
		Filter From Userspace {
			Address Ignore {
				IPv4_address 127.0.0.1
				IPv6_address ::1
				IPv4_address 10.255.0.1
				IPv4_address 10.255.0.2
			}
		}
	}
	EOF
}

ha_vip() {	# NS add|del
	ip -n "$1" addr "$2" 2001:db8:a::1/64 dev lan nodad
	ip -n "$1" addr "$2" 203.0.113.1/24 dev wan
}

ha_test() {
	local n ns hc_addr=2001:db8:a::100
	setup_ns hc ha hb hs || return 1
	ip -n "$hc" link add br6 type bridge
	ip -n "$hs" link add br4 type bridge
	ip link add sy netns "$ha" type veth peer name sy netns "$hb"
	n=11
	for ns in $ha $hb; do
		ip link add lan netns "$ns" type veth peer name p$n netns "$hc"
		ip link add wan netns "$ns" type veth peer name p$n netns "$hs"
		ip -n "$hc" link set p$n master br6 up
		ip -n "$hs" link set p$n master br4 up
		ip -n "$ns" link set lan up
		ip -n "$ns" link set wan up
		ip -n "$ns" link set sy up
		ip -n "$ns" addr add 2001:db8:a::$n/64 dev lan nodad
		ip -n "$ns" addr add 203.0.113.$n/24 dev wan
		ip -n "$ns" addr add 10.255.0.$((n - 10))/30 dev sy
		ip -n "$ns" route add "$PFX" dev wan
		ip netns exec "$ns" sysctl -wq net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 net.netfilter.nf_conntrack_acct=1 \
			net.netfilter.nf_conntrack_tcp_loose=0
		ha_ruleset "$ns" || return 1
		ha_conf $n 10.255.0.$((n - 10)) 10.255.0.$((n == 11 ? 2 : 1)) > "$TMPD/ha-$n.conf"
		n=$((n + 1))
	done
	ip -n "$hc" link set br6 up
	ip -n "$hs" link set br4 up
	ip -n "$hc" addr add 2001:db8:a::100/64 dev br6 nodad
	ip -n "$hc" route add default via 2001:db8:a::1
	ip -n "$hs" addr add $S4/24 dev br4
	ip -n "$hs" route add 198.51.100.0/24 via 203.0.113.1
	ha_vip "$ha" add

	ip netns exec "$ha" conntrackd -C "$TMPD/ha-11.conf" -d
	ip netns exec "$hb" conntrackd -C "$TMPD/ha-12.conf" -d
	if ! busywait 5000 test -S "$TMPD/ha-11.ctl" -a -S "$TMPD/ha-12.ctl"; then
		fail "conntrackd: did not start: $(cat "$TMPD"/ha-1?.log 2>/dev/null | tail -5 | tr '\n' ' ')"
		fail "conntrackd -c: no daemons"
		fail "conntrackd failover: no daemons"
		return 0
	fi

	ip netns exec "$hs" socat TCP4-LISTEN:8090,reuseaddr PIPE &
	busywait 5000 bash -c "ip netns exec $hs ss -Hltn | grep -q 8090"
	# A long echo session: 1000-byte chunks of a known sequence every
	# 50 ms, every echo compared, until $TMPD/ha-stop appears.
	ip netns exec "$hc" python3 - "$S6" "$TMPD/ha-stop" > "$TMPD/ha-client" 2>&1 <<-'EOF' &
	import hashlib, os, socket, sys, time
	s = socket.create_connection((sys.argv[1], 8090), timeout=5)
	s.settimeout(30)
	print('port', s.getsockname()[1], flush=True)
	sent = got = 0
	i = 0
	while not os.path.exists(sys.argv[2]):
	    chunk = hashlib.sha512(b'%d' % i).digest() * 15 + b'x' * 40
	    s.sendall(chunk)
	    back = b''
	    try:
	        while len(back) < len(chunk):
	            d = s.recv(len(chunk) - len(back))
	            if not d:
	                print('eof after', got, flush=True); sys.exit(1)
	            back += d
	    except socket.timeout:
	        print('timeout after', got, flush=True); sys.exit(1)
	    if back != chunk:
	        print('mismatch at', got, flush=True); sys.exit(1)
	    got += len(back); i += 1
	    if i % 20 == 0:
	        print('echoed', got, flush=True)
	    time.sleep(0.05)
	print('done', got, flush=True)
	EOF
	local cpid=$!
	busywait 10000 grep -q "^echoed" "$TMPD/ha-client"
	local cport
	cport=$(sed -n 's/^port //p' "$TMPD/ha-client")
	# wait for the session to be ESTABLISHED in the backup's external cache
	busywait 10000 bash -c "ip netns exec $hb conntrackd -C $TMPD/ha-12.conf -e 2>/dev/null |
		grep -F 'sport=$cport ' | grep -q ESTABLISHED"
	local ea eb
	ea=$(ip netns exec "$ha" conntrack -L -f ipv6 -p tcp --orig-port-src "$cport" 2>/dev/null)
	eb=$(ip netns exec "$hb" conntrackd -C "$TMPD/ha-12.conf" -e 2>/dev/null | grep -F "sport=$cport ")
	echo "INFO: active translator: $ea"
	echo "INFO: backup's external cache: $eb"
	if [ -n "$ea" ] && [ -n "$eb" ] && grep -q ESTABLISHED <<<"$eb"; then
		pass "conntrackd: the active translator's session [$hc_addr]:$cport is in the backup's external cache"
	else
		fail "conntrackd: session not replicated (active: '$ea', backup cache: '$eb'; $(tail -3 "$TMPD"/ha-12.log 2>/dev/null | tr '\n' ' '))"
	fi

	# Failover: the active translator goes away, the backup takes the
	# addresses (keepalived's gratuitous ARP/NA: flushed neighbours here)
	# and commits the replicated sessions as primary-backup.sh does.
	local before op eb2 eb3 after xb
	before=$(grep -c "^echoed" "$TMPD/ha-client")
	ha_vip "$ha" del
	ip -n "$ha" link set lan down
	ip -n "$ha" link set wan down
	ha_vip "$hb" add
	ip -n "$hc" neigh flush dev br6
	ip -n "$hs" neigh flush dev br4
	for op in c f R B; do
		ip netns exec "$hb" conntrackd -C "$TMPD/ha-12.conf" -$op >/dev/null 2>&1 ||
			echo "INFO: conntrackd -$op failed on the backup"
	done
	eb2=$(ip netns exec "$hb" conntrack -L -f ipv6 -p tcp --orig-port-src "$cport" 2>/dev/null)
	echo "INFO: backup after the commit: $eb2"
	# Same session, same pool transport address on the backup.
	if [ -n "$eb2" ] && [ "$(grep -oE 'src=[^ ]+ dst=[^ ]+ sport=8090 dport=[0-9]+' <<<"$eb2")" = \
			       "$(grep -oE 'src=[^ ]+ dst=[^ ]+ sport=8090 dport=[0-9]+' <<<"$ea")" ]; then
		pass "conntrackd -c: the backup's entry has the active one's pool address and port ($(grep -oE 'dst=[^ ]+ sport=8090 dport=[0-9]+' <<<"$eb2"))"
	else
		fail "conntrackd -c: backup entry '${eb2}' vs active '${ea}'"
	fi
	# let the session run through the backup: 60 more chunks echoed
	busywait 30000 bash -c "[ \$(grep -c '^echoed' $TMPD/ha-client) -ge $((before + 3)) ]"
	touch "$TMPD/ha-stop"
	wait $cpid
	after=$(grep -c "^echoed" "$TMPD/ha-client")
	xb=$(xlat_counter "$hb" ip6 nat64 x6)
	eb3=$(ip netns exec "$hb" conntrack -L -f ipv6 -p tcp --orig-port-src "$cport" 2>/dev/null)
	echo "INFO: backup at the end: $eb3"
	echo "INFO: forward drops (invalid without a committed entry): active $(nft_counter "$ha" ip6 nat64 fwdrop), backup $(nft_counter "$hb" ip6 nat64 fwdrop)"
	if grep -q "^done" "$TMPD/ha-client" && [ "$after" -gt "$before" ] && [ "${xb%% *}" -gt 0 ]; then
		pass "conntrackd failover: the TCP session continued through the backup byte for byte ($(sed -n 's/^done //p' "$TMPD/ha-client") bytes echoed, $((after - before))x20 chunks after the failover, ${xb%% *} packets translated by the backup)"
	else
		fail "conntrackd failover: client '$(tail -2 "$TMPD/ha-client" | tr '\n' ' ')', echoes before $before after $after, backup xlat counter '${xb}'"
	fi
}

if ! command -v conntrackd >/dev/null; then
	skip "conntrackd failover: conntrackd is not installed (tests/rig/mkroot.sh installs it)"
elif ! ip -n "$rtr" link add brprobe type bridge 2>/dev/null; then
	skip "conntrackd failover: the kernel has no bridge support (the debug kernel's minimal config)"
elif ip -n "$rtr" link del brprobe && ! ha_test; then
	fail "conntrackd failover: setting up the two translators failed"
fi

exit $ret
