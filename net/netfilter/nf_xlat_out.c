// SPDX-License-Identifier: GPL-2.0-only
/* Running a translation at a hook and delivering its result, and the loop
 * guard.
 *
 *   ingress      rewrite in place, NF_ACCEPT: __netif_receive_skb_core()
 *                picks the protocol handler from skb->protocol after the
 *                ingress hook
 *   prerouting   rewrite, forget dst/ct/trace/secpath, netif_rx() into the
 *                new family's receive path, NF_STOLEN
 *   postrouting  confirm the conntrack entry (its confirm hook is never
 *                reached), route in the new family before touching the
 *                packet (an ICMP error must quote the original), rewrite,
 *                untrack, dst_output(), NF_STOLEN
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
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
 * skb->cb: siphash(skb, skb->dev) under a key drawn at module load.  An
 * xlat expression that finds the cookie of (skb, skb->dev) leaves the
 * packet alone (NFT_BREAK): a translated packet is never translated again
 * on the device it was delivered on.  Once it leaves through another
 * device (a veth into another netns, the output device of the new
 * family's route) the cookie no longer matches and the next translator
 * works.  The TTL is not touched.
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
	return siphash_2u64((unsigned long)skb, (unsigned long)skb->dev,
			    &nf_xlat_guard_key);
}

static bool nf_xlat_guard_hit(const struct sk_buff *skb)
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
	if (skb->protocol != (to6 ? htons(ETH_P_IP) : htons(ETH_P_IPV6)) ||
	    skb_network_offset(skb))
		return -ENOENT;
	return to6 ? nf_xlat_4to6_prepare(xp, skb) :
		     nf_xlat_6to4_prepare(xp, skb);
}

/* Is the packet bigger than @mtu, counted in the original family? */
static bool nf_xlat_too_big(const struct nf_xlat_pkt *xp,
			    const struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return xp->len > mtu;
}

