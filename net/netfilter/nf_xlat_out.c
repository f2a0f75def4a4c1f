// SPDX-License-Identifier: GPL-2.0-only
/* Running a translation at a hook and delivering its result, and the loop
 * guard.
 *
 *   ingress      rewrite in place, NF_ACCEPT: __netif_receive_skb_core()
 *                picks the protocol handler from skb->protocol after the
 *                ingress hook
 *   prerouting   rewrite, forget dst/ct/trace/secpath, and go on at once in
 *                the new family's receive path: its prerouting hooks,
 *                routing and dst_input(), as ip_rcv()/ipv6_rcv() would,
 *                without a second trip through the backlog; NF_STOLEN
 *   postrouting  confirm the conntrack entry (its confirm hook is never
 *                reached), route in the new family before touching the
 *                packet (an ICMP error must quote the original), rewrite,
 *                untrack, dst_output(), NF_STOLEN
 *   bound in     prerouting for a connection bound by a nat chain
 *                (nf_xlat_bind.c): as prerouting, but the packet keeps
 *                its conntrack entry
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/dst.h>
#include <net/dst_metadata.h>
#include <net/gso.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/pkt_sched.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/* Loop guard.
 *
 * A delivered packet goes on through the stack in its new family, where
 * another xlat rule may match it: a prerouting "from" and a prerouting "to"
 * without interface matches bounced one packet 6 -> 4 -> 6 about 12 million
 * times in 25 s, as nothing decrements the TTL between two prerouting
 * translations.  The kernel, not the ruleset, has to end this.
 *
 * So every delivered packet carries a cookie in the last 8 bytes of
 * skb->cb: siphash(skb->head, skb->dev) under a key drawn at module load.
 * An xlat expression that finds the cookie of (skb->head, skb->dev) leaves
 * the packet alone (NFT_BREAK): a translated packet is never translated
 * again on the device it was delivered on.  Once it leaves through
 * another device (a veth into another netns, the output device of the new
 * family's route) the cookie no longer matches and the next translator
 * works.  The TTL is not touched.  The cookie hashes the data buffer, not
 * the sk_buff: ip_rcv() and ipv6_rcv() clone a shared skb (pktgen keeps a
 * reference to what it sends), and a clone has the same head and cb.
 *
 * The cookie lies past struct inet_skb_parm and inet6_skb_parm, which the
 * IPv4 and IPv6 receive paths clear, and past struct tc_skb_cb: those
 * leave it alone.  A user that does overwrite it (TCP's control block,
 * the defragmenters' queue) only removes it: a random 64-bit value
 * matches by chance with probability 2^-64, and a packet whose skb->cb
 * was reused is a new packet as far as translation goes.
 *
 * Consequence: a packet translated on a device cannot be translated back
 * at that device's postrouting hook (hairpinning through one interface).
 */
#define NF_XLAT_COOKIE_OFF	(sizeof_field(struct sk_buff, cb) - sizeof(u64))

static siphash_key_t nf_xlat_guard_key __read_mostly;

static u64 nf_xlat_guard_cookie(const struct sk_buff *skb)
{
	return siphash_2u64((unsigned long)skb->head, (unsigned long)skb->dev,
			    &nf_xlat_guard_key);
}

/* Was @skb delivered by a translator on the device it is on now? */
bool nf_xlat_guard_hit(const struct sk_buff *skb)
{
	u64 cookie;

	memcpy(&cookie, skb->cb + NF_XLAT_COOKIE_OFF, sizeof(cookie));
	return cookie == nf_xlat_guard_cookie(skb);
}

static void nf_xlat_guard_stamp(struct sk_buff *skb)
{
	u64 cookie = nf_xlat_guard_cookie(skb);

	memcpy(skb->cb + NF_XLAT_COOKIE_OFF, &cookie, sizeof(cookie));
}

/**
 * nf_xlat_guard_init() - draw the loop guard key
 *
 * Call once before the expression can run.
 */
