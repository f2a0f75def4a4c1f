# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2154 # h6, dns, nat, srv: set by setup_ns (eval)
#
# The lab's second part (sourced by lab.sh, with its step/show/result):
# what most operators deploy, stateful NAT64 with DNS64.  An IPv6-only
# host asks a DNS64 resolver (BIND's named in a namespace of its own) for
# a name that has only an A record, gets the address synthesised inside
# 64:ff9b::/96, and fetches from the IPv4-only server through the
# translator, which runs tests/lab/nat64.nft as documented.
#
#   dns: DNS64 resolver   h6: IPv6-only host     nat: NAT64               srv: IPv4-only
#   2001:db8:53::53 ---- 2001:db8:53::2                                  www.lab.example
#                        2001:db8:7::2 ------- lan0 2001:db8:7::1        A 192.0.2.80
#                                                wan0 192.0.2.1 -------- 192.0.2.80
#   pool 198.51.100.0/28, routed to nat's wan0 (written in the prefix for
#   the kernel's IPv6 NAT: 64:ff9b::c633:6400/124)

NAME=www.lab.example
SRV4=192.0.2.80

cat <<EOF

  dns: DNS64 resolver  h6: IPv6-only host    nat: NAT64 translator    srv: IPv4-only server
  2001:db8:53::53 ---- 2001:db8:53::2                                 $NAME
                       2001:db8:7::2 ------ lan0 2001:db8:7::1       (A $SRV4 only)
                                               wan0 192.0.2.1 ------ $SRV4
  Sessions leave from the pool 198.51.100.0/28; each is one IPv6 conntrack entry.
EOF

setup_ns h6 dns nat srv
ip link add h6-n netns "$h6" type veth peer name lan0 netns "$nat"
ip link add h6-d netns "$h6" type veth peer name d-h6 netns "$dns"
ip link add wan0 netns "$nat" type veth peer name srv-n netns "$srv"
for l in "$h6 h6-n" "$h6 h6-d" "$dns d-h6" "$nat lan0" "$nat wan0" "$srv srv-n"; do
	# shellcheck disable=SC2086
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$h6" addr add 2001:db8:7::2/64 dev h6-n nodad
ip -n "$h6" addr add 2001:db8:53::2/64 dev h6-d nodad
ip -n "$h6" route add default via 2001:db8:7::1
ip -n "$dns" addr add 2001:db8:53::53/64 dev d-h6 nodad
ip -n "$nat" addr add 2001:db8:7::1/64 dev lan0 nodad
ip -n "$nat" addr add 192.0.2.1/24 dev wan0
# After "xlat from" at postrouting the packet is IPv4, routed out of wan0.
ip -n "$nat" route add 64:ff9b::/96 dev wan0
ip -n "$srv" addr add "$SRV4/24" dev srv-n
ip -n "$srv" route add 198.51.100.0/28 via 192.0.2.1
ip netns exec "$nat" sysctl -wq net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

step "NAT64 + DNS64: the resolver"
mkdir -p "$TMPD/named"
cat >"$TMPD/named/lab.example.zone" <<EOF
\$TTL 60
@	SOA	ns.lab.example. hostmaster.lab.example. 1 60 60 600 60
@	NS	ns.lab.example.
ns	AAAA	2001:db8:53::53
www	A	$SRV4
EOF
cat >"$TMPD/named/named.conf" <<EOF
options {
	directory "$TMPD/named";
	pid-file none;
	listen-on { none; };
	listen-on-v6 { 2001:db8:53::53; };
	recursion no;
	dnssec-validation no;
	# AAAA records synthesised from A records (RFC 6147), also for the
	# zone this server holds itself.
	dns64 64:ff9b::/96 { clients { any; }; };
};
controls { };
zone "lab.example" { type primary; file "lab.example.zone"; };
EOF
sed -n '/^\s*dns64/p;/^zone/p' "$TMPD/named/named.conf" | sed 's/^[[:space:]]*/  named.conf: /'
echo "  zone: $(grep -E '^www' "$TMPD/named/lab.example.zone" | tr '\t' ' ') (no AAAA)"
ip netns exec "$dns" named -g -c "$TMPD/named/named.conf" >"$TMPD/named.log" 2>&1 &
busywait 20000 eval "ip netns exec $h6 dig +short +time=1 +tries=1 @2001:db8:53::53 $NAME AAAA | grep -q ."
show ip netns exec "$h6" dig +noall +answer @2001:db8:53::53 "$NAME" AAAA
aaaa=$(ip netns exec "$h6" dig +short @2001:db8:53::53 "$NAME" AAAA)
[ "$aaaa" = 64:ff9b::c000:250 ]
result "DNS64 synthesised $NAME AAAA $aaaa from A $SRV4" $?

