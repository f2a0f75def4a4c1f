// SPDX-License-Identifier: GPL-2.0-only
/* nf_ipv6_ops.route_input: the way to ip6_route_input() where it is not
 * exported (6.1, 6.12); 7.2 exports it and dropped the hook.
 */
#include <linux/netfilter_ipv6.h>

void probe(struct sk_buff *skb)
{
	nf_get_ipv6_ops()->route_input(skb);
}