void nf_xlat_guard_init(void)
{
	BUILD_BUG_ON(sizeof(struct inet_skb_parm) > NF_XLAT_COOKIE_OFF);
	BUILD_BUG_ON(sizeof(struct inet6_skb_parm) > NF_XLAT_COOKIE_OFF);
	BUILD_BUG_ON(sizeof(struct tc_skb_cb) > NF_XLAT_COOKIE_OFF);
	BUILD_BUG_ON(NF_XLAT_COOKIE_OFF % sizeof(u64));

	get_random_bytes(&nf_xlat_guard_key, sizeof(nf_xlat_guard_key));
}

/* Anything other than "left alone" drops the packet. */
static unsigned int nf_xlat_verdict(int err)
{
	switch (err) {
	case -ENOENT:
	case -EPROTONOSUPPORT:
		return NFT_BREAK;
	}
	return NF_DROP;
}

static int nf_xlat_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			   bool to6)
{
	/* Not of the family translated from: no counter moves. */
	if (skb->protocol != (to6 ? htons(ETH_P_IP) : htons(ETH_P_IPV6)) ||
	    skb_network_offset(skb))
		return -ENOENT;
	return to6 ? nf_xlat_4to6_prepare(xp, skb) :
		     nf_xlat_6to4_prepare(xp, skb);
}

/* icmp_send() takes the sender's netns and address from the route of the
 * packet in error.  Before routing (ingress, prerouting) lend it one
 * towards the packet's source; icmp_ndo_send() does not read the control
 * block, which is not IPCB yet at ingress.
 */
static void nf_xlat_icmp4_send(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       u8 type, u8 code, __be32 info)
{
	struct flowi4 fl4 = {
		.daddr		= ip_hdr(skb)->saddr,
		.flowi4_mark	= skb->mark,
	};
	struct rtable *rt;

	if (skb_dst(skb)) {
		icmp_ndo_send(skb, type, code, info);
	} else {
		rt = ip_route_output_key(xp->net, &fl4);
		if (IS_ERR(rt))
			return;
		skb_dst_set(skb, &rt->dst);
		icmp_ndo_send(skb, type, code, info);
		skb_dst_drop(skb);
	}
	nf_xlat_stat_inc(xp->net, NF_XLAT_STAT_ICMP_SENT);
}

static void nf_xlat_icmp6_send(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			       u8 type, u8 code, __u32 info)
{
	icmpv6_ndo_send(skb, type, code, info);
	nf_xlat_stat_inc(xp->net, NF_XLAT_STAT_ICMP_SENT);
}

/* The errors RFC 7915 asks the translator itself to send back for a packet
 * it refuses (sections 4.1 and 5.1).
 */
static void nf_xlat_refuse(struct nf_xlat_pkt *xp, struct sk_buff *skb)
{
	switch (xp->stat) {
	case NF_XLAT_DROP_SRC_ROUTE:
		nf_xlat_icmp4_send(xp, skb, ICMP_DEST_UNREACH, ICMP_SR_FAILED,
				   0);
		break;
	case NF_XLAT_DROP_ROUTING_HDR:
		nf_xlat_icmp6_send(xp, skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD,
				   xp->err_ptr);
		break;
	}
}

/* Is the packet bigger than @mtu once translated? */
static bool nf_xlat_too_big(const struct nf_xlat_pkt *xp,
			    const struct sk_buff *skb, unsigned int mtu)
{
	mtu = mtu + xp->l3len - xp->nl3len;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return xp->len > mtu;
}

/* 6to4: RFC 7915 section 5.1 leaves DF clear on packets that fit 1280
 * bytes in IPv6, the IPv4 side fragments those; a bigger one gets "packet
 * too big" with the IPv6 form of the IPv4 MTU.  Before routing (@dstp
 * NULL) only that check is made.
 */
