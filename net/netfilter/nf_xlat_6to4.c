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
 * smaller ones may be fragmented on the IPv4 side.  A fragment (section
 * 5.1.1), an ICMP error (at most 576 bytes once translated) and a packet
 * that conntrack reassembled from fragments get no DF either.  A GSO
 * packet is judged by the segments it will be cut into.
 */
bool nf_xlat_6to4_df(const struct nf_xlat_pkt *xp, const struct sk_buff *skb)
{
	unsigned int len = xp->len - xp->l3len + sizeof(struct iphdr);
	const struct tcphdr *th;

	if (xp->frag || xp->l4 == NF_XLAT_L4_ICMP_ERR)
		return false;
	if (xp->hook == NF_XLAT_HOOK_POSTROUTING && IP6CB(skb)->frag_max_size)
		return false;
	if (skb_is_gso(skb) && xp->l4 == NF_XLAT_L4_TCP) {
		th = (const struct tcphdr *)(skb_network_header(skb) +
					     xp->l3len);
		len = sizeof(struct iphdr) + th->doff * 4 +
		      skb_shinfo(skb)->gso_size;
	}
	return len > NF_XLAT_DF_THRESH;
}

/* RFC 7915 section 5.1: skip the hop-by-hop, destination options, routing
 * and fragment headers; the protocol is the next header of the last one.
 * A routing header with segments left cannot be honoured by IPv4 and is
 * answered with a parameter problem pointing at that field.
 */
static int nf_xlat_6to4_exthdrs(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int off = sizeof(struct ipv6hdr), hlen, n;
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	const struct ipv6_opt_hdr *oh;
	const struct frag_hdr *fh;
	u16 frag_off;

	for (n = 0; n < NF_XLAT_EXTHDR_MAX; n++) {
		switch (nexthdr) {
		case NEXTHDR_HOP:
			/* RFC 8200 section 4.1: only right after the header. */
			if (n)
				return nf_xlat_fail(xp, NF_XLAT_DROP_EXT_HDR,
						    -EPERM);
			fallthrough;
		case NEXTHDR_DEST:
		case NEXTHDR_ROUTING:
			if (off + sizeof(*oh) > xp->len ||
			    !pskb_may_pull(skb, off + sizeof(*oh) + 2))
				return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED,
						    -EINVAL);
			oh = (const struct ipv6_opt_hdr *)
				(skb_network_header(skb) + off);
			hlen = ipv6_optlen(oh);
			if (off + hlen > xp->len)
				return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED,
						    -EINVAL);
			if (nexthdr == NEXTHDR_ROUTING &&
			    ((const struct ipv6_rt_hdr *)oh)->segments_left) {
				xp->err_ptr = off +
					offsetof(struct ipv6_rt_hdr,
						 segments_left);
				return nf_xlat_fail(xp,
						    NF_XLAT_DROP_ROUTING_HDR,
						    -EPERM);
			}
			nexthdr = oh->nexthdr;
			off += hlen;
			break;
		case NEXTHDR_FRAGMENT:
			if (xp->frag || off + sizeof(*fh) > xp->len ||
			    !pskb_may_pull(skb, off + sizeof(*fh)))
				return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED,
						    -EINVAL);
			fh = (const struct frag_hdr *)
				(skb_network_header(skb) + off);
			frag_off = ntohs(fh->frag_off);
			xp->frag = true;
			xp->mf = frag_off & IP6_MF;
			xp->frag_off = frag_off & IP6_OFFSET;
			xp->frag_id = ntohl(fh->identification);
			nexthdr = fh->nexthdr;
			off += sizeof(*fh);
			/* Past the first fragment the headers that follow
			 * are payload: an extension header there would
			 * become the IPv4 protocol.
			 */
			if (xp->frag_off && ipv6_ext_hdr(nexthdr))
				return nf_xlat_fail(xp, NF_XLAT_DROP_EXT_HDR,
						    -EPERM);
			if (xp->frag_off)
				goto done;
			break;
		default:
			goto done;
		}
	}
	return nf_xlat_fail(xp, NF_XLAT_DROP_EXT_HDR, -EPERM);
done:
	/* ESP, AH, IPv6 no next header, mobility ... go as protocols. */
	xp->l3len = off;
	xp->proto = nexthdr;
	return 0;
}

/**
 * nf_xlat_6to4_prepare() - decide whether and how to translate to IPv4
 * @xp: packet state, @cfg, @net and @hook set
 * @skb: IPv6 packet, network header at skb->data
 *
 * Return: as nf_xlat_4to6_prepare().
 */
