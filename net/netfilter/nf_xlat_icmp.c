// SPDX-License-Identifier: GPL-2.0-only
/* ICMP <-> ICMPv6 translation, RFC 7915 sections 4.2, 4.3, 5.2 and 5.3.
 *
 * Echo request and reply are translated in place: the type changes,
 * identifier, sequence number and data are kept, and the checksum is
 * updated incrementally (a corrupt message stays corrupt).
 *
 * An error message is rebuilt: new type, code and parameter, the quoted
 * ("inner") packet translated like an outer one and truncated so that the
 * result fits the minimum MTU of the new family, RFC 4884 extensions kept
 * when they still fit, and a checksum computed in full.  Its checksum is
 * therefore verified first.  RFC 7915 drops every other type.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/* ICMP and ICMPv6 headers of error messages: type, code, checksum and
 * four bytes of parameter.
 */
#define NF_XLAT_ICMP_HLEN	8

/* Longest translated messages: RFC 7915 sections 4.2 and 5.2 keep the
 * translated packet within 1280 bytes (IPv6) or 576 bytes (IPv4).
 */
#define NF_XLAT_ICMP6_MAX	(IPV6_MIN_MTU - sizeof(struct ipv6hdr))
#define NF_XLAT_ICMP4_MAX	(576 - sizeof(struct iphdr))

/* RFC 4884 section 4: the original datagram field in front of an
 * extension structure is at least this long.
 */
#define NF_XLAT_ICMP_EXT_MIN	128

/* RFC 4884 section 4: length attribute, in 32-bit (ICMPv4, byte 5) or
 * 64-bit words (ICMPv6, byte 4).
 */
#define NF_XLAT_ICMP4_LEN_OFF	5
#define NF_XLAT_ICMP6_LEN_OFF	4

/* The lowest legal IPv4 MTU (RFC 791). */
#define NF_XLAT_IPV4_MIN_MTU	68

/* RFC 7915 section 4.2, Figure 3: IPv4 header byte pointed at by an
 * ICMPv4 parameter problem -> IPv6 header byte; -1 is "n/a" (dropped).
 */
static const s8 nf_xlat_icmp_ptr4to6[sizeof(struct iphdr)] = {
	0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1,
	8, 8, 8, 8, 24, 24, 24, 24,
};

/* RFC 1191 section 7: MTU plateaus, for routers that report an MTU of 0. */
static const u16 nf_xlat_icmp_plateaus[] = {
	65535, 32000, 17914, 8166, 4352, 2002, 1492,
};

union nf_xlat_icmp_addr {
	struct in6_addr	v6[2];
	__be32		v4[2];
};

/**
 * struct nf_xlat_icmp_err - an error message, parsed and mapped
 * @mlen: length of the ICMP message
 * @dlen: length of its original datagram field
 * @elen: length of the RFC 4884 extension structure that follows it
 * @ihl: length of the quoted packet's network headers (IPv4 options, IPv6
 *	extension headers included)
 * @ilen: length of the quoted packet per its header
 * @plen: bytes of the quoted packet's payload present in the message
 * @old: the quoted packet's source and destination address
 * @new: their translation
 * @info: bytes 4-7 of the new header, length attribute excluded
 * @frag_id: the quoted packet's fragment identification
 * @frag_off: its fragment offset in bytes
 * @type: new type
 * @code: new code
 * @proto: the quoted packet's transport protocol (its family's number)
 * @itype: new type of a quoted ICMP echo message
 * @tos: the quoted packet's TOS / traffic class
 * @ttl: its TTL / hop limit
 * @frag: 4to6: the quoted packet is a fragment; 6to4: it has a fragment
 *	header
 * @mf: more fragments follow it
 * @lenattr: the new type has an RFC 4884 length attribute
 */
struct nf_xlat_icmp_err {
	unsigned int		mlen;
	unsigned int		dlen;
	unsigned int		elen;
	unsigned int		ihl;
	unsigned int		ilen;
	unsigned int		plen;
	union nf_xlat_icmp_addr	old;
	union nf_xlat_icmp_addr	new;
	__be32			info;
	u32			frag_id;
	u16			frag_off;
	u8			type;
	u8			code;
	u8			proto;
	u8			itype;
	u8			tos;
	u8			ttl;
	bool			frag;
	bool			mf;
	bool			lenattr;
};

/* The ICMPv6 pseudo-header (RFC 8200 section 8.1), which ICMPv4 lacks. */
static __wsum nf_xlat_icmp_pseudo6(const struct in6_addr *saddr,
				   const struct in6_addr *daddr,
				   unsigned int len)
{
	__wsum sum;

	sum = csum_partial(saddr, sizeof(*saddr), 0);
	sum = csum_partial(daddr, sizeof(*daddr), sum);
	sum = csum_add(sum, (__force __wsum)htonl(len));
	return csum_add(sum, (__force __wsum)htonl(IPPROTO_ICMPV6));
}