static int nf_xlat_route4(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			  struct dst_entry **dstp)
{
	struct flowi4 fl4 = {
		.daddr		= xp->v4[1],
		.saddr		= xp->v4[0],
		.flowi4_mark	= skb->mark,
		.flowi4_proto	= xp->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP :
						       xp->proto,
		.flowi4_flags	= FLOWI_FLAG_ANYSRC,
	};
	unsigned int mtu;
	struct rtable *rt;

	rt = ip_route_output_key(xp->net, &fl4);
	if (IS_ERR(rt)) {
		/* Before routing, routing decides. */
		if (!dstp)
			return 0;
		return nf_xlat_fail(xp, NF_XLAT_DROP_NO_ROUTE, PTR_ERR(rt));
	}

	mtu = dst_mtu(&rt->dst);
	if (xp->df && nf_xlat_too_big(xp, skb, mtu)) {
		ip_rt_put(rt);
		nf_xlat_icmp6_send(xp, skb, ICMPV6_PKT_TOOBIG, 0,
				   max_t(u32, mtu + NF_XLAT_HDELTA,
					 IPV6_MIN_MTU));
		return nf_xlat_fail(xp, NF_XLAT_DROP_TOO_BIG, -EMSGSIZE);
	}
	if (dstp)
		*dstp = &rt->dst;
	else
		ip_rt_put(rt);
	return 0;
}

/* 4to6: DF set and too big for the IPv6 route answers "fragmentation
 * needed" with the MTU that makes the sender's packets fit; without DF
 * the packet was cut to the lowest IPv6 MTU already and ip6_fragment()
 * handles a smaller next hop (nf_xlat_4to6_rewrite() sets ignore_df).
 */
static int nf_xlat_route6(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			  struct dst_entry **dstp)
{
	struct flowi6 fl6 = {
		.daddr		= xp->v6[1],
		.saddr		= xp->v6[0],
		.flowi6_mark	= skb->mark,
		.flowi6_proto	= xp->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 :
						      xp->proto,
		.flowi6_flags	= FLOWI_FLAG_ANYSRC,
	};
	struct dst_entry *dst;
	unsigned int mtu;
	int err;

	dst = ip6_route_output(xp->net, NULL, &fl6);
	if (dst->error) {
		err = dst->error;
		dst_release(dst);
		if (!dstp)
			return 0;
		return nf_xlat_fail(xp, NF_XLAT_DROP_NO_ROUTE, err);
	}

	mtu = dst_mtu(dst);
	if (xp->df && nf_xlat_too_big(xp, skb, mtu)) {
		dst_release(dst);
		nf_xlat_icmp4_send(xp, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				   htonl(max_t(int, mtu + xp->l3len -
						    xp->nl3len, 68)));
		return nf_xlat_fail(xp, NF_XLAT_DROP_TOO_BIG, -EMSGSIZE);
	}
	if (dstp)
		*dstp = dst;
	else
		dst_release(dst);
	return 0;
}

/* Before routing, a packet that will be too big for the next hop must be
 * refused now, in its own family: the forwarding path would send its
 * error about the translated packet, to a destination only a translator on
 * the way out could bring back.  Only packets above the IPv6 minimum MTU
 * with DF set can be too big, so the FIB is not consulted for the others.
 */
static int nf_xlat_mtu_check(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			     bool to6)
{
	if (!xp->df)
		return 0;
	if (!to6)
		return nf_xlat_route4(xp, skb, NULL);
	if (!skb_is_gso(skb) &&
	    xp->len - xp->l3len + xp->nl3len <= IPV6_MIN_MTU)
		return 0;
	return nf_xlat_route6(xp, skb, NULL);
}

/* The output path steals the packet before the conntrack confirm hook
 * (NF_IP_PRI_CONNTRACK_CONFIRM is INT_MAX): confirm now, after source NAT
 * ran, or the entry is never inserted and replies are not matched.
 */
static int nf_xlat_ct_confirm(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct))
		return NF_ACCEPT;
	return nf_conntrack_confirm(skb);
}

/* Ingress: the stack receives the packet in its new family.  Conntrack
 * has not seen it yet; a real dst (a packet looped back through lo)
 * belongs to the old family, while tunnel metadata is kept.
 */
static void nf_xlat_deliver_in(struct sk_buff *skb)
{
	if (skb_valid_dst(skb))
		skb_dst_drop(skb);
	nf_reset_ct(skb);
	nf_xlat_guard_stamp(skb);
}