int nf_xlat_6to4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct ipv6hdr *ip6h;
	unsigned int plen;
	bool src_ok;
	int err;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	plen = ntohs(ip6h->payload_len);
	/* Jumbograms and BIG TCP have no IPv4 form. */
	if (!plen)
		return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_UNSUPP,
				    -EPROTONOSUPPORT);
	if (sizeof(*ip6h) + plen > skb->len) {
		if (skb_is_gso(skb))
			return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_UNSUPP,
					    -EPROTONOSUPPORT);
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	}
	if (!nf_xlat_addr_extract(&cfg->dst, &ip6h->daddr, &xp->v4[1]) ||
	    !nf_xlat_addr4_ok(xp->v4[1]))
		return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_NOMAP, -ENOENT);
	/* An ICMPv6 error from a router has a source outside the prefix:
	 * decided below, once the message type is known.
	 */
	src_ok = nf_xlat_addr_extract(&cfg->src, &ip6h->saddr, &xp->v4[0]) &&
		 nf_xlat_addr4_ok(xp->v4[0]);
	if (!src_ok && ip6h->nexthdr != IPPROTO_ICMPV6 &&
	    !ipv6_ext_hdr(ip6h->nexthdr))
		return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_NOMAP, -ENOENT);
	if (!src_ok)
		xp->v4[0] = 0;

	xp->len = sizeof(*ip6h) + plen;
	xp->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 :
		  ipv6_get_dsfield(ip6h);
	xp->ttl = ip6h->hop_limit;
	xp->nl3len = sizeof(struct iphdr);
	err = nf_xlat_6to4_exthdrs(xp, skb);
	if (err)
		return src_ok ? err : nf_xlat_fail(xp, NF_XLAT_STAT_PASS_NOMAP,
						   -ENOENT);
	/* The IPv4 total length field cannot hold it. */
	if (xp->len - xp->l3len + sizeof(struct iphdr) > IP_MAX_MTU)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);

	/* ICMPv4 inside IPv6 has no meaning; translated it would reach IPv4
	 * hosts unchecked.
	 */
	if (xp->proto == IPPROTO_ICMP) {
		err = nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	} else if (xp->proto == IPPROTO_ICMPV6) {
		if (xp->frag_off || xp->mf)
			err = nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_FRAG, -EPERM);
		else
			err = nf_xlat_icmp_6to4_prepare(xp, skb);
	} else if (xp->frag_off) {
		xp->l4 = NF_XLAT_L4_OTHER;
		err = 0;
	} else {
		err = nf_xlat_l4_prepare(xp, skb);
		if (err)
			err = nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, err);
	}

	/* RFC 6791: an error whose source has no IPv4 form is sent from the
	 * configured address; anything else from such a source is not ours.
	 */
	if (!src_ok) {
		if (err || xp->l4 != NF_XLAT_L4_ICMP_ERR)
			return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_NOMAP,
					    -ENOENT);
		xp->v4[0] = cfg->icmp_src;
	}
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
 * The IPv4 header takes the place of the end of the IPv6 header chain; the
 * transport header and payload stay in place.
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
	case NF_XLAT_L4_ICMP_ERR:
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
	__skb_pull(skb, xp->l3len - xp->nl3len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, xp->nl3len);
	skb->protocol = htons(ETH_P_IP);
	nf_xlat_mac_move(skb, mac_len, xp->l3len - xp->nl3len);

	/* RFC 7915 sections 5.1 and 5.1.1; the forwarding path decrements
	 * the TTL.
	 */
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = xp->tos;
	iph->tot_len = htons(xp->len - xp->l3len + xp->nl3len);
	iph->ttl = xp->ttl;
	iph->protocol = xp->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : xp->proto;
	iph->saddr = xp->v4[0];
	iph->daddr = xp->v4[1];
	if (xp->frag) {
		iph->frag_off = htons(xp->frag_off >> 3 | (xp->mf ? IP_MF : 0));
		iph->id = htons(xp->frag_id & 0xffff);
	} else {
		iph->frag_off = xp->df ? htons(IP_DF) : 0;
		__ip_select_ident(xp->net, iph,
				  skb_shinfo(skb)->gso_segs ?: 1);
	}
	ip_send_check(iph);

	nf_xlat_gso_6to4(skb);
	nf_xlat_meta_reset(skb);
	return 0;
}
