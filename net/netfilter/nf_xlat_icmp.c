// SPDX-License-Identifier: GPL-2.0-only
/* ICMP <-> ICMPv6 translation, RFC 7915 sections 4.2 and 5.2.
 *
 * Echo request and reply are translated: the type changes, identifier,
 * sequence number and data are kept, and the checksum is updated
 * incrementally (a corrupt message stays corrupt).  Error messages carry
 * a packet that must be translated too (sections 4.3 and 5.3); they are
 * left untouched here.  RFC 7915 drops every other type.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/netfilter/nf_xlat.h>

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

/**
 * nf_xlat_icmp_4to6_prepare() - classify an ICMPv4 message
 * @xp: packet state
 * @skb: the packet
 *
 * Return: 0 for a message to translate, -EPROTONOSUPPORT for an error
 * message (left alone), -EPERM for a type RFC 7915 section 4.2 drops,
 * -EINVAL if truncated.
 */
int nf_xlat_icmp_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	const struct icmphdr *ih;

	if (xp->len - xp->l3len < sizeof(*ih) ||
	    !pskb_may_pull(skb, xp->l3len + sizeof(*ih)))
		return -EINVAL;
	ih = (const struct icmphdr *)(skb_network_header(skb) + xp->l3len);

	switch (ih->type) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
		xp->l4 = NF_XLAT_L4_ICMP;
		return 0;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return -EPROTONOSUPPORT;
	}
	return -EPERM;
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
	const struct icmp6hdr *ih;

	if (xp->len - xp->l3len < sizeof(*ih) ||
	    !pskb_may_pull(skb, xp->l3len + sizeof(*ih)))
		return -EINVAL;
	ih = (const struct icmp6hdr *)(skb_network_header(skb) + xp->l3len);

	switch (ih->icmp6_type) {
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_ECHO_REPLY:
		xp->l4 = NF_XLAT_L4_ICMP;
		return 0;
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		return -EPROTONOSUPPORT;
	}
	/* MLD, neighbour discovery, unknown types: single hop or obsolete. */
	return -EPERM;
}

/**
 * nf_xlat_icmp_4to6() - rewrite an ICMPv4 echo message as ICMPv6
 * @xp: packet state
 * @skb: the packet, writable, network header still IPv4
 *
 * Return: 0 or a negative errno.
 */
int nf_xlat_icmp_4to6(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int len = xp->len - xp->l3len;
	struct icmphdr *ih;
	__be16 old;
	int err;

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
 * nf_xlat_icmp_6to4() - rewrite an ICMPv6 echo message as ICMPv4
 * @xp: packet state
 * @skb: the packet, writable, network header still IPv6
 *
 * Return: 0 or a negative errno.
 */
int nf_xlat_icmp_6to4(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	unsigned int len = xp->len - xp->l3len;
	const struct ipv6hdr *ip6h;
	struct icmp6hdr *ih;
	__wsum pseudo;
	__be16 old;
	int err;

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