static int nf_xlat_rcv_finish(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph;

	/* A prerouting hook of the new family may have routed it. */
	if (!skb_valid_dst(skb)) {
		if (skb->protocol == htons(ETH_P_IP)) {
			iph = ip_hdr(skb);
			if (ip_route_input(skb, iph->daddr, iph->saddr,
					   inet_dsfield_to_dscp(iph->tos),
					   skb->dev))
				goto drop;
		} else {
			nf_xlat_ip6_route_input(skb);
			if (skb_dst(skb)->error)
				goto drop;
		}
	}
	return dst_input(skb);
drop:
	kfree_skb(skb);
	return NET_RX_DROP;
}

/* Prerouting: the old family's input already ran.  Go on in the new
 * family's receive path from its prerouting hooks on, which is what
 * ip_rcv() and ipv6_rcv() do for a packet that passed their checks: the
 * rewrite wrote a valid header without options or hop-by-hop header.
 * The device must accept the new family, as those functions require.  A
 * connection bound by a nat chain keeps its entry (@keep_ct): conntrack
 * of the new family leaves a packet that has one alone.
 */
static void nf_xlat_deliver_rcv(struct net *net, struct sk_buff *skb,
				bool keep_ct)
{
	struct net_device *dev = skb->dev;
	struct inet6_dev *idev;

	skb_dst_drop(skb);
	if (!keep_ct)
		nf_reset_ct(skb);
	nf_reset_trace(skb);
	secpath_reset(skb);
	skb_orphan(skb);
	nf_xlat_guard_stamp(skb);

	if (skb->protocol == htons(ETH_P_IPV6)) {
		idev = __in6_dev_get(dev);
		if (!idev || READ_ONCE(idev->cnf.disable_ipv6))
			goto drop;
		memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
		IP6CB(skb)->iif = dev->ifindex;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
		skb_set_transport_header(skb, sizeof(struct ipv6hdr));
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, NULL, skb, dev,
			NULL, nf_xlat_rcv_finish);
	} else {
		if (!__in_dev_get_rcu(dev))
			goto drop;
		memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
		IPCB(skb)->iif = skb->skb_iif;
		skb_set_transport_header(skb, ip_hdrlen(skb));
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, net, NULL, skb, dev,
			NULL, nf_xlat_rcv_finish);
	}
	return;
drop:
	kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* Postrouting: the old family's entry is confirmed; the new family must
 * not start a one-way entry of its own for the translated packet.
 */
static void nf_xlat_deliver_out(struct net *net, struct sk_buff *skb,
				struct dst_entry *dst)
{
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	skb->dev = dst_dev(dst);
	nf_xlat_guard_stamp(skb);
	dst_output(net, skb->sk, skb);
}

/* RFC 7915 sections 4.1 and 5.1: the translator is a router and must
 * answer an exhausted TTL.  After translation at ingress or prerouting the
 * new family's forwarding would, but its error would quote the translated
 * packet and go where only a translator on the way out brings it back:
 * answer in the packet's own family instead.  A packet for this host is
 * not forwarded and needs no TTL.
 */
static int nf_xlat_ttl_check(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			     bool to6)
{
	if (xp->ttl > 1)
		return 0;
	if (to6) {
		if (ipv6_chk_addr(xp->net, &xp->v6[1], NULL, 0))
			return 0;
		nf_xlat_icmp4_send(xp, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL,
				   0);
	} else {
		if (inet_addr_type(xp->net, xp->v4[1]) == RTN_LOCAL)
			return 0;
		nf_xlat_icmp6_send(xp, skb, ICMPV6_TIME_EXCEED,
				   ICMPV6_EXC_HOPLIMIT, 0);
	}
	return nf_xlat_fail(xp, NF_XLAT_DROP_TTL, -EPERM);
}

/* Route, rewrite and deliver one prepared packet.  On error the packet is
 * still the caller's.
 */
static int nf_xlat_one(struct nf_xlat_pkt *xp, struct sk_buff *skb, bool to6,
		       enum nf_xlat_hook hook)
{
	struct dst_entry *dst = NULL;
	bool icmp_err;
	int err;