/* The message is about to be checksummed incrementally: complete a
 * checksum left to the device first.
 */
static int nf_xlat_icmp_csum_resolve(struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return skb_checksum_help(skb);
	return 0;
}

/* RFC 4884: where the original datagram field of @e ends, given the
 * length attribute @words of @unit bytes.  A length of zero or one past
 * the end of the message means no extension structure.
 */
static void nf_xlat_icmp_ext(struct nf_xlat_icmp_err *e, unsigned int words,
			     unsigned int unit)
{
	unsigned int dlen = words * unit;

	e->dlen = e->mlen - NF_XLAT_ICMP_HLEN;
	e->elen = 0;
	if (dlen && dlen < e->dlen) {
		e->elen = e->dlen - dlen;
		e->dlen = dlen;
	}
}

/* RFC 7915 section 4.2: the new type, code and parameter of an ICMPv4
 * error; the MTU of a packet too big is set once the inner packet is known.
 */
static int nf_xlat_icmp_map4to6(struct nf_xlat_icmp_err *e,
				const struct icmphdr *ih)
{
	u8 ptr;

	e->info = 0;
	e->lenattr = false;
	switch (ih->type) {
	case ICMP_DEST_UNREACH:
		e->type = ICMPV6_DEST_UNREACH;
		e->lenattr = true;
		switch (ih->code) {
		case ICMP_NET_UNREACH:
		case ICMP_HOST_UNREACH:
		case ICMP_SR_FAILED:
		case ICMP_NET_UNKNOWN:
		case ICMP_HOST_UNKNOWN:
		case ICMP_HOST_ISOLATED:
		case ICMP_NET_UNR_TOS:
		case ICMP_HOST_UNR_TOS:
			e->code = ICMPV6_NOROUTE;
			break;
		case ICMP_NET_ANO:
		case ICMP_HOST_ANO:
		case ICMP_PKT_FILTERED:
		case ICMP_PREC_CUTOFF:
			e->code = ICMPV6_ADM_PROHIBITED;
			break;
		case ICMP_PORT_UNREACH:
			e->code = ICMPV6_PORT_UNREACH;
			break;
		case ICMP_PROT_UNREACH:
			e->type = ICMPV6_PARAMPROB;
			e->code = ICMPV6_UNK_NEXTHDR;
			e->info = htonl(offsetof(struct ipv6hdr, nexthdr));
			e->lenattr = false;
			break;
		case ICMP_FRAG_NEEDED:
			e->type = ICMPV6_PKT_TOOBIG;
			e->code = 0;
			e->lenattr = false;
			break;
		default:	/* precedence violation, unknown codes */
			return -EPERM;
		}
		return 0;
	case ICMP_TIME_EXCEEDED:
		e->type = ICMPV6_TIME_EXCEED;
		e->code = ih->code;
		e->lenattr = true;
		return 0;
	case ICMP_PARAMETERPROB:
		/* Code 1, "missing a required option", is dropped. */
		if (ih->code != 0 && ih->code != 2)
			return -EPERM;
		ptr = ((const u8 *)ih)[4];
		if (ptr >= ARRAY_SIZE(nf_xlat_icmp_ptr4to6) ||
		    nf_xlat_icmp_ptr4to6[ptr] < 0)
			return -EPERM;
		e->type = ICMPV6_PARAMPROB;
		e->code = ICMPV6_HDR_FIELD;
		e->info = htonl(nf_xlat_icmp_ptr4to6[ptr]);
		return 0;
	}
	return -EPERM;
}

/* MTU of the next hop towards an address, or U32_MAX without a route. */
static u32 nf_xlat_icmp_nexthop6(struct net *net, const struct in6_addr *daddr)
{
	struct flowi6 fl6 = { .daddr = *daddr };
	struct dst_entry *dst;
	u32 mtu = U32_MAX;

	dst = ip6_route_output(net, NULL, &fl6);
	if (!dst->error)
		mtu = dst_mtu(dst);
	dst_release(dst);
	return mtu;
}

static u32 nf_xlat_icmp_nexthop4(struct net *net, __be32 daddr)
{
	struct flowi4 fl4 = { .daddr = daddr };
	struct rtable *rt;
	u32 mtu;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return U32_MAX;
	mtu = dst_mtu(&rt->dst);
	ip_rt_put(rt);
	return mtu;
}

/* RFC 7915 section 4.2: Packet Too Big from Fragmentation Needed, with
 * minimum(advertised MTU + 20, MTU_of_IPv6_nexthop, MTU_of_IPv4_nexthop +
 * 20).  A router that does not implement RFC 1191 advertises 0: the
 * greatest plateau below the length that was too big then stands for the
 * IPv4 path MTU.  Errors are rare, so the two route lookups are cheap.
 */