/* 6to4 at postrouting: RFC 7915 section 5.1 leaves DF clear on packets
 * that fit 1280 bytes in IPv6, the IPv4 side fragments those; a bigger
 * one gets "packet too big" with the IPv6 form of the IPv4 MTU.
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
	if (IS_ERR(rt))
		return PTR_ERR(rt);

	mtu = dst_mtu(&rt->dst);
	if (xp->df && nf_xlat_too_big(xp, skb, mtu + NF_XLAT_HDELTA)) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(u32, mtu + NF_XLAT_HDELTA, IPV6_MIN_MTU));
		ip_rt_put(rt);
		return -EMSGSIZE;
	}
	*dstp = &rt->dst;
	return 0;
}

/* 4to6 at postrouting: DF set and too big for the IPv6 route answers
 * "fragmentation needed"; without DF ip6_fragment() splits the packet
 * (nf_xlat_4to6_rewrite() sets ignore_df).
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
		return err;
	}

	mtu = dst_mtu(dst);
	if (xp->df && nf_xlat_too_big(xp, skb, mtu - NF_XLAT_HDELTA)) {
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu - NF_XLAT_HDELTA));
		dst_release(dst);
		return -EMSGSIZE;
	}
	*dstp = dst;
	return 0;
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

/* Prerouting: the old family's input already ran; receive again. */
static void nf_xlat_deliver_requeue(struct sk_buff *skb)
{
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	nf_reset_trace(skb);
	secpath_reset(skb);
	nf_xlat_guard_stamp(skb);
	netif_rx(skb);
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

/* Route, rewrite and deliver one prepared packet.  On error the packet is
 * still the caller's.
 */
static int nf_xlat_one(struct nf_xlat_pkt *xp, struct sk_buff *skb, bool to6,
		       enum nf_xlat_hook hook)
{
	struct dst_entry *dst = NULL;
	int err;

	if (hook == NF_XLAT_HOOK_POSTROUTING) {
		err = to6 ? nf_xlat_route6(xp, skb, &dst) :
			    nf_xlat_route4(xp, skb, &dst);
		if (err)
			return err;
	}

	err = to6 ? nf_xlat_4to6_rewrite(xp, skb) :
		    nf_xlat_6to4_rewrite(xp, skb);
	if (err) {
		dst_release(dst);
		return err;
	}

	switch (hook) {
	case NF_XLAT_HOOK_INGRESS:
		nf_xlat_deliver_in(skb);
		break;
	case NF_XLAT_HOOK_PREROUTING:
		nf_xlat_deliver_requeue(skb);
		break;
	case NF_XLAT_HOOK_POSTROUTING:
		nf_xlat_deliver_out(xp->net, skb, dst);
		break;
	}
	return 0;
}

/* Longest link layer header carried over to the segments. */
#define NF_XLAT_MAC_MAX		32

/* A GSO type without counterpart in the new family: segment in software
 * and translate each segment, as nfnetlink_queue does before handing
 * packets to userspace.  At ingress the segments cannot all be the
 * verdict's packet, so they are requeued like at prerouting.
 */
static unsigned int nf_xlat_segment(const struct nf_xlat_cfg *cfg, bool to6,
				    struct net *net, struct sk_buff *skb,
				    enum nf_xlat_hook hook)
{
	unsigned int mac_len = nf_xlat_mac_len(skb);
	struct sk_buff *segs, *seg, *next;
	u8 mac[NF_XLAT_MAC_MAX];

	/* A GSO packet whose checksum is neither offloaded nor verified is
	 * bogus, and skb_gso_segment() would warn about it.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL &&
	    skb->ip_summed != CHECKSUM_UNNECESSARY)
		return NF_DROP;

	if (mac_len > sizeof(mac))
		mac_len = 0;
	if (mac_len)
		memcpy(mac, skb_mac_header(skb), mac_len);

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		return NF_DROP;
	consume_skb(skb);

	if (hook == NF_XLAT_HOOK_INGRESS)
		hook = NF_XLAT_HOOK_PREROUTING;

	skb_list_walk_safe(segs, seg, next) {
		struct nf_xlat_pkt xp = { .cfg = cfg, .net = net };

		skb_mark_not_on_list(seg);
		if (mac_len && !skb_cow_head(seg, mac_len)) {
			memcpy(seg->data - mac_len, mac, mac_len);
			skb_set_mac_header(seg, -(int)mac_len);
		}
		if (nf_xlat_prepare(&xp, seg, to6) ||
		    nf_xlat_one(&xp, seg, to6, hook))
			kfree_skb(seg);
	}
	return NF_STOLEN;
}

/**
 * nf_xlat_skb() - translate a packet at a hook and deliver it
 * @cfg: translator configuration
 * @to6: IPv4 to IPv6 ("xlat to") or back ("xlat from")
 * @net: network namespace of the hook
 * @skb: the packet, network header at skb->data
 * @hook: where the expression runs
 *
 * Return: the verdict: NFT_BREAK when the packet is left alone (not of
 * the translated family, no mapping for its addresses, not translated by
 * this version, or delivered by this module already: see the loop
 * guard), NF_ACCEPT at ingress or NF_STOLEN elsewhere when translated,
 * NF_DROP for a malformed packet or one RFC 7915 drops.
 */
unsigned int nf_xlat_skb(const struct nf_xlat_cfg *cfg, bool to6,
			 struct net *net, struct sk_buff *skb,
			 enum nf_xlat_hook hook)
{
	struct nf_xlat_pkt xp = { .cfg = cfg, .net = net };
	int err;

	if (nf_xlat_guard_hit(skb))
		return NFT_BREAK;

	err = nf_xlat_prepare(&xp, skb, to6);
	if (err)
		return nf_xlat_verdict(err);

	if (hook == NF_XLAT_HOOK_POSTROUTING &&
	    nf_xlat_ct_confirm(skb) != NF_ACCEPT)
		return NF_DROP;

	if (!nf_xlat_gso_ok(&xp, skb, to6))
		return nf_xlat_segment(cfg, to6, net, skb, hook);

	err = nf_xlat_one(&xp, skb, to6, hook);
	if (err)
		return NF_DROP;

	return hook == NF_XLAT_HOOK_INGRESS ? NF_ACCEPT : NF_STOLEN;
}
