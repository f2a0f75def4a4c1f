#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab (make lab): an IPv6-only client fetches a file from an IPv4-only
# server through an nft_xlat SIIT translator, inside the lab VM; then an
# IPv6-only host resolves a name with only an A record through DNS64 and
# fetches from an IPv4-only server through stateful NAT64
# (nat64-dns64.sh).
#
# The translator keeps conntrack on one address family: IPv6 packets from
# the client are translated to IPv4 at ingress, before conntrack, and
# IPv4 replies are translated back to IPv6 at postrouting, after conntrack.
# So conntrack sees each connection as an ordinary IPv4 flow in both
# directions, and "ct state established" works in the forward chain.
# shellcheck source=../selftests/lib.sh
source "$(dirname "$0")/../selftests/lib.sh"

PFX=${PFX:-64:ff9b::/96}
ok=0

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { echo "\$ $*"; "$@"; }
result() {	# description, status
	if [ "$2" = 0 ]; then
		echo "OK: $1"
	else
		echo "FAILED: $1"
		ok=1
	fi
}

cat <<EOF
nft_xlat lab on $(uname -r)

  c6: IPv6-only client        rtr: translator             c4: IPv4-only server
  2001:db8:6::2 ----------- r6  2001:db8:6::1            192.0.2.2
  + 64:ff9b::198.51.100.6       192.0.2.1  r4 ----------- sees the client as
  (its IPv4-translatable                                  198.51.100.6
   address)
  The client reaches the server at 64:ff9b::192.0.2.2 (RFC 6052, /96).
EOF

setup_siit_topology "$PFX"

step "Translator ruleset"
ip netns exec "$rtr" nft -f - <<EOF
table inet siit {
	# IPv6 -> IPv4 on the way in, before conntrack sees the packet
	chain from_client {
		type filter hook ingress device "r6" priority 0;
		ip6 daddr $PFX jump xlat6to4
	}
	chain xlat6to4 {
	}
	# IPv4 -> IPv6 on the way out to the client, after conntrack
	chain to_client {
		type filter hook postrouting priority 100;
		oifname "r6" meta nfproto ipv4 jump xlat4to6
	}
	chain xlat4to6 {
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related counter accept
		iifname "r6" ip daddr 192.0.2.0/24 ct state new counter accept
	}
}
EOF
xlat_rule "$rtr" inet siit xlat6to4 counter xlat from "$PFX"
xlat_rule "$rtr" inet siit xlat4to6 counter xlat to "$PFX"

if [ "$(xlat_nft_probe)" = nft ]; then
	show ip netns exec "$rtr" nft list ruleset
else
	echo "(this nft does not know 'xlat': the rules were installed with"
	echo " nft-xlat-rule, and stock nft lists the chains holding them as"
	echo " empty; nft-xlat-rule reads them back from the kernel)"
	show ip netns exec "$rtr" nft list ruleset
	for c in xlat6to4 xlat4to6; do
		echo "\$ nft-xlat-rule list inet siit $c"
		xlat_list "$rtr" inet siit "$c"
	done
fi

step "The IPv6-only client pings the IPv4-only server"
show ip netns exec "$c6" ping -c 3 -i 0.3 "${C4_ADDR6}"
result "ping through the translator" $?

step "The client fetches a file over HTTP"
mkdir -p "$TMPD/www"
dd if=/dev/urandom of="$TMPD/www/file.bin" bs=1k count=1024 status=none
(cd "$TMPD/www" && exec ip netns exec "$c4" python3 -m http.server -b "$C4_V4" 8000) \
	>/dev/null 2>&1 &
busywait 10000 listening "$c4" 8000
show ip netns exec "$c6" curl -sS -o "$TMPD/got.bin" \
	-w 'fetched %{size_download} bytes in %{time_total}s from %{remote_ip}\n' \
	"http://[${C4_ADDR6}]:8000/file.bin"
cmp "$TMPD/www/file.bin" "$TMPD/got.bin"
result "file fetched through the translator, identical to the original" $?
echo "On the server's side the client was 198.51.100.6:"
ip netns exec "$c4" ss -tn state time-wait | tail -n +2 | head -3

step "conntrack on the translator: one IPv4 entry per connection"
show ip netns exec "$rtr" conntrack -L
ip netns exec "$rtr" conntrack -L 2>/dev/null | grep -q 'dport=8000.*ASSURED'
result "the HTTP connection is tracked and ASSURED" $?

step "Rule counters"
for c in xlat6to4 xlat4to6; do
	echo "$c: $(xlat_list "$rtr" inet siit "$c" | sed 's/^[[:space:]]*//')"
done
show ip netns exec "$rtr" nft list chain inet siit forward
est=$(ip netns exec "$rtr" nft list chain inet siit forward |
	sed -n 's/.*established,related counter packets \([0-9]*\).*/\1/p')
[ "${est:-0}" -gt 0 ]
result "ct state established matched $est translated packets" $?

step "The fast path: 'offload' on the rule that translates on the way out"
ip netns exec "$rtr" nft flush chain inet siit xlat4to6
xlat_rule "$rtr" inet siit xlat4to6 counter xlat to "$PFX" offload
xlat_list "$rtr" inet siit xlat4to6 | sed 's/^[[:space:]]*/  /'
# Larger than the client's receive buffer, so that the rate limit keeps
# the connection open for seconds: look while it runs.
dd if=/dev/urandom of="$TMPD/www/big.bin" bs=1k count=16384 status=none
ip netns exec "$c6" curl -sS --limit-rate 2M -o "$TMPD/big.bin" \
	"http://[${C4_ADDR6}]:8000/big.bin" &
fetch=$!
busywait 6000 eval "ip netns exec $rtr conntrack -L 2>/dev/null | grep -q 'dport=8000.*OFFLOAD'"
offloaded=$?
show ip netns exec "$rtr" conntrack -L
result "the running download is offloaded: its conntrack entry says [OFFLOAD]" $offloaded
wait $fetch
cmp -s "$TMPD/www/big.bin" "$TMPD/big.bin"
result "16 MB fetched through the fast path, identical to the original" $?
echo "Fast path counters (/proc/net/stat/nft_xlat):"
ip netns exec "$rtr" grep -E '^(flow_add|flow_fast|4to6|6to4) ' /proc/net/stat/nft_xlat | sed 's/^/  /'

# Part two: stateful NAT64 with DNS64, what most operators deploy.
# shellcheck source=nat64-dns64.sh
source "$(dirname "$0")/nat64-dns64.sh"

echo
[ "$ok" = 0 ] && echo "The lab works." || echo "The lab FAILED."
exit $ok