static u32 nf_xlat_icmp_mtu6(struct nf_xlat_pkt *xp,
			     const struct nf_xlat_icmp_err *e,
			     const struct icmphdr *ih)
{
	u32 mtu = ntohs(ih->un.frag.mtu), mtu4;
	unsigned int i;

	if (!mtu) {
		mtu = IPV6_MIN_MTU - NF_XLAT_HDELTA;
		for (i = 0; i < ARRAY_SIZE(nf_xlat_icmp_plateaus); i++) {
			if (nf_xlat_icmp_plateaus[i] < e->ilen) {
				mtu = nf_xlat_icmp_plateaus[i];
				break;
			}
		}
	}
	mtu += NF_XLAT_HDELTA;
	mtu = min(mtu, nf_xlat_icmp_nexthop6(xp->net, &xp->v6[1]));
	mtu4 = nf_xlat_icmp_nexthop4(xp->net, e->old.v4[1]);
	if (mtu4 != U32_MAX)
		mtu = min(mtu, mtu4 + NF_XLAT_HDELTA);
	return max_t(u32, mtu, IPV6_MIN_MTU);
}

/* RFC 7915 section 4.3: the IPv4 packet quoted by an ICMPv4 error. */
static int nf_xlat_icmp_inner4(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       struct nf_xlat_icmp_err *e)
{
	unsigned int off = xp->l3len + NF_XLAT_ICMP_HLEN;
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct iphdr *iph;
	struct iphdr _iph;
	const u8 *tp;
	u8 _type;

	if (e->dlen < sizeof(*iph))
		return -EPERM;
	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EPERM;
	e->ihl = iph->ihl * 4;
	e->ilen = ntohs(iph->tot_len);
	if (e->ihl > e->dlen || e->ilen < e->ihl)
		return -EPERM;
	/* Link layer padding or RFC 4884 padding is not part of it. */
	e->plen = min(e->dlen, e->ilen) - e->ihl;

	e->proto = iph->protocol;
	e->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 : iph->tos;
	e->ttl = iph->ttl;
	e->frag = ip_is_fragment(iph);
	e->mf = iph->frag_off & htons(IP_MF);
	e->frag_off = (ntohs(iph->frag_off) & IP_OFFSET) << 3;
	e->frag_id = ntohs(iph->id);
	e->old.v4[0] = iph->saddr;
	e->old.v4[1] = iph->daddr;
	/* It travelled the other way: its source was a destination. */
	nf_xlat_addr_embed(&cfg->dst, iph->saddr, &e->new.v6[0]);
	nf_xlat_addr_embed(&cfg->src, iph->daddr, &e->new.v6[1]);

	if (e->proto != IPPROTO_ICMP || e->frag_off)
		return 0;
	/* Only an echo can be quoted: an error about an error is nested. */
	tp = skb_header_pointer(skb, off + e->ihl, 1, &_type);
	if (!e->plen || !tp)
		return -EPERM;
	switch (*tp) {
	case ICMP_ECHO:
		e->itype = ICMPV6_ECHO_REQUEST;
		return 0;
	case ICMP_ECHOREPLY:
		e->itype = ICMPV6_ECHO_REPLY;
		return 0;
	}
	return -EPERM;
}

/* Parse and map an ICMPv4 error, verifying its checksum if @verify. */
static int nf_xlat_icmp_parse4(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       struct nf_xlat_icmp_err *e, bool verify)
{
	const struct icmphdr *ih;
	struct icmphdr _ih;

	e->mlen = xp->len - xp->l3len;
	ih = skb_header_pointer(skb, xp->l3len, sizeof(_ih), &_ih);
	if (e->mlen < NF_XLAT_ICMP_HLEN || !ih)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	if (nf_xlat_icmp_map4to6(e, ih))
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	if (verify && skb->ip_summed != CHECKSUM_PARTIAL &&
	    csum_fold(skb_checksum(skb, xp->l3len, e->mlen, 0)))
		return nf_xlat_fail(xp, NF_XLAT_DROP_CSUM, -EINVAL);

	/* RFC 4884 gives these three types a length attribute. */
	nf_xlat_icmp_ext(e, ((const u8 *)ih)[NF_XLAT_ICMP4_LEN_OFF], 4);
	if (nf_xlat_icmp_inner4(xp, skb, e))
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_INNER, -EPERM);

	if (e->type == ICMPV6_PKT_TOOBIG)
		e->info = htonl(nf_xlat_icmp_mtu6(xp, e, ih));
	return 0;
}

/* RFC 7915 section 5.2, Figure 6: IPv6 header byte pointed at by an
 * ICMPv6 parameter problem -> IPv4 header byte, or -1 for "n/a".
 */
