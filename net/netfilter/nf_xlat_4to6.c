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
#include <net/gso.h>
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

/* RFC 7915 section 4.1: options are ignored, but an unexpired source route
 * (the pointer has not run past the route) cannot be honoured by an IPv6
 * header.  Return 1 for such a route, 0 if none, -EINVAL if the option
 * list is malformed.
 */
static int nf_xlat_4to6_srcroute(const struct iphdr *iph)
{
	const u8 *opt = (const u8 *)(iph + 1);
	unsigned int len = iph->ihl * 4 - sizeof(*iph);
	unsigned int i = 0, olen;

	while (i < len) {
		switch (opt[i]) {
		case IPOPT_END:
			return 0;
		case IPOPT_NOOP:
			i++;
			continue;
		}
		if (len - i < 2)
			return -EINVAL;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return -EINVAL;
		if ((opt[i] == IPOPT_LSRR || opt[i] == IPOPT_SSRR) &&
		    olen >= 3 && opt[i + 2] <= olen)
			return 1;
		i += olen;
	}
	return 0;
}

/* The fragment fields of RFC 7915 section 4.1: a fragment gets an IPv6
 * fragment header with the identification zero-extended; a packet that is
 * not a fragment gets none (RFC 8021: no atomic fragments) unless it must
 * be fragmented for the IPv6 path.
 */
static void nf_xlat_4to6_frag(struct nf_xlat_pkt *xp, const struct iphdr *iph)
{
	u16 frag_off = ntohs(iph->frag_off);

	xp->frag = frag_off & (IP_MF | IP_OFFSET);
	xp->mf = frag_off & IP_MF;
	xp->df = frag_off & IP_DF;
	xp->frag_off = (frag_off & IP_OFFSET) << 3;
	xp->frag_id = ntohs(iph->id);
	xp->nl3len = sizeof(struct ipv6hdr);
	if (xp->frag)
		xp->nl3len += sizeof(struct frag_hdr);
}

/* RFC 7915 section 4: without DF the translator fragments what would not
 * fit the lowest IPv6 MTU of the path (cfg->mtu6); each piece is then
 * translated as an IPv4 fragment.  A GSO packet is judged by its segments.
 */
static bool nf_xlat_4to6_split(const struct nf_xlat_pkt *xp,
			       const struct sk_buff *skb)
{
	unsigned int mtu = xp->cfg->mtu6 - sizeof(struct ipv6hdr) -
			   sizeof(struct frag_hdr) + xp->l3len;

	if (xp->df)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return xp->len - xp->l3len + xp->nl3len > xp->cfg->mtu6;
}

/**
 * nf_xlat_4to6_prepare() - decide whether and how to translate to IPv6
 * @xp: packet state, @cfg, @net and @hook set
 * @skb: IPv4 packet, network header at skb->data
 *
 * Return: 0 to translate; -ENOENT for addresses that have no IPv6 form and
 * -EPROTONOSUPPORT for what has no IPv6 form (the packet is left alone);
 * -EINVAL for a malformed packet and -EPERM for one RFC 7915 drops (the
 * packet is dropped).  @xp->stat says why.
 */
