// SPDX-License-Identifier: GPL-2.0-only
/* IPv4 to IPv6 translation, RFC 7915 section 4; mirrors nf_xlat_6to4.c.
 *
 * The IPv6 header is written over the IPv4 header and the 20 bytes of
 * headroom in front of it; the transport header and payload stay in place.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/* RFC 7915 section 4.5: an IPv4 UDP checksum of zero means "none", which
 * IPv6 does not allow.  The packet is not a fragment (prepare made sure),
 * so the whole datagram is here to sum; an inner checksum still left to
 * the device (a UDP tunnel) is completed first.
 */
static int nf_xlat_4to6_udp_csum(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int l4len = xp->len - xp->l3len;
	struct udphdr *uh;
	__wsum csum;
	int err;

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		err = skb_checksum_help(skb);
		if (err)
			return err;
	}

	uh = (struct udphdr *)(skb_network_header(skb) + xp->l3len);
	csum = skb_checksum(skb, xp->l3len, l4len, 0);
	uh->check = csum_ipv6_magic(&xp->v6[0], &xp->v6[1], l4len,
				    IPPROTO_UDP, csum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	return 0;
}

/**
 * nf_xlat_4to6_prepare() - decide whether and how to translate to IPv6
 * @xp: packet state, @cfg and @net set
 * @skb: IPv4 packet, network header at skb->data
 *
 * Return: 0 to translate; -ENOENT for addresses that have no IPv6 form and
 * -EPROTONOSUPPORT for what this version does not translate (the packet
 * is left alone); -EINVAL for a malformed packet and -EPERM for one RFC
 * 7915 drops (the packet is dropped).
 */
int nf_xlat_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct iphdr *iph;
	const struct udphdr *uh;
	unsigned int len;
	int err;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return -EINVAL;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	/* Options are ignored by RFC 7915 section 4.1, except a source route,
	 * which must be refused with an ICMP error: not done by this version.
	 */
	if (iph->ihl > 5)
		return -EPROTONOSUPPORT;
	/* The header is about to be discarded: do not launder a bad one. */
	if (ip_fast_csum(iph, iph->ihl))
		return -EINVAL;
	len = ntohs(iph->tot_len);
	if (len < sizeof(*iph) || len > skb->len)
		return skb_is_gso(skb) ? -EPROTONOSUPPORT : -EINVAL;
	/* Fragments need an IPv6 fragment header: not done by this version. */
	if (ip_is_fragment(iph))
		return -EPROTONOSUPPORT;
	if (!nf_xlat_addr4_ok(iph->saddr) || !nf_xlat_addr4_ok(iph->daddr))
		return -ENOENT;

	xp->len = len;
	xp->l3len = sizeof(*iph);
	xp->proto = iph->protocol;
	xp->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 : iph->tos;
	xp->ttl = iph->ttl;
	xp->df = iph->frag_off & htons(IP_DF);
	nf_xlat_addr_embed(&cfg->src, iph->saddr, &xp->v6[0]);
	nf_xlat_addr_embed(&cfg->dst, iph->daddr, &xp->v6[1]);

	if (xp->proto == IPPROTO_ICMP)
		return nf_xlat_icmp_4to6_prepare(xp, skb);

	err = nf_xlat_l4_prepare(xp, skb);
	if (err || xp->l4 != NF_XLAT_L4_UDP || nf_xlat_l4_partial(xp, skb))
		return err;

	uh = (const struct udphdr *)(skb_network_header(skb) + xp->l3len);
	if (!uh->check) {
		if (cfg->flags & NFT_XLAT_F_UDP_ZERO_CSUM_DROP)
			return -EPERM;
		xp->udp_csum = true;
	}
	return 0;
}

/**
 * nf_xlat_4to6_rewrite() - turn the IPv4 packet into IPv6, in place
 * @xp: from nf_xlat_4to6_prepare()
 * @skb: the packet
 *
 * Return: 0, or a negative errno with the packet unchanged but for the
 * trimming of link layer padding.
 */
int nf_xlat_4to6_rewrite(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	struct ipv6hdr *ip6h;
	unsigned int mac_len;
	struct iphdr *iph;
	__wsum diff;
	int err;

	if (!skb_is_gso(skb) && skb->len > xp->len) {
		err = pskb_trim_rcsum(skb, xp->len);
		if (err)
			return err;
	}
	mac_len = nf_xlat_mac_len(skb);
	if (skb_cow_head(skb, NF_XLAT_HDELTA + mac_len) ||
	    skb_ensure_writable(skb, xp->l3len + nf_xlat_l4_wlen(xp)))
		return -ENOMEM;

	/* skb->csum sums the packet from its network header: keeping it
	 * would take the sum of the removed header, of every rewritten
	 * transport word and of the new header.  Let the next user verify in
	 * software instead; COMPLETE only exists on receive, where that user
	 * (conntrack or the socket) does so at the cost of one pass over
	 * data it is about to touch anyway.
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;

	iph = ip_hdr(skb);
	switch (xp->l4) {
	case NF_XLAT_L4_ICMP:
		err = nf_xlat_icmp_4to6(xp, skb);
		if (err)
			return err;
		break;
	case NF_XLAT_L4_UDP:
		if (xp->udp_csum) {
			err = nf_xlat_4to6_udp_csum(xp, skb);
			if (err)
				return err;
			break;
		}
		fallthrough;
	case NF_XLAT_L4_TCP:
		diff = csum_sub(csum_partial(xp->v6, sizeof(xp->v6), 0),
				csum_partial(&iph->saddr,
					     2 * sizeof(__be32), 0));
		nf_xlat_l4_csum(xp, skb, diff);
		break;
	}

	__skb_push(skb, NF_XLAT_HDELTA);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, sizeof(*ip6h));
	skb->protocol = htons(ETH_P_IPV6);
	nf_xlat_mac_move(skb, mac_len, -NF_XLAT_HDELTA);

	/* RFC 7915 section 4.1; the forwarding path decrements hop_limit. */
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, xp->tos, 0);
	ip6h->payload_len = htons(xp->len - xp->l3len);
	ip6h->nexthdr = xp->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : xp->proto;
	ip6h->hop_limit = xp->ttl;
	ip6h->saddr = xp->v6[0];
	ip6h->daddr = xp->v6[1];

	/* Without DF the sender allows fragmentation: let ip6_fragment() do
	 * it rather than answer "packet too big" for the IPv6 route MTU.
	 */
	skb->ignore_df = !xp->df;
	nf_xlat_gso_4to6(skb);
	nf_xlat_meta_reset(skb);
	return 0;
}