static int nf_xlat_icmp_ptr6to4(u32 ptr)
{
	switch (ptr) {
	case 0:
	case 1:
		return ptr;
	case 4:
	case 5:
		return offsetof(struct iphdr, tot_len);
	case 6:
		return offsetof(struct iphdr, protocol);
	case 7:
		return offsetof(struct iphdr, ttl);
	case 8 ... 23:
		return offsetof(struct iphdr, saddr);
	case 24 ... 39:
		return offsetof(struct iphdr, daddr);
	}
	return -1;
}

/* RFC 7915 section 5.2: the new type, code and parameter of an ICMPv6
 * error; the MTU of a packet too big is set once the inner packet is known.
 */
static int nf_xlat_icmp_map6to4(struct nf_xlat_icmp_err *e,
				const struct icmp6hdr *ih)
{
	int ptr;

	e->info = 0;
	e->lenattr = true;
	switch (ih->icmp6_type) {
	case ICMPV6_DEST_UNREACH:
		e->type = ICMP_DEST_UNREACH;
		switch (ih->icmp6_code) {
		case ICMPV6_NOROUTE:
		case ICMPV6_NOT_NEIGHBOUR:
		case ICMPV6_ADDR_UNREACH:
			e->code = ICMP_HOST_UNREACH;
			break;
		case ICMPV6_ADM_PROHIBITED:
			e->code = ICMP_HOST_ANO;
			break;
		case ICMPV6_PORT_UNREACH:
			e->code = ICMP_PORT_UNREACH;
			break;
		default:
			return -EPERM;
		}
		return 0;
	case ICMPV6_PKT_TOOBIG:
		e->type = ICMP_DEST_UNREACH;
		e->code = ICMP_FRAG_NEEDED;
		return 0;
	case ICMPV6_TIME_EXCEED:
		e->type = ICMP_TIME_EXCEEDED;
		e->code = ih->icmp6_code;
		return 0;
	case ICMPV6_PARAMPROB:
		switch (ih->icmp6_code) {
		case ICMPV6_HDR_FIELD:
			ptr = nf_xlat_icmp_ptr6to4(ntohl(ih->icmp6_pointer));
			if (ptr < 0)
				return -EPERM;
			e->type = ICMP_PARAMETERPROB;
			e->code = 0;
			e->info = htonl((u32)ptr << 24);
			return 0;
		case ICMPV6_UNK_NEXTHDR:
			e->type = ICMP_DEST_UNREACH;
			e->code = ICMP_PROT_UNREACH;
			return 0;
		}
		return -EPERM;	/* unrecognized option, unknown codes */
	}
	return -EPERM;
}

/* RFC 7915 section 5.2: Fragmentation Needed from Packet Too Big, the
 * difference of the headers taken off (a fragment header's too), within
 * what the 16 bits of the field and IPv4 allow.
 */
static __be32 nf_xlat_icmp_mtu4(const struct nf_xlat_icmp_err *e,
				const struct icmp6hdr *ih)
{
	u32 hdelta = NF_XLAT_HDELTA + (e->frag ? sizeof(struct frag_hdr) : 0);
	u32 mtu = ntohl(ih->icmp6_mtu);

	if (mtu < NF_XLAT_IPV4_MIN_MTU + hdelta)
		mtu = NF_XLAT_IPV4_MIN_MTU;
	else
		mtu = min_t(u32, mtu - hdelta, U16_MAX);
	return htonl(mtu);
}

/* RFC 7915 section 5.3: the IPv6 packet quoted by an ICMPv6 error, its
 * extension headers skipped.
 */
static int nf_xlat_icmp_inner6(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       struct nf_xlat_icmp_err *e)
{
	unsigned int off = xp->l3len + NF_XLAT_ICMP_HLEN;
	const struct nf_xlat_cfg *cfg = xp->cfg;
	const struct ipv6hdr *ip6h;
	const struct frag_hdr *fh;
	const struct ipv6_opt_hdr *oh;
	struct ipv6_opt_hdr _oh;
	struct ipv6hdr _ip6h;
	struct frag_hdr _fh;
	unsigned int i;
	const u8 *tp;
	u8 nexthdr;
	u8 _type;

	if (e->dlen < sizeof(*ip6h))
		return -EPERM;
	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 || !ip6h->payload_len)
		return -EPERM;
	e->ilen = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	e->tos = cfg->flags & NFT_XLAT_F_TCLASS_ZERO ? 0 :
		 ipv6_get_dsfield(ip6h);
	e->ttl = ip6h->hop_limit;
	e->old.v6[0] = ip6h->saddr;
	e->old.v6[1] = ip6h->daddr;
	/* It travelled the other way: its source was a destination. */
	if (!nf_xlat_addr_extract(&cfg->dst, &ip6h->saddr, &e->new.v4[0]) ||
	    !nf_xlat_addr_extract(&cfg->src, &ip6h->daddr, &e->new.v4[1]))
		return -EPERM;

	e->frag = false;
	e->mf = false;
	e->frag_off = 0;
	e->frag_id = 0;
	e->ihl = sizeof(*ip6h);
	nexthdr = ip6h->nexthdr;
	for (i = 0; i <= NF_XLAT_EXTHDR_MAX; i++) {
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			oh = skb_header_pointer(skb, off + e->ihl, sizeof(_oh),
						&_oh);
			if (!oh)
				return -EPERM;
			nexthdr = oh->nexthdr;
			e->ihl += ipv6_optlen(oh);
			break;
		case NEXTHDR_FRAGMENT:
			fh = skb_header_pointer(skb, off + e->ihl, sizeof(_fh),
						&_fh);
			if (e->frag || !fh)
				return -EPERM;
			nexthdr = fh->nexthdr;
			e->ihl += sizeof(*fh);
			e->frag = true;
			e->mf = fh->frag_off & htons(IP6_MF);
			e->frag_off = ntohs(fh->frag_off) & ~0x7;
			e->frag_id = ntohl(fh->identification);
			/* What follows a later fragment is data. */
			if (e->frag_off)
				goto done;
			break;
		default:
			goto done;
		}
		if (e->ihl > e->dlen)
			return -EPERM;
	}
	return -EPERM;