	if (hook == NF_XLAT_HOOK_POSTROUTING)
		err = to6 ? nf_xlat_route6(xp, skb, &dst) :
			    nf_xlat_route4(xp, skb, &dst);
	else
		err = nf_xlat_ttl_check(xp, skb, to6) ?:
		      nf_xlat_mtu_check(xp, skb, to6);
	if (err)
		return err;

	icmp_err = xp->l4 == NF_XLAT_L4_ICMP_ERR;
	err = to6 ? nf_xlat_4to6_rewrite(xp, skb) :
		    nf_xlat_6to4_rewrite(xp, skb);
	if (err) {
		dst_release(dst);
		if (!xp->stat)
			xp->stat = err == -ENOMEM ? NF_XLAT_DROP_NOMEM :
						    NF_XLAT_DROP_MALFORMED;
		return err;
	}

	nf_xlat_stat_inc(xp->net, to6 ? NF_XLAT_STAT_4TO6 : NF_XLAT_STAT_6TO4);
	if (icmp_err)
		nf_xlat_stat_inc(xp->net, to6 ? NF_XLAT_STAT_ICMP_ERR_4TO6 :
						NF_XLAT_STAT_ICMP_ERR_6TO4);

	if (hook == NF_XLAT_HOOK_POSTROUTING &&
	    (xp->cfg->flags & NFT_XLAT_F_OFFLOAD))
		nf_xlat_flow_offload(xp, skb, dst, to6);

	switch (hook) {
	case NF_XLAT_HOOK_INGRESS:
		nf_xlat_deliver_in(skb);
		break;
	case NF_XLAT_HOOK_PREROUTING:
		nf_xlat_deliver_rcv(xp->net, skb, false);
		break;
	case NF_XLAT_HOOK_BOUND_IN:
		/* A fragment that kept its entry would wait for the others
		 * in the new family's reassembly queue (its defrag hook
		 * gathers packets that have an entry when NAT is built),
		 * and a netns exit purges that queue only after conntrack's
		 * own exit has waited for every entry to go: fragments go
		 * on untracked.
		 */
		if (xp->frag) {
			nf_reset_ct(skb);
			nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
		}
		nf_xlat_deliver_rcv(xp->net, skb, true);
		break;
	case NF_XLAT_HOOK_POSTROUTING:
		nf_xlat_deliver_out(xp->net, skb, dst);
		break;
	}
	return 0;
}

static unsigned int nf_xlat_split(struct nf_xlat_pkt *xp, struct sk_buff *skb,
				  enum nf_xlat_hook hook);

/* Translate and deliver one of the packets a GSO packet was segmented
 * into (@segment) or an IPv4 packet was fragmented into; it is freed on
 * failure.  Only a segment may need fragmenting: a fragment was cut to
 * fit, so this recurses once at most.
 */
static void nf_xlat_piece(const struct nf_xlat_cfg *cfg, bool to6,
			  struct net *net, struct sk_buff *skb,
			  enum nf_xlat_hook hook, bool segment)
{
	struct nf_xlat_pkt xp = { .cfg = cfg, .net = net, .hook = hook };
	int err;

	err = nf_xlat_prepare(&xp, skb, to6);
	if (!err && xp.split && segment) {
		if (nf_xlat_split(&xp, skb, hook) == NF_DROP)
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	if (!err)
		err = nf_xlat_one(&xp, skb, to6, hook);
	if (!err)
		return;
	if (xp.stat)
		nf_xlat_stat_inc(net, xp.stat);
	kfree_skb_reason(skb, SKB_DROP_REASON_NETFILTER_DROP);
}

/* Longest link layer header carried over to the new packets. */
#define NF_XLAT_MAC_MAX		32

/* Keep a copy of the link layer header for packets made from @skb: taps
 * on the way show them with it.  Return its length, 0 if none.
 */
static unsigned int nf_xlat_mac_save(const struct sk_buff *skb, u8 *mac)
{
	unsigned int mac_len = nf_xlat_mac_len(skb);

	if (mac_len > NF_XLAT_MAC_MAX)
		return 0;
	if (mac_len)
		memcpy(mac, skb_mac_header(skb), mac_len);
	return mac_len;
}

static void nf_xlat_mac_restore(struct sk_buff *skb, const u8 *mac,
				unsigned int mac_len)
{
	if (mac_len && !skb_cow_head(skb, mac_len)) {
		memcpy(skb->data - mac_len, mac, mac_len);
		skb_set_mac_header(skb, -(int)mac_len);
	} else {
		skb_reset_mac_header(skb);
	}
}

/* A GSO type without counterpart in the new family: segment in software
 * and translate each segment, as nfnetlink_queue does before handing
 * packets to userspace.  At ingress the segments cannot all be the
 * verdict's packet, so they are received like at prerouting.
 */
static unsigned int nf_xlat_segment(const struct nf_xlat_cfg *cfg, bool to6,
				    struct net *net, struct sk_buff *skb,
				    enum nf_xlat_hook hook)
{
	struct sk_buff *segs, *seg, *next;
	u8 mac[NF_XLAT_MAC_MAX];
	unsigned int mac_len;

