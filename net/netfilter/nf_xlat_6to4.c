// SPDX-License-Identifier: GPL-2.0-only
/* IPv6 to IPv4 translation, RFC 7915 section 5; mirrors nf_xlat_4to6.c.
 *
 * The IPv4 header is written over the last 20 bytes of the IPv6 header;
 * the transport header and payload stay in place.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/* RFC 7915 section 5.1 as updated by RFC 8021: DF is set only on packets
 * too big to cross an IPv6 path of the minimum MTU once translated back;
 * smaller ones may be fragmented on the IPv4 side.  A GSO packet is
 * judged by the segments it will be cut into.
 */
static bool nf_xlat_6to4_df(const struct nf_xlat_pkt *xp,
			    const struct sk_buff *skb)
{
	unsigned int len = xp->len - NF_XLAT_HDELTA;
	const struct tcphdr *th;

	if (skb_is_gso(skb) && xp->l4 == NF_XLAT_L4_TCP) {
		th = (const struct tcphdr *)(skb_network_header(skb) +
					     xp->l3len);
		len = sizeof(struct iphdr) + th->doff * 4 +
		      skb_shinfo(skb)->gso_size;
	}
	return len > NF_XLAT_DF_THRESH;
}

/**
 * nf_xlat_6to4_prepare() - decide whether and how to translate to IPv4
 * @xp: packet state, @cfg and @net set
 * @skb: IPv6 packet, network header at skb->data
 *
 * Return: as nf_xlat_4to6_prepare().
 */
int nf_xlat_6to4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct ipv6hdr *ip6h;
	unsigned int plen;
	int err;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return -EINVAL;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6)
		return -EINVAL;
	plen = ntohs(ip6h->payload_len);
	/* Jumbograms and BIG TCP have no IPv4 form. */
	if (!plen)
		return -EPROTONOSUPPORT;
	if (sizeof(*ip6h) + plen > skb->len)
		return skb_is_gso(skb) ? -EPROTONOSUPPORT : -EINVAL;
	/* Extension headers, fragment headers among them (RFC 7915 section
	 * 5.1): not done by this version.
	 */
	if (ipv6_ext_hdr(ip6h->nexthdr))
		return -EPROTONOSUPPORT;
	if (!nf_xlat_addr_extract(&cfg->src, &ip6h->saddr, &xp->v4[0]) ||
	    !nf_xlat_addr_extract(&cfg->dst, &ip6h->daddr, &xp->v4[1]) ||
	    !nf_xlat_addr4_ok(xp->v4[0]) || !nf_xlat_addr4_ok(xp->v4[1]))
		return -ENOENT;
	/* The IPv4 total length field cannot hold it. */
	if (plen + sizeof(struct iphdr) > IP_MAX_MTU)
		return -EINVAL;

	xp->len = sizeof(*ip6h) + plen;
	xp->l3len = sizeof(*ip6h);
	xp->proto = ip6h->nexthdr;
	xp->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 :
		  ipv6_get_dsfield(ip6h);
	xp->ttl = ip6h->hop_limit;

	if (xp->proto == IPPROTO_ICMPV6)
		err = nf_xlat_icmp_6to4_prepare(xp, skb);
	else
		err = nf_xlat_l4_prepare(xp, skb);
	if (err)
		return err;

	xp->df = nf_xlat_6to4_df(xp, skb);
	return 0;
}

/**
 * nf_xlat_6to4_rewrite() - turn the IPv6 packet into IPv4, in place
 * @xp: from nf_xlat_6to4_prepare()
 * @skb: the packet
 *
 * Return: as nf_xlat_4to6_rewrite().
 */
int nf_xlat_6to4_rewrite(struct nf_xlat_pkt *xp, struct sk_buff *skb)
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
	if (skb_ensure_writable(skb, xp->l3len + nf_xlat_l4_wlen(xp)))
		return -ENOMEM;

	/* See nf_xlat_4to6_rewrite(). */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;

	ip6h = ipv6_hdr(skb);
	switch (xp->l4) {
	case NF_XLAT_L4_ICMP:
		err = nf_xlat_icmp_6to4(xp, skb);
		if (err)
			return err;
		break;
	case NF_XLAT_L4_UDP:
	case NF_XLAT_L4_TCP:
		diff = csum_sub(csum_partial(xp->v4, sizeof(xp->v4), 0),
				csum_partial(&ip6h->saddr,
					     2 * sizeof(struct in6_addr), 0));
		nf_xlat_l4_csum(xp, skb, diff);
		break;
	}

	mac_len = nf_xlat_mac_len(skb);
	__skb_pull(skb, NF_XLAT_HDELTA);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, sizeof(*iph));
	skb->protocol = htons(ETH_P_IP);
	nf_xlat_mac_move(skb, mac_len, NF_XLAT_HDELTA);

	/* RFC 7915 section 5.1; the forwarding path decrements the TTL. */
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = xp->tos;
	iph->tot_len = htons(xp->len - NF_XLAT_HDELTA);
	iph->frag_off = xp->df ? htons(IP_DF) : 0;
	iph->ttl = xp->ttl;
	iph->protocol = xp->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : xp->proto;
	iph->saddr = xp->v4[0];
	iph->daddr = xp->v4[1];
	__ip_select_ident(xp->net, iph, skb_shinfo(skb)->gso_segs ?: 1);
	ip_send_check(iph);

	nf_xlat_gso_6to4(skb);
	nf_xlat_meta_reset(skb);
	return 0;
}
