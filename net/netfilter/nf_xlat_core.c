// SPDX-License-Identifier: GPL-2.0-only
/* Steps shared by both translation directions: transport checksums, GSO
 * metadata, the link layer header and the skb metadata of the old family.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_xlat.h>

/**
 * nf_xlat_l4_prepare() - check the transport header of TCP, UDP and others
 * @xp: packet state; @proto, @l3len and @len are set
 * @skb: the packet
 *
 * Return: 0, or -EINVAL for a truncated TCP or UDP header.
 */
int nf_xlat_l4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int l4len = xp->len - xp->l3len;
	const struct udphdr *uh;
	const struct tcphdr *th;

	switch (xp->proto) {
	case IPPROTO_TCP:
		if (l4len < sizeof(*th) ||
		    !pskb_may_pull(skb, xp->l3len + sizeof(*th)))
			return -EINVAL;
		th = (const struct tcphdr *)(skb_network_header(skb) +
					     xp->l3len);
		if (th->doff * 4 < sizeof(*th))
			return -EINVAL;
		/* Options past the end of an unfragmented segment. */
		if (!xp->frag && !skb_is_gso(skb) && th->doff * 4 > l4len)
			return -EINVAL;
		xp->l4 = NF_XLAT_L4_TCP;
		break;
	case IPPROTO_UDP:
		if (l4len < sizeof(*uh) ||
		    !pskb_may_pull(skb, xp->l3len + sizeof(*uh)))
			return -EINVAL;
		/* A length that disagrees with the IP header's makes a
		 * datagram the receiver drops; do not forward one.  A
		 * fragment's covers the datagram, a GSO packet's a segment.
		 */
		uh = (const struct udphdr *)(skb_network_header(skb) +
					     xp->l3len);
		if (!xp->frag && !skb_is_gso(skb) && ntohs(uh->len) != l4len)
			return -EINVAL;
		xp->l4 = NF_XLAT_L4_UDP;
		break;
	default:
		/* RFC 7915 sections 4.1 and 5.1: the protocol number is copied
		 * and the payload is left alone.
		 */
		xp->l4 = NF_XLAT_L4_OTHER;
		break;
	}
	return 0;
}

/**
 * nf_xlat_l4_wlen() - transport header bytes the rewrite writes to
 * @xp: packet state
 *
 * Return: the length, from the transport header, to make writable.
 */
unsigned int nf_xlat_l4_wlen(const struct nf_xlat_pkt *xp)
{
	switch (xp->l4) {
	case NF_XLAT_L4_TCP:
		return offsetofend(struct tcphdr, check);
	case NF_XLAT_L4_UDP:
		return sizeof(struct udphdr);
	case NF_XLAT_L4_ICMP:
		return 4;	/* type, code, checksum */
	}
	return 0;
}

/**
 * nf_xlat_l4_partial() - is the TCP/UDP checksum left to the device
 * @xp: packet state
 * @skb: the packet
 *
 * CHECKSUM_PARTIAL may also be about another checksum, e.g. the inner one
 * of a UDP tunnel whose outer checksum is complete or zero.
 *
 * Return: true if @skb's CHECKSUM_PARTIAL is about the transport checksum
 * of @xp, which then holds the pseudo-header sum only.
 */
bool nf_xlat_l4_partial(const struct nf_xlat_pkt *xp,
			const struct sk_buff *skb)
{
	unsigned int off = xp->l4 == NF_XLAT_L4_TCP ?
			   offsetof(struct tcphdr, check) :
			   offsetof(struct udphdr, check);

	return skb->ip_summed == CHECKSUM_PARTIAL &&
	       skb_checksum_start_offset(skb) ==
	       skb_network_offset(skb) + xp->l3len &&
	       skb->csum_offset == off;
}

/**
 * nf_xlat_l4_csum() - fix a TCP or UDP checksum for the new pseudo-header
 * @xp: packet state
 * @skb: the packet, writable, network header still the old one
 * @diff: new minus old pseudo-header sum
 *
 * The pseudo-headers of both families hold the same length and protocol
 * (they fold to the same sum), so only the addresses differ.  A checksum
 * left to the device holds the pseudo-header sum, which the device or
 * skb_checksum_help() completes; csum_start does not move because the
 * transport header stays where it is.  A complete checksum is updated
 * incrementally, so a corrupt segment stays corrupt.
 */