	/* A GSO packet whose checksum is neither offloaded nor verified is
	 * bogus, and skb_gso_segment() would warn about it.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL &&
	    skb->ip_summed != CHECKSUM_UNNECESSARY)
		goto drop;

	mac_len = nf_xlat_mac_save(skb, mac);
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		goto drop;
	consume_skb(skb);

	if (hook == NF_XLAT_HOOK_INGRESS)
		hook = NF_XLAT_HOOK_PREROUTING;

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		nf_xlat_mac_restore(seg, mac, mac_len);
		nf_xlat_piece(cfg, to6, net, seg, hook, true);
	}
	return NF_STOLEN;
drop:
	nf_xlat_stat_inc(net, NF_XLAT_DROP_GSO);
	return NF_DROP;
}

/* RFC 7915 section 4: an IPv4 packet without DF that would not fit the
 * lowest IPv6 MTU is fragmented so that every piece does, fragment header
 * included.  The IPv4 fragmenter cuts it (the offsets and MF of a packet
 * that was a fragment already are kept), then each piece is translated as
 * an IPv4 fragment.  A zero UDP checksum is computed first, over the
 * whole datagram (section 4.5).
 */
static unsigned int nf_xlat_split(struct nf_xlat_pkt *xp, struct sk_buff *skb,
				  enum nf_xlat_hook hook)
{
	/* Payload per fragment; ip_frag_next() rounds it down to 8 bytes. */
	unsigned int room = xp->cfg->mtu6 - sizeof(struct ipv6hdr) -
			    sizeof(struct frag_hdr);
	struct ip_frag_state state;
	struct sk_buff *frag;
	u8 mac[NF_XLAT_MAC_MAX];
	unsigned int mac_len;
	struct udphdr *uh;