done:
	if (e->ihl > e->dlen || e->ilen < e->ihl ||
	    e->ilen - e->ihl + sizeof(struct iphdr) > IP_MAX_MTU)
		return -EPERM;
	e->plen = min(e->dlen, e->ilen) - e->ihl;
	e->proto = nexthdr;

	if (e->proto != IPPROTO_ICMPV6 || e->frag_off)
		return 0;
	/* Only an echo can be quoted: an error about an error is nested. */
	tp = skb_header_pointer(skb, off + e->ihl, 1, &_type);
	if (!e->plen || !tp)
		return -EPERM;
	switch (*tp) {
	case ICMPV6_ECHO_REQUEST:
		e->itype = ICMP_ECHO;
		return 0;
	case ICMPV6_ECHO_REPLY:
		e->itype = ICMP_ECHOREPLY;
		return 0;
	}
	return -EPERM;
}

/* Parse and map an ICMPv6 error, verifying its checksum if @verify. */
static int nf_xlat_icmp_parse6(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       struct nf_xlat_icmp_err *e, bool verify)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct icmp6hdr *ih;
	struct icmp6hdr _ih;
	__wsum csum;

	e->mlen = xp->len - xp->l3len;
	ih = skb_header_pointer(skb, xp->l3len, sizeof(_ih), &_ih);
	if (e->mlen < NF_XLAT_ICMP_HLEN || !ih)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);
	if (nf_xlat_icmp_map6to4(e, ih))
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	if (verify && skb->ip_summed != CHECKSUM_PARTIAL) {
		csum = skb_checksum(skb, xp->l3len, e->mlen, 0);
		if (csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, e->mlen,
				    IPPROTO_ICMPV6, csum))
			return nf_xlat_fail(xp, NF_XLAT_DROP_CSUM, -EINVAL);
	}

	/* RFC 4884: only these two ICMPv6 types have a length attribute. */
	if (ih->icmp6_type == ICMPV6_DEST_UNREACH ||
	    ih->icmp6_type == ICMPV6_TIME_EXCEED)
		nf_xlat_icmp_ext(e, ((const u8 *)ih)[NF_XLAT_ICMP6_LEN_OFF],
				 8);
	else
		nf_xlat_icmp_ext(e, 0, 8);
	if (nf_xlat_icmp_inner6(xp, skb, e))
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_INNER, -EPERM);

	if (ih->icmp6_type == ICMPV6_PKT_TOOBIG)
		e->info = nf_xlat_icmp_mtu4(e, ih);
	return 0;
}

/**
 * nf_xlat_icmp_4to6_prepare() - classify an ICMPv4 message
 * @xp: packet state
 * @skb: the packet
 *
 * Return: 0 for a message to translate (@xp->l4 says which kind), -EPERM
 * for a type RFC 7915 section 4.2 drops or an error whose quoted packet
 * cannot be translated, -EINVAL if truncated or, for an error, with a bad
 * checksum.
 */
int nf_xlat_icmp_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	struct nf_xlat_icmp_err e;
	const struct icmphdr *ih;
	struct icmphdr _ih;
	int err;

	ih = skb_header_pointer(skb, xp->l3len, sizeof(_ih), &_ih);
	if (xp->len - xp->l3len < sizeof(*ih) || !ih)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);

	if (ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY) {
		xp->l4 = NF_XLAT_L4_ICMP;
		return 0;
	}
	err = nf_xlat_icmp_parse4(xp, skb, &e, true);
	if (err)
		return err;
	xp->l4 = NF_XLAT_L4_ICMP_ERR;
	return 0;
}