step "NAT64 + DNS64: the translator runs tests/lab/nat64.nft"
labrules=$SRC/tests/lab/nat64.nft
if ! ip netns exec "$nat" nft -f "$labrules" 2>"$TMPD/nat64.err"; then
	nat64_without_bib | ip netns exec "$nat" nft -f -
	echo "(this nft cannot build the bib map: loaded without it and its chains)"
fi
xlat_rule "$nat" ip6 nat64 x6 counter xlat from 64:ff9b::/96
xlat_rule "$nat" netdev nat64in x4 counter xlat to 64:ff9b::/96
show ip netns exec "$nat" nft list chain ip6 nat64 pool
show ip netns exec "$nat" nft list chain ip6 nat64 out
echo "\$ nft-xlat-rule list ip6 nat64 x6; nft-xlat-rule list netdev nat64in x4"
xlat_list "$nat" ip6 nat64 x6
xlat_list "$nat" netdev nat64in x4

step "NAT64 + DNS64: the IPv6-only host fetches http://$NAME/ by name"
mkdir -p /etc/netns "$TMPD/www64"
mountpoint -q /etc/netns || mount -t tmpfs tmpfs /etc/netns
mkdir -p "/etc/netns/$h6"
echo "nameserver 2001:db8:53::53" >"/etc/netns/$h6/resolv.conf"
dd if=/dev/urandom of="$TMPD/www64/index.bin" bs=1k count=2048 status=none
(cd "$TMPD/www64" && exec ip netns exec "$srv" python3 -m http.server -b "$SRV4" 80) \
	>/dev/null 2>&1 &
busywait 10000 listening "$srv" 80
show ip netns exec "$h6" curl -sS -o "$TMPD/got64.bin" \
	-w 'fetched %{size_download} bytes from %{remote_ip}\n' "http://$NAME/index.bin"
cmp -s "$TMPD/www64/index.bin" "$TMPD/got64.bin"
result "fetched by name through DNS64 and NAT64, identical to the original" $?
echo "On the server's side the host was a pool address:"
ip netns exec "$srv" ss -tn state time-wait | tail -n +2 | head -2

step "NAT64 + DNS64: the session is one IPv6 conntrack entry"
show ip netns exec "$nat" conntrack -L -f ipv6 -p tcp
ip netns exec "$nat" conntrack -L -f ipv6 -p tcp 2>/dev/null |
	grep -q "src=2001:db8:7::2 dst=64:ff9b::c000:250 .*dport=80 .*src=64:ff9b::c000:250 dst=64:ff9b::c633:640[0-7] .*\[ASSURED\]"
result "one IPv6 entry: 2001:db8:7::2 -> [64:ff9b::$SRV4]:80, replies to a pool address" $?
n4=$(ip netns exec "$nat" conntrack -L -f ipv4 2>/dev/null | grep -c .)
[ "$n4" = 0 ]
result "no IPv4 conntrack entry for it ($n4)" $?
echo "Counters:"
for c in "ip6 nat64 x6" "netdev nat64in x4"; do
	# shellcheck disable=SC2086
	echo "  $c: $(xlat_list "$nat" $c | sed 's/^[[:space:]]*//')"
done
ip netns exec "$nat" grep -E '^(4to6|6to4) ' /proc/net/stat/nft_xlat | sed 's/^/  /'
umount /etc/netns 2>/dev/null	# named and the server go with their netns