void nf_xlat_l4_csum(struct nf_xlat_pkt *xp, struct sk_buff *skb,
		     __wsum diff)
{
	bool partial = nf_xlat_l4_partial(xp, skb);
	__sum16 *check;

	switch (xp->l4) {
	case NF_XLAT_L4_TCP:
		check = &((struct tcphdr *)(skb_network_header(skb) +
					    xp->l3len))->check;
		break;
	case NF_XLAT_L4_UDP:
		check = &((struct udphdr *)(skb_network_header(skb) +
					    xp->l3len))->check;
		/* Zero means "no checksum" (IPv4, or RFC 6936 tunnels). */
		if (!*check && !partial)
			return;
		break;
	default:
		return;
	}

	if (partial) {
		*check = ~csum_fold(csum_add(csum_unfold(*check), diff));
		return;
	}
	csum_replace_by_diff(check, diff);
	if (xp->l4 == NF_XLAT_L4_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/**
 * nf_xlat_gso_ok() - can the GSO type follow the translation
 * @xp: packet state
 * @skb: the packet
 * @to6: direction
 *
 * Only plain TCP segmentation has a counterpart in the other family that
 * segments the same way.  Anything else (UDP_L4, FRAGLIST, tunnels, ...)
 * is segmented in software before translation.
 *
 * Return: true if @skb is not GSO or its GSO type can be converted.
 */
bool nf_xlat_gso_ok(const struct nf_xlat_pkt *xp, const struct sk_buff *skb,
		    bool to6)
{
	unsigned int type, tcp, ok;

	if (!skb_is_gso(skb))
		return true;
	if (xp->l4 != NF_XLAT_L4_TCP)
		return false;

	type = skb_shinfo(skb)->gso_type;
	tcp = to6 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6;
	ok = tcp | SKB_GSO_DODGY | SKB_GSO_TCP_ECN;
	if (to6)
		ok |= SKB_GSO_TCP_FIXEDID;
	return (type & tcp) && !(type & ~ok);
}

/* As bpf_skb_proto_{4_to_6,6_to_4}(): DODGY makes the segmentation code
 * check the headers again and recompute gso_segs, and keeps it off the
 * frag_list fast path that would copy stale headers.
 */
void nf_xlat_gso_4to6(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	/* IPv6 has no ID to keep fixed. */
	shinfo->gso_type &= ~(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
	shinfo->gso_type |= SKB_GSO_TCPV6 | SKB_GSO_DODGY;
	shinfo->gso_segs = 0;
}

void nf_xlat_gso_6to4(struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	shinfo->gso_type &= ~SKB_GSO_TCPV6;
	shinfo->gso_type |= SKB_GSO_TCPV4 | SKB_GSO_DODGY;
	shinfo->gso_segs = 0;
}

/**
 * nf_xlat_mac_len() - length of the link layer header before the packet
 * @skb: the packet
 *
 * Return: the distance from the MAC header to the network header, 0 if
 * the packet has none.
 */
unsigned int nf_xlat_mac_len(const struct sk_buff *skb)
{
	if (!skb_mac_header_was_set(skb) ||
	    skb->mac_header > skb->network_header)
		return 0;
	return skb->network_header - skb->mac_header;
}

/**
 * nf_xlat_mac_move() - keep the link layer header next to the new header
 * @skb: the packet, network header and protocol already the new ones
 * @mac_len: from nf_xlat_mac_len() before the change
 * @delta: how far the network header moved
 *
 * Requeued packets get mac_len = network - mac header again, taps and
 * mirred push the MAC header back: both want it adjacent to the network
 * header and carrying the new EtherType.
 */
void nf_xlat_mac_move(struct sk_buff *skb, unsigned int mac_len, int delta)
{
	u8 *mac;

	if (!mac_len)
		return;
	mac = skb_mac_header(skb);
	memmove(mac + delta, mac, mac_len);
	skb->mac_header += delta;
	skb->mac_len = mac_len;
	if (skb->dev && skb->dev->type == ARPHRD_ETHER && mac_len >= ETH_HLEN)
		*(__be16 *)(skb_network_header(skb) - 2) = skb->protocol;
}

/**
 * nf_xlat_meta_reset() - forget what belonged to the old family
 * @skb: the translated packet
 *
 * The control block holds IPCB/IP6CB of the old family and a delivery
 * time would be misread on the new path (a stale tstamp makes fq drop the
 * packet).  skb->mark is kept: it is the user's and survives translation.
 * So is the flow hash, as under NAT: it was computed on the old headers,
 * but what steers by it (RPS, XPS, fq, multipath routing) only needs one
 * value per flow, and a cleared hash costs a flow dissection per packet
 * at the next receive or queue selection.
 */
void nf_xlat_meta_reset(struct sk_buff *skb)
{
	memset(skb->cb, 0, sizeof(skb->cb));
	skb_clear_delivery_time(skb);
	skb_clear_tstamp(skb);
}