/**
 * nf_xlat_icmp_6to4_prepare() - classify an ICMPv6 message
 * @xp: packet state
 * @skb: the packet
 *
 * Return: as nf_xlat_icmp_4to6_prepare(), for RFC 7915 section 5.2.
 */
int nf_xlat_icmp_6to4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	struct nf_xlat_icmp_err e;
	const struct icmp6hdr *ih;
	struct icmp6hdr _ih;
	int err;

	ih = skb_header_pointer(skb, xp->l3len, sizeof(_ih), &_ih);
	if (xp->len - xp->l3len < sizeof(*ih) || !ih)
		return nf_xlat_fail(xp, NF_XLAT_DROP_MALFORMED, -EINVAL);

	if (ih->icmp6_type == ICMPV6_ECHO_REQUEST ||
	    ih->icmp6_type == ICMPV6_ECHO_REPLY) {
		xp->l4 = NF_XLAT_L4_ICMP;
		return 0;
	}
	/* MLD, neighbour discovery, unknown types: single hop or obsolete. */
	if (ih->icmp6_type & ICMPV6_INFOMSG_MASK)
		return nf_xlat_fail(xp, NF_XLAT_DROP_ICMP_TYPE, -EPERM);
	err = nf_xlat_icmp_parse6(xp, skb, &e, true);
	if (err)
		return err;
	xp->l4 = NF_XLAT_L4_ICMP_ERR;
	return 0;
}

/* How much of the quoted payload the new message holds, and whether the
 * extension structure still fits (RFC 4884 section 4: the original
 * datagram field padded to @unit bytes and to at least 128 bytes).
 * Returns the length of the new message; *@dlen is the length of its
 * original datagram field (0: no extension structure).
 */
static unsigned int nf_xlat_icmp_size(const struct nf_xlat_icmp_err *e,
				      unsigned int hlen, unsigned int max,
				      unsigned int unit, unsigned int *copy,
				      unsigned int *dlen)
{
	unsigned int len;

	if (e->elen && e->lenattr) {
		len = max_t(unsigned int, round_up(hlen + e->plen, unit),
			    NF_XLAT_ICMP_EXT_MIN);
		if (NF_XLAT_ICMP_HLEN + len + e->elen <= max) {
			*copy = e->plen;
			*dlen = len;
			return NF_XLAT_ICMP_HLEN + len + e->elen;
		}
	}
	*copy = min(e->plen, max - NF_XLAT_ICMP_HLEN - hlen);
	*dlen = 0;
	return NF_XLAT_ICMP_HLEN + hlen + *copy;
}

/* Copy the quoted payload, padding and extension structure of @skb's
 * message into @buf, the new message, at @hlen past the ICMP header.
 */
static int nf_xlat_icmp_copy(const struct nf_xlat_pkt *xp,
			     const struct sk_buff *skb,
			     const struct nf_xlat_icmp_err *e, u8 *buf,
			     unsigned int hlen, unsigned int copy,
			     unsigned int dlen)
{
	unsigned int off = xp->l3len + NF_XLAT_ICMP_HLEN;
	u8 *p = buf + NF_XLAT_ICMP_HLEN;

	if (skb_copy_bits(skb, off + e->ihl, p + hlen, copy))
		return -EINVAL;
	if (!dlen)
		return 0;
	/* The padding is zero already. */
	return skb_copy_bits(skb, off + e->dlen, p + dlen, e->elen);
}