int nf_xlat_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct iphdr *iph;
	const struct udphdr *uh;
	unsigned int len, hlen;
	int err;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	iph = ip_hdr(skb);
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(*iph))
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	if (!pskb_may_pull(skb, hlen))
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	iph = ip_hdr(skb);
	/* The header is about to be discarded: do not launder a bad one. */
	if (ip_fast_csum(iph, iph->ihl))
		return nf_xlat_fail(xp, NF_XLAT_DROP_CSUM, -EINVAL);
	len = ntohs(iph->tot_len);
	if (len < hlen || len > skb->len) {
		if (skb_is_gso(skb))
			return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_UNSUPP,
					    -EPROTONOSUPPORT);
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	}
	if (!nf_xlat_addr4_ok(iph->saddr) || !nf_xlat_addr4_ok(iph->daddr))
		return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_NOMAP, -ENOENT);
	if (hlen > sizeof(*iph)) {
		err = nf_xlat_4to6_srcroute(iph);
		if (err < 0)
			return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, err);
		if (err)
			return nf_xlat_fail(xp, NF_XLAT_DROP_SRC_ROUTE, -EPERM);
	}

	xp->len = len;
	xp->l3len = hlen;
	xp->proto = iph->protocol;
	xp->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 : iph->tos;
	xp->ttl = iph->ttl;
	nf_xlat_4to6_frag(xp, iph);
	nf_xlat_addr_embed(&cfg->src, iph->saddr, &xp->v6[0]);
	nf_xlat_addr_embed(&cfg->dst, iph->daddr, &xp->v6[1]);

	/* Section 4.2: IGMP is single-hop and has no IPv6 counterpart that
	 * a translation would produce (MLD is ICMPv6).
	 */
	if (xp->proto == IPPROTO_IGMP)
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	/* Copied, these numbers would make IPv6 nodes parse the payload as
	 * an extension header or as an ICMPv6 message nobody checksummed.
	 */
	if (xp->proto == IPPROTO_ICMPV6)
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	if (ipv6_ext_hdr(xp->proto) && xp->proto != NEXTHDR_NONE &&
	    xp->proto != NEXTHDR_AUTH)
		return nf_xlat_fail(xp, NF_XLAT_DROP_EXT_HDR, -EPERM);
	if (xp->proto == IPPROTO_ICMP) {
		/* RFC 7915 section 4.2 cannot translate a fragmented message:
		 * the ICMPv6 checksum covers a pseudo-header.
		 */
		if (xp->frag)
			return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_FRAG, -EPERM);
		return nf_xlat_icmp_4to6_prepare(xp, skb);
	}

	/* Past the first fragment there is no transport header. */
	if (xp->frag_off) {
		xp->l4 = NF_XLAT_L4_OTHER;
		xp->split = nf_xlat_4to6_split(xp, skb);
		return 0;
	}
	err = nf_xlat_l4_prepare(xp, skb);
	if (err)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, err);
	xp->split = nf_xlat_4to6_split(xp, skb);
	if (xp->l4 != NF_XLAT_L4_UDP || nf_xlat_l4_partial(xp, skb))
		return 0;

	/* RFC 7915 section 4.5: a zero checksum is computed when the whole
	 * datagram is here, and the packet dropped otherwise.
	 */
	uh = (const struct udphdr *)(skb_network_header(skb) + xp->l3len);
	if (!uh->check) {
		if (xp->frag || cfg->flags & NFT_XLAT_F_UDP_ZERO_CSUM_DROP)
			return nf_xlat_fail(xp, NF_XLAT_DROP_UDP_ZERO_CSUM,
					    -EPERM);
		xp->udp_csum = true;
	}
	return 0;
}

/**
 * nf_xlat_4to6_rewrite() - turn the IPv4 packet into IPv6, in place
 * @xp: from nf_xlat_4to6_prepare()
 * @skb: the packet
 *
 * The IPv4 header and its options make way for the IPv6 header (and a
 * fragment header); the transport header and payload stay in place.
 *
 * Return: 0, or a negative errno with the packet unchanged but for the
 * trimming of link layer padding.
 */
int nf_xlat_4to6_rewrite(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	int hdelta = xp->nl3len - xp->l3len;
	struct frag_hdr *fh;
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
	if (skb_cow_head(skb, max(hdelta, 0) + mac_len) ||
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
	case NF_XLAT_L4_ICMP_ERR:
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

	__skb_pull(skb, xp->l3len);
	__skb_push(skb, xp->nl3len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, xp->nl3len);
	skb->protocol = htons(ETH_P_IPV6);
	nf_xlat_mac_move(skb, mac_len, -hdelta);

	/* RFC 7915 section 4.1; the forwarding path decrements hop_limit. */
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, xp->tos, 0);
	ip6h->payload_len = htons(xp->len - xp->l3len + xp->nl3len -
				  sizeof(*ip6h));
	ip6h->nexthdr = xp->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : xp->proto;
	ip6h->hop_limit = xp->ttl;
	ip6h->saddr = xp->v6[0];
	ip6h->daddr = xp->v6[1];

	if (xp->frag) {
		fh = (struct frag_hdr *)(ip6h + 1);
		fh->nexthdr = ip6h->nexthdr;
		fh->reserved = 0;
		fh->frag_off = htons(xp->frag_off | (xp->mf ? IP6_MF : 0));
		fh->identification = htonl(xp->frag_id);
		ip6h->nexthdr = NEXTHDR_FRAGMENT;
	}

	/* A DF=0 packet that fits the lowest IPv6 MTU but not the next hop's
	 * MTU is the sender's to have fragmented: let ip6_fragment() do it
	 * at postrouting rather than answer "packet too big".  A fragment
	 * already carries a fragment header and must not get a second one.
	 */
	skb->ignore_df = !xp->df && !xp->frag;
	nf_xlat_gso_4to6(skb);
	nf_xlat_meta_reset(skb);
	return 0;
}