	if ((skb->len > xp->len && pskb_trim_rcsum(skb, xp->len)) ||
	    (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)))
		goto nomem;
	if (xp->udp_csum) {
		if (skb_ensure_writable(skb, xp->l3len + sizeof(*uh)))
			goto nomem;
		uh = (struct udphdr *)(skb_network_header(skb) + xp->l3len);
		uh->check = csum_tcpudp_magic(ip_hdr(skb)->saddr,
					      ip_hdr(skb)->daddr,
					      xp->len - xp->l3len, IPPROTO_UDP,
					      skb_checksum(skb, xp->l3len,
							   xp->len - xp->l3len,
							   0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}

	mac_len = nf_xlat_mac_save(skb, mac);
	if (hook == NF_XLAT_HOOK_INGRESS)
		hook = NF_XLAT_HOOK_PREROUTING;

	ip_frag_init(skb, xp->l3len, NF_XLAT_MAC_MAX + 2 * NF_XLAT_HDELTA,
		     room, false, &state);
	while (state.left > 0) {
		frag = ip_frag_next(skb, &state);
		if (IS_ERR(frag))
			break;
		nf_xlat_mac_restore(frag, mac, mac_len);
		nf_xlat_stat_inc(xp->net, NF_XLAT_STAT_FRAGS_OUT);
		nf_xlat_piece(xp->cfg, true, xp->net, frag, hook, false);
	}
	if (state.left > 0) {
		nf_xlat_stat_inc(xp->net, NF_XLAT_DROP_NOMEM);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
	} else {
		consume_skb(skb);
	}
	return NF_STOLEN;
nomem:
	nf_xlat_stat_inc(xp->net, NF_XLAT_DROP_NOMEM);
	return NF_DROP;
}

/**
 * nf_xlat_begin() - the loop guard and the prepare step of a translation
 * @xp: translation state, with cfg, net and hook set
 * @skb: the packet, network header at skb->data
 * @to6: IPv4 to IPv6 ("xlat to") or back ("xlat from")
 *
 * Nothing is written to the packet.  Pass the result to nf_xlat_finish(),
 * which records a failure: one prepare and one error path per packet.
 *
 * Return: 0 if the packet can be translated, a negative errno otherwise.
 */
int nf_xlat_begin(struct nf_xlat_pkt *xp, struct sk_buff *skb, bool to6)
{
	if (nf_xlat_guard_hit(skb))
		return nf_xlat_fail(xp, NF_XLAT_STAT_PASS_LOOP, -ENOENT);
	return nf_xlat_prepare(xp, skb, to6);
}

/**
 * nf_xlat_finish() - translate a prepared packet and deliver it
 * @xp: its state, from nf_xlat_begin()
 * @skb: the packet
 * @to6: as given to nf_xlat_begin()
 * @err: what nf_xlat_begin() returned, or what the caller found since
 *	(recorded in @xp->stat)
 *
 * Every outcome but "not of the family translated from" moves one of the
 * counters of enum nf_xlat_stat.
 *
 * Return: the verdict: NFT_BREAK when the packet is left alone (not of
 * the translated family, no mapping for its addresses, no form in the
 * other family, or delivered by this module already: see the loop guard),
 * NF_ACCEPT at ingress or NF_STOLEN elsewhere when translated, NF_DROP for
 * a malformed packet or one RFC 7915 drops.
 */
unsigned int nf_xlat_finish(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			    bool to6, int err)
{
	enum nf_xlat_hook hook = xp->hook;
	unsigned int verdict;

	if (err)
		goto fail;

	/* Before confirming: a new entry can only get extensions now. */
	if (hook == NF_XLAT_HOOK_POSTROUTING) {
		nf_xlat_flow_mark(skb);
		if (nf_xlat_ct_confirm(skb) != NF_ACCEPT)
			return NF_DROP;
	}

	/* The fast path of a flow whose packets arrive in this family. */
	if (hook == NF_XLAT_HOOK_INGRESS || hook == NF_XLAT_HOOK_PREROUTING) {
		verdict = nf_xlat_flow_input(xp, skb, to6);
		if (verdict != NF_ACCEPT)
			return verdict;
	}

	if (!nf_xlat_gso_ok(xp, skb, to6) || (xp->split && skb_is_gso(skb)))
		return nf_xlat_segment(xp->cfg, to6, xp->net, skb, hook);
	if (xp->split)
		return nf_xlat_split(xp, skb, hook);

	err = nf_xlat_one(xp, skb, to6, hook);
	if (err)
		goto fail;

	return hook == NF_XLAT_HOOK_INGRESS ? NF_ACCEPT : NF_STOLEN;
fail:
	if (xp->stat) {
		nf_xlat_stat_inc(xp->net, xp->stat);
		nf_xlat_refuse(xp, skb);
	}
	return nf_xlat_verdict(err);
}

/**
 * nf_xlat_skb() - translate a packet at a hook and deliver it
 * @cfg: translator configuration
 * @to6: IPv4 to IPv6 ("xlat to") or back ("xlat from")
 * @net: network namespace of the hook
 * @skb: the packet, network header at skb->data
 * @hook: where the expression runs
 *
 * Return: the verdict, as nf_xlat_finish().
 */
unsigned int nf_xlat_skb(const struct nf_xlat_cfg *cfg, bool to6,
			 struct net *net, struct sk_buff *skb,
			 enum nf_xlat_hook hook)
{
	struct nf_xlat_pkt xp = { .cfg = cfg, .net = net, .hook = hook };

	return nf_xlat_finish(&xp, skb, to6, nf_xlat_begin(&xp, skb, to6));
}