/* Put the new message @buf of @len bytes in place of the old one. */
static int nf_xlat_icmp_store(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			      const u8 *buf, unsigned int len)
{
	unsigned int nlen = xp->l3len + len;
	int room;

	if (skb_linearize(skb))
		return -ENOMEM;
	room = (int)nlen - (int)skb->len - (int)skb_tailroom(skb);
	if ((skb_cloned(skb) || room > 0) &&
	    pskb_expand_head(skb, 0, max(room, 0), GFP_ATOMIC))
		return -ENOMEM;
	if (nlen > skb->len)
		__skb_put(skb, nlen - skb->len);
	else
		__skb_trim(skb, nlen);

	memcpy(skb_network_header(skb) + xp->l3len, buf, len);
	xp->len = nlen;
	/* Computed in full: nothing left to the device or to verify. */
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* The quoted transport header: fix a TCP or UDP checksum by @diff, the
 * change of the pseudo-header, and give an echo message its new type and
 * @echo, the change of pseudo-header of ICMPv6.  Nothing of it is there
 * past the first fragment.
 */
static void nf_xlat_icmp_inner_l4(const struct nf_xlat_icmp_err *e, u8 *p,
				  unsigned int copy, u8 icmp, __wsum diff,
				  __wsum echo)
{
	struct icmphdr *ih = (struct icmphdr *)p;
	struct udphdr *uh = (struct udphdr *)p;
	struct tcphdr *th = (struct tcphdr *)p;
	__be16 old;

	if (e->frag_off)
		return;
	switch (e->proto) {
	case IPPROTO_TCP:
		if (copy >= offsetofend(struct tcphdr, check))
			csum_replace_by_diff(&th->check, diff);
		return;
	case IPPROTO_UDP:
		if (copy < sizeof(*uh) || !uh->check)
			return;
		csum_replace_by_diff(&uh->check, diff);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
		return;
	}
	if (e->proto != icmp)
		return;
	if (copy < offsetofend(struct icmphdr, checksum)) {
		ih->type = e->itype;
		return;
	}
	old = *(__be16 *)ih;
	ih->type = e->itype;
	csum_replace2(&ih->checksum, old, *(__be16 *)ih);
	/* The length of a fragmented message is unknown: left as it is. */
	if (!e->mf)
		csum_replace_by_diff(&ih->checksum, echo);
}

/* Translate an ICMPv4 error into a new ICMPv6 message. */
static int nf_xlat_icmp_err_4to6(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int hlen, len, copy, dlen;
	struct nf_xlat_icmp_err e;
	struct icmp6hdr *ih;
	struct ipv6hdr *ip6h;
	struct frag_hdr *fh;
	__wsum diff, echo;
	u8 proto;
	u8 *buf;
	int err;

	err = nf_xlat_icmp_parse4(xp, skb, &e, false);
	if (err)
		return err;

	hlen = sizeof(*ip6h) + (e.frag ? sizeof(*fh) : 0);
	len = nf_xlat_icmp_size(&e, hlen, NF_XLAT_ICMP6_MAX, 8, &copy, &dlen);
	buf = kzalloc(len, GFP_ATOMIC);
	if (!buf)
		return nf_xlat_fail(xp, NF_XLAT_DROP_NOMEM, -ENOMEM);

	ih = (struct icmp6hdr *)buf;
	ih->icmp6_type = e.type;
	ih->icmp6_code = e.code;
	ih->icmp6_dataun.un_data32[0] = e.info;
	if (dlen)
		buf[NF_XLAT_ICMP6_LEN_OFF] = dlen / 8;

	/* RFC 7915 section 4.1 for the quoted header: options dropped. */
	proto = e.proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : e.proto;
	ip6h = (struct ipv6hdr *)(buf + NF_XLAT_ICMP_HLEN);
	ip6_flow_hdr(ip6h, e.tos, 0);
	ip6h->payload_len = htons(e.ilen - e.ihl + hlen - sizeof(*ip6h));
	ip6h->nexthdr = e.frag ? NEXTHDR_FRAGMENT : proto;
	ip6h->hop_limit = e.ttl;
	ip6h->saddr = e.new.v6[0];
	ip6h->daddr = e.new.v6[1];
	if (e.frag) {
		fh = (struct frag_hdr *)(ip6h + 1);
		fh->nexthdr = proto;
		fh->frag_off = htons(e.frag_off | (e.mf ? IP6_MF : 0));
		fh->identification = htonl(e.frag_id);
	}

	err = nf_xlat_icmp_copy(xp, skb, &e, buf, hlen, copy, dlen);
	if (err)
		goto out;
	diff = csum_sub(csum_partial(e.new.v6, sizeof(e.new.v6), 0),
			csum_partial(e.old.v4, sizeof(e.old.v4), 0));
	echo = nf_xlat_icmp_pseudo6(&e.new.v6[0], &e.new.v6[1],
				    e.ilen - e.ihl);
	nf_xlat_icmp_inner_l4(&e, buf + NF_XLAT_ICMP_HLEN + hlen, copy,
			      IPPROTO_ICMP, diff, echo);
	ih->icmp6_cksum = csum_ipv6_magic(&xp->v6[0], &xp->v6[1], len,
					  IPPROTO_ICMPV6,
					  csum_partial(buf, len, 0));
	err = nf_xlat_icmp_store(xp, skb, buf, len);
	if (err)
		nf_xlat_fail(xp, NF_XLAT_DROP_NOMEM, err);
out:
	kfree(buf);
	return err;
}

/* Translate an ICMPv6 error into a new ICMPv4 message. */
static int nf_xlat_icmp_err_6to4(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int len, copy, dlen, tot;
	struct nf_xlat_icmp_err e;
	struct icmphdr *ih;
	struct iphdr *iph;
	__wsum diff, echo;
	u8 *buf;
	int err;

	err = nf_xlat_icmp_parse6(xp, skb, &e, false);
	if (err)
		return err;

	len = nf_xlat_icmp_size(&e, sizeof(*iph), NF_XLAT_ICMP4_MAX, 4, &copy,
				&dlen);
	buf = kzalloc(len, GFP_ATOMIC);
	if (!buf)
		return nf_xlat_fail(xp, NF_XLAT_DROP_NOMEM, -ENOMEM);

	ih = (struct icmphdr *)buf;
	ih->type = e.type;
	ih->code = e.code;
	ih->un.gateway = e.info;
	if (dlen)
		buf[NF_XLAT_ICMP4_LEN_OFF] = dlen / 4;

	/* RFC 7915 section 5.1 for the quoted header: extension headers
	 * dropped, a fragment header's fields moved into the IPv4 header.
	 */
	tot = e.ilen - e.ihl + sizeof(*iph);
	iph = (struct iphdr *)(buf + NF_XLAT_ICMP_HLEN);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = e.tos;
	iph->tot_len = htons(tot);
	if (e.frag) {
		iph->id = htons(e.frag_id & 0xffff);
		iph->frag_off = htons((e.frag_off >> 3) | (e.mf ? IP_MF : 0));
	} else if (tot > NF_XLAT_DF_THRESH) {
		iph->frag_off = htons(IP_DF);
	}
	iph->ttl = e.ttl;
	iph->protocol = e.proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : e.proto;
	iph->saddr = e.new.v4[0];
	iph->daddr = e.new.v4[1];
	ip_send_check(iph);

	err = nf_xlat_icmp_copy(xp, skb, &e, buf, sizeof(*iph), copy, dlen);
	if (err)
		goto out;
	diff = csum_sub(csum_partial(e.new.v4, sizeof(e.new.v4), 0),
			csum_partial(e.old.v6, sizeof(e.old.v6), 0));
	echo = csum_sub(0, nf_xlat_icmp_pseudo6(&e.old.v6[0], &e.old.v6[1],
						e.ilen - e.ihl));
	nf_xlat_icmp_inner_l4(&e, buf + NF_XLAT_ICMP_HLEN + sizeof(*iph), copy,
			      IPPROTO_ICMPV6, diff, echo);
	ih->checksum = csum_fold(csum_partial(buf, len, 0));
	err = nf_xlat_icmp_store(xp, skb, buf, len);
	if (err)
		nf_xlat_fail(xp, NF_XLAT_DROP_NOMEM, err);
out:
	kfree(buf);
	return err;
}

/**
 * nf_xlat_icmp_4to6() - rewrite an ICMPv4 message as ICMPv6
 * @xp: packet state
 * @skb: the packet, writable, network header still IPv4
 *
 * An error message is replaced by its translation, which may have another
 * length: @xp->len is updated and the skb may be reallocated.
 *
 * Return: 0 or a negative errno.
 */
int nf_xlat_icmp_4to6(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int len = xp->len - xp->l3len;
	struct icmphdr *ih;
	__be16 old;
	int err;

	if (xp->l4 == NF_XLAT_L4_ICMP_ERR)
		return nf_xlat_icmp_err_4to6(xp, skb);

	err = nf_xlat_icmp_csum_resolve(skb);
	if (err)
		return err;

	ih = (struct icmphdr *)(skb_network_header(skb) + xp->l3len);
	old = *(__be16 *)ih;
	ih->type = ih->type == ICMP_ECHO ? ICMPV6_ECHO_REQUEST :
					   ICMPV6_ECHO_REPLY;
	csum_replace2(&ih->checksum, old, *(__be16 *)ih);
	csum_replace_by_diff(&ih->checksum,
			     nf_xlat_icmp_pseudo6(&xp->v6[0], &xp->v6[1], len));
	return 0;
}

/**
 * nf_xlat_icmp_6to4() - rewrite an ICMPv6 message as ICMPv4
 * @xp: packet state
 * @skb: the packet, writable, network header still IPv6
 *
 * Return: as nf_xlat_icmp_4to6().
 */
int nf_xlat_icmp_6to4(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int len = xp->len - xp->l3len;
	const struct ipv6hdr *ip6h;
	struct icmp6hdr *ih;
	__wsum pseudo;
	__be16 old;
	int err;

	if (xp->l4 == NF_XLAT_L4_ICMP_ERR)
		return nf_xlat_icmp_err_6to4(xp, skb);

	err = nf_xlat_icmp_csum_resolve(skb);
	if (err)
		return err;

	ip6h = ipv6_hdr(skb);
	pseudo = nf_xlat_icmp_pseudo6(&ip6h->saddr, &ip6h->daddr, len);
	ih = (struct icmp6hdr *)(skb_network_header(skb) + xp->l3len);
	old = *(__be16 *)ih;
	ih->icmp6_type = ih->icmp6_type == ICMPV6_ECHO_REQUEST ? ICMP_ECHO :
								 ICMP_ECHOREPLY;
	csum_replace2(&ih->icmp6_cksum, old, *(__be16 *)ih);
	csum_replace_by_diff(&ih->icmp6_cksum, csum_sub(0, pseudo));
	return 0;
}
