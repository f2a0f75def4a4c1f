// SPDX-License-Identifier: GPL-2.0-only
/* The flowtable fast path of translated connections ("xlat ... offload").
 *
 * A connection translated at postrouting is one conntrack entry in the
 * family its packets have before that translation.  One direction, D,
 * leaves translated by the postrouting rule; the other arrives in the
 * other family and is translated back at ingress or prerouting before
 * conntrack, so conntrack sees both in the entry's family (NAT64 is the
 * common case: an IPv6 entry, D the IPv6 client's direction).
 *
 * Once the entry is answered (UDP) or established (TCP), the postrouting
 * rule puts it into a flowtable of its netns, driven by the kernel's
 * flowtable core: hash table, GC, conntrack timeout fix-ups and teardown.
 * Both keys are the entry's tuples, which is what a packet of either
 * direction looks like at prerouting just before conntrack.  A hook there
 * looks every packet up and, on a hit, applies the entry's NAT, translates
 * direction D, decrements the TTL and transmits through the neighbour
 * layer: conntrack, routing and the forward and postrouting chains are
 * skipped.  Anything unusual (options, extension headers, fragments,
 * TTL 1, too big, a stale route, FIN or RST) takes the slow path, which
 * answers it as it always does.
 *
 * The other direction is translated by an xlat rule at ingress or
 * prerouting before it looks like its tuple.  That rule looks it up with
 * the addresses it is about to give the packet (nf_xlat_flow_input()), so
 * a hit skips the second receive path as well as the rest.
 *
 * What direction D becomes beyond the tuples -- its addresses in the other
 * family -- is kept in the entry's helper extension, added without a
 * helper to every entry a translator sees before it is confirmed.  The
 * empty extension is also what keeps the kernel's own flowtable away from
 * translated entries: "flow add" never offloads an entry that has one, and
 * it would send direction D out untranslated.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/gso.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/neighbour.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_flow_table.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/**
 * struct nf_xlat_flow_data - direction D in the other family
 * @v6: an IPv4 entry: the IPv6 source and destination D leaves with
 * @v4: an IPv6 entry: the IPv4 source and destination D leaves with
 * @tclass_zero: an IPv6 entry: NFT_XLAT_F_TCLASS_ZERO
 *
 * Lives in nf_conn_help.data of an entry without helper; written before
 * the flow is published, read by the fast path after its lookup.
 */
struct nf_xlat_flow_data {
	union {
		struct in6_addr	v6[2];
		struct {
			__be32	v4[2];
			u8	tclass_zero;
		};
	};
};

/**
 * struct nf_xlat_flow_net - per-netns state of the fast path
 * @lock: serialises the users counts with hook and table setup
 * @users: xlat rules in the netns: the marking hooks are registered
 * @offload_users: xlat rules with the offload option: @ft and the fast
 *	path hooks exist
 * @live: @ft while it is set up, for xlat rules (which run whether or not
 *	the fast path hooks are registered)
 * @ft: the flowtable
 */
struct nf_xlat_flow_net {
	struct mutex			lock;	/* the users counts, setup */
	unsigned int			users;
	unsigned int			offload_users;
	struct nf_flowtable __rcu	*live;
	struct nf_flowtable		ft;
};

static unsigned int nf_xlat_flow_net_id __read_mostly;

static struct nf_flowtable_type nf_xlat_flowtable_type = {
	.family	= NFPROTO_INET,
	.owner	= THIS_MODULE,
};

/* Entries of protocols the kernel's flowtable can offload. */
static bool nf_xlat_flow_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_GRE;
}

/**
 * nf_xlat_flow_mark() - give a new conntrack entry of a translated packet
 *	its empty helper extension
 * @skb: the packet, with its conntrack entry
 *
 * Extensions can only be added before the entry is confirmed: at
 * postrouting for a connection whose first packet is translated there,
 * right after conntrack at prerouting for one whose first packet was
 * translated at ingress or prerouting.  An entry that has a helper keeps
 * it, and is never offloaded by this module either.
 */
void nf_xlat_flow_mark(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct) || nf_ct_is_confirmed(ct) ||
	    !nf_xlat_flow_proto(nf_ct_protonum(ct)) || nfct_help(ct))
		return;
	nf_ct_helper_ext_add(ct, GFP_ATOMIC);
}

/* Prerouting, right after conntrack: the packet was translated at ingress
 * or prerouting if it carries the loop guard's cookie.
 */
static unsigned int nf_xlat_flow_mark_hook(void *priv, struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (ct && !nf_ct_is_confirmed(ct) && nf_xlat_guard_hit(skb))
		nf_xlat_flow_mark(skb);
	return NF_ACCEPT;
}

/* Route of the direction that stays in the entry's family, back to the
 * sender of @dir; NULL unless it leaves through the device D came in by
 * (asymmetric routing stays on the slow path).
 */
static struct dst_entry *nf_xlat_flow_route_back(struct net *net,
						 const struct nf_conn *ct,
						 enum ip_conntrack_dir dir,
						 int iif, u32 mark)
{
	const struct nf_conntrack_tuple *t = &ct->tuplehash[dir].tuple;
	struct dst_entry *dst;
	struct rtable *rt;

	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		struct flowi4 fl4 = {
			.daddr		= t->src.u3.ip,
			.saddr		= t->dst.u3.ip,
			.flowi4_mark	= mark,
			.flowi4_flags	= FLOWI_FLAG_ANYSRC,
		};

		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return NULL;
		dst = &rt->dst;
	} else {
		struct flowi6 fl6 = {
			.daddr		= t->src.u3.in6,
			.saddr		= t->dst.u3.in6,
			.flowi6_mark	= mark,
			.flowi6_flags	= FLOWI_FLAG_ANYSRC,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return NULL;
		}
	}
	if (dst_dev(dst)->ifindex != iif) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

static void nf_xlat_flow_tuple_route(struct flow_offload_tuple *t,
				     struct dst_entry *dst, int iif)
{
	t->iifidx = iif;
	t->xmit_type = FLOW_OFFLOAD_XMIT_NEIGH;
	t->mtu = min_t(unsigned int, dst_mtu(dst), U16_MAX);
	t->dst_cache = dst;
	t->dst_cookie = dst->ops->family == AF_INET6 ?
			rt6_get_cookie(container_of(dst, struct rt6_info,
						    dst)) : 0;
}

/* As nft_flow_offload does: conntrack no longer sees every segment, so
 * its window checks cannot hold when the flow comes back.
 */
static void nf_xlat_flow_ct_tcp(struct nf_conn *ct)
{
	spin_lock_bh(&ct->lock);
	ct->proto.tcp.seen[0].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	ct->proto.tcp.seen[1].flags |= IP_CT_TCP_FLAG_BE_LIBERAL;
	spin_unlock_bh(&ct->lock);
}

/**
 * nf_xlat_flow_offload() - put a translated connection into the flowtable
 * @xp: the packet's translation, just rewritten at postrouting
 * @skb: the packet, translated, its conntrack entry still attached
 * @dst: its route in the new family
 * @to6: the direction of the translation
 *
 * Only plain headers (no IPv4 options, no IPv6 extension headers, not a
 * fragment) of TCP once established and UDP once answered, forwarded (not
 * sent by this host, not received through IPsec), in the default conntrack
 * zone, with the same device for both directions.  An unanswered UDP
 * entry stays on the slow path: a flow torn down before it is idle (stale
 * route, device down) gets its entry's timeout cut by the flowtable's on
 * 6.1 and 6.12, which leaves an unanswered entry none: its mapping would
 * be lost under traffic.
 */
void nf_xlat_flow_offload(const struct nf_xlat_pkt *xp, struct sk_buff *skb,
			  struct dst_entry *dst, bool to6)
{
	struct nf_xlat_flow_net *xn = net_generic(xp->net, nf_xlat_flow_net_id);
	unsigned int l3len = to6 ? sizeof(struct iphdr) :
				   sizeof(struct ipv6hdr);
	enum ip_conntrack_info ctinfo;
	struct nf_xlat_flow_data *data;
	struct flow_offload *flow;
	enum ip_conntrack_dir dir;
	struct nf_conn_help *help;
	struct dst_entry *back;
	const struct tcphdr *th;
	struct nf_conn *ct;

	if (xp->l3len != l3len || xp->frag || xp->split || xp->udp_csum ||
	    (xp->l4 != NF_XLAT_L4_TCP && xp->l4 != NF_XLAT_L4_UDP) ||
	    (to6 && (xp->cfg->flags & NFT_XLAT_F_TCLASS_ZERO)) ||
	    !skb->skb_iif || skb_sec_path(skb))
		return;

	/* An entry in another zone got it from a template, which keeps its
	 * packets away from the fast path's hook: it would never be used.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct) || !nf_ct_is_confirmed(ct) ||
	    nf_ct_zone(ct)->id != NF_CT_DEFAULT_ZONE_ID ||
	    nf_ct_protonum(ct) != xp->proto ||
	    !test_bit(IPS_SEEN_REPLY_BIT, &ct->status) ||
	    test_bit(IPS_OFFLOAD_BIT, &ct->status))
		return;
	if (xp->l4 == NF_XLAT_L4_TCP) {
		th = (const struct tcphdr *)skb_transport_header(skb);
		if (th->fin || th->rst || !nf_conntrack_tcp_established(ct))
			return;
	}
	help = nfct_help(ct);
	if (!help || rcu_access_pointer(help->helper) ||
	    (ct->status & IPS_SEQ_ADJUST))
		return;
	if (test_and_set_bit(IPS_OFFLOAD_BIT, &ct->status))
		return;

	dir = CTINFO2DIR(ctinfo);
	back = nf_xlat_flow_route_back(xp->net, ct, dir, skb->skb_iif,
				       skb->mark);
	if (!back)
		goto err;
	flow = flow_offload_alloc(ct);
	if (!flow)
		goto err_back;

	data = (struct nf_xlat_flow_data *)help->data;
	if (to6) {
		memcpy(data->v6, xp->v6, sizeof(data->v6));
	} else {
		memcpy(data->v4, xp->v4, sizeof(data->v4));
		data->tclass_zero = !!(xp->cfg->flags &
				       NFT_XLAT_F_TCLASS_ZERO);
	}

	dst_hold(dst);
	nf_xlat_flow_tuple_route(&flow->tuplehash[dir].tuple, dst,
				 skb->skb_iif);
	nf_xlat_flow_tuple_route(&flow->tuplehash[!dir].tuple, back,
				 dst_dev(dst)->ifindex);
	flow->type = NF_FLOW_OFFLOAD_ROUTE;
	if (xp->l4 == NF_XLAT_L4_TCP)
		nf_xlat_flow_ct_tcp(ct);

	/* On failure the flow releases both routes and the entry. */
	if (flow_offload_add(&xn->ft, flow) < 0) {
		flow_offload_free(flow);
		goto err;
	}
	nf_xlat_stat_inc(xp->net, NF_XLAT_STAT_FLOW_ADD);
	return;

err_back:
	dst_release(back);
err:
	clear_bit(IPS_OFFLOAD_BIT, &ct->status);
}

/* The key of a packet at prerouting: plain IPv4 or IPv6 header, TCP or
 * UDP, not a fragment nor reassembled from fragments.
 */
static int nf_xlat_flow_parse(struct sk_buff *skb, u8 pf,
			      struct flow_offload_tuple *t,
			      unsigned int *thoff)
{
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	unsigned int hdrsize;
	const __be16 *ports;

	if (pf == NFPROTO_IPV4) {
		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		if (iph->ihl * 4 != sizeof(*iph) || ip_is_fragment(iph) ||
		    IPCB(skb)->frag_max_size)
			return -EINVAL;
		t->src_v4.s_addr = iph->saddr;
		t->dst_v4.s_addr = iph->daddr;
		t->l4proto = iph->protocol;
		*thoff = sizeof(*iph);
	} else {
		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		if (!ip6h->payload_len || IP6CB(skb)->frag_max_size)
			return -EINVAL;
		t->src_v6 = ip6h->saddr;
		t->dst_v6 = ip6h->daddr;
		t->l4proto = ip6h->nexthdr;
		*thoff = sizeof(*ip6h);
	}

	switch (t->l4proto) {
	case IPPROTO_TCP:
		hdrsize = sizeof(struct tcphdr);
		break;
	case IPPROTO_UDP:
		hdrsize = sizeof(struct udphdr);
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if (!pskb_may_pull(skb, *thoff + hdrsize))
		return -EINVAL;
	ports = (const __be16 *)(skb_network_header(skb) + *thoff);
	t->src_port = ports[0];
	t->dst_port = ports[1];
	t->l3proto = pf;
	return 0;
}

static __sum16 *nf_xlat_flow_l4_check(struct sk_buff *skb,
				      unsigned int thoff, u8 proto)
{
	void *l4 = skb_network_header(skb) + thoff;

	if (proto == IPPROTO_TCP)
		return &((struct tcphdr *)l4)->check;
	return &((struct udphdr *)l4)->check;
}

/* Rewrite the ports to those of @other reversed, as nf_nat would. */
static void nf_xlat_flow_nat_ports(struct sk_buff *skb, unsigned int thoff,
				   u8 proto, bool csum,
				   const struct flow_offload_tuple *other)
{
	__be16 *ports = (__be16 *)(skb_network_header(skb) + thoff);
	__sum16 *check = nf_xlat_flow_l4_check(skb, thoff, proto);

	if (csum) {
		inet_proto_csum_replace2(check, skb, ports[0],
					 other->dst_port, false);
		inet_proto_csum_replace2(check, skb, ports[1],
					 other->src_port, false);
	}
	ports[0] = other->dst_port;
	ports[1] = other->src_port;
}

/* The direction that stays in its family: NAT and TTL, as forwarding
 * would have done them.
 */
static void nf_xlat_flow_forward(struct sk_buff *skb, u8 pf,
				 unsigned int thoff, u8 proto,
				 const struct flow_offload_tuple *other)
{
	__sum16 *check = nf_xlat_flow_l4_check(skb, thoff, proto);
	bool csum = proto == IPPROTO_TCP || *check ||
		    skb->ip_summed == CHECKSUM_PARTIAL;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;

	if (pf == NFPROTO_IPV4) {
		iph = ip_hdr(skb);
		if (csum) {
			inet_proto_csum_replace4(check, skb, iph->saddr,
						 other->dst_v4.s_addr, true);
			inet_proto_csum_replace4(check, skb, iph->daddr,
						 other->src_v4.s_addr, true);
		}
		csum_replace4(&iph->check, iph->saddr, other->dst_v4.s_addr);
		csum_replace4(&iph->check, iph->daddr, other->src_v4.s_addr);
		iph->saddr = other->dst_v4.s_addr;
		iph->daddr = other->src_v4.s_addr;
		ip_decrease_ttl(iph);
	} else {
		ip6h = ipv6_hdr(skb);
		inet_proto_csum_replace16(check, skb, ip6h->saddr.s6_addr32,
					  other->dst_v6.s6_addr32, true);
		inet_proto_csum_replace16(check, skb, ip6h->daddr.s6_addr32,
					  other->src_v6.s6_addr32, true);
		ip6h->saddr = other->dst_v6;
		ip6h->daddr = other->src_v6;
		ip6h->hop_limit--;
	}
	nf_xlat_flow_nat_ports(skb, thoff, proto, csum, other);
	if (proto == IPPROTO_UDP && csum && !*check)
		*check = CSUM_MANGLED_0;
}

/* Direction D: the ports of the entry's NAT, then the translation with the
 * addresses saved in the entry.
 */
static int nf_xlat_flow_translate(struct net *net, struct sk_buff *skb,
				  u8 pf, unsigned int thoff, u8 proto,
				  const struct flow_offload_tuple *other,
				  const struct nf_xlat_flow_data *data)
{
	struct nf_xlat_pkt xp = {
		.net	= net,
		.hook	= NF_XLAT_HOOK_PREROUTING,
		.proto	= proto,
		.l4	= proto == IPPROTO_TCP ? NF_XLAT_L4_TCP :
						 NF_XLAT_L4_UDP,
		.l3len	= thoff,
	};
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;

	nf_xlat_flow_nat_ports(skb, thoff, proto, true, other);
	if (pf == NFPROTO_IPV4) {
		iph = ip_hdr(skb);
		xp.len = ntohs(iph->tot_len);
		xp.nl3len = sizeof(struct ipv6hdr);
		xp.tos = iph->tos;
		xp.ttl = iph->ttl - 1;
		xp.df = iph->frag_off & htons(IP_DF);
		memcpy(xp.v6, data->v6, sizeof(xp.v6));
		return nf_xlat_4to6_rewrite(&xp, skb);
	}
	ip6h = ipv6_hdr(skb);
	xp.len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	xp.nl3len = sizeof(struct iphdr);
	xp.tos = data->tclass_zero ? 0 : ipv6_get_dsfield(ip6h);
	xp.ttl = ip6h->hop_limit - 1;
	memcpy(xp.v4, data->v4, sizeof(xp.v4));
	xp.df = nf_xlat_6to4_df(&xp, skb);
	return nf_xlat_6to4_rewrite(&xp, skb);
}

/* Can the packet take the fast path as it is?  Not if the slow path has
 * something to say about it: a TTL to answer, a size to refuse, a
 * checksum it computes, a GSO type it segments.
 */
static bool nf_xlat_flow_fits(const struct sk_buff *skb, u8 pf,
			      unsigned int thoff, u8 proto, int delta,
			      const struct dst_entry *dst)
{
	unsigned int mtu = dst_mtu(dst) - delta;
	const struct udphdr *uh;
	unsigned int len;
	u8 ttl;

	if (pf == NFPROTO_IPV4) {
		ttl = ip_hdr(skb)->ttl;
		len = ntohs(ip_hdr(skb)->tot_len);
	} else {
		ttl = ipv6_hdr(skb)->hop_limit;
		len = sizeof(struct ipv6hdr) +
		      ntohs(ipv6_hdr(skb)->payload_len);
	}
	if (ttl <= 1)
		return false;
	if (skb_is_gso(skb))
		return skb_gso_validate_network_len(skb, mtu);
	if (len > mtu)
		return false;
	if (delta && pf == NFPROTO_IPV4 && proto == IPPROTO_UDP) {
		uh = (const struct udphdr *)(skb_network_header(skb) + thoff);
		return uh->check;
	}
	return true;
}

static void nf_xlat_flow_xmit(struct sk_buff *skb, struct dst_entry *dst)
{
	struct net_device *dev = dst_dev(dst);
	const struct in6_addr *nh6;
	__be32 nh4;

	skb->dev = dev;
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	skb_dst_set_noref(skb, dst);
	if (dst->ops->family == AF_INET) {
		nh4 = rt_nexthop(container_of(dst, struct rtable, dst),
				 ip_hdr(skb)->daddr);
		neigh_xmit(NEIGH_ARP_TABLE, dev, &nh4, skb);
	} else {
		nh6 = rt6_nexthop(container_of(dst, struct rt6_info, dst),
				  &ipv6_hdr(skb)->daddr);
		neigh_xmit(NEIGH_ND_TABLE, dev, nh6, skb);
	}
}

/**
 * struct nf_xlat_flow_hit - a packet's flow
 * @flow: the flow
 * @other: the tuple of the opposite direction, whose addresses and ports
 *	reversed are what the entry's NAT gives this one
 * @dst: the route of the packet's direction
 * @dir: the packet's direction
 */
struct nf_xlat_flow_hit {
	struct flow_offload		*flow;
	const struct flow_offload_tuple	*other;
	struct dst_entry		*dst;
	int				dir;
};

/* Look @tuple up.  A packet that ends its connection (FIN, RST) or finds
 * its route stale tears the flow down and takes the slow path.
 */
static bool nf_xlat_flow_find(struct nf_flowtable *ft,
			      struct flow_offload_tuple *tuple,
			      const struct sk_buff *skb, unsigned int thoff,
			      struct nf_xlat_flow_hit *hit)
{
	struct flow_offload_tuple_rhash *tuplehash;
	const struct tcphdr *th;

	tuplehash = flow_offload_lookup(ft, tuple);
	if (!tuplehash)
		return false;
	hit->dir = tuplehash->tuple.dir;
	hit->flow = container_of(tuplehash, struct flow_offload,
				 tuplehash[hit->dir]);
	hit->other = &hit->flow->tuplehash[!hit->dir].tuple;
	hit->dst = tuplehash->tuple.dst_cache;

	if (tuple->l4proto == IPPROTO_TCP) {
		th = (const struct tcphdr *)(skb_network_header(skb) + thoff);
		if (th->fin || th->rst)
			goto teardown;
	}
	if (!dst_check(hit->dst, tuplehash->tuple.dst_cookie))
		goto teardown;
	return true;
teardown:
	flow_offload_teardown(hit->flow);
	return false;
}

/* Prerouting, just before conntrack (and after defragmentation, whose
 * results are left to the slow path).
 */
static unsigned int nf_xlat_flow_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct nf_xlat_flow_net *xn = net_generic(state->net,
						  nf_xlat_flow_net_id);
	struct flow_offload_tuple tuple = {};
	struct nf_xlat_pkt gso = {};
	struct nf_xlat_flow_hit hit;
	struct nf_conn_help *help;
	unsigned int thoff;
	const u8 pf = state->pf;
	bool translate;
	int delta;

	if (!atomic_read(&xn->ft.rhashtable.nelems) ||
	    skb->pkt_type != PACKET_HOST || skb_nfct(skb) ||
	    skb_sec_path(skb) || nf_xlat_flow_parse(skb, pf, &tuple, &thoff))
		return NF_ACCEPT;
	tuple.iifidx = state->in->ifindex;
	if (!nf_xlat_flow_find(&xn->ft, &tuple, skb, thoff, &hit))
		return NF_ACCEPT;

	translate = (hit.dst->ops->family == AF_INET6) != (pf == NFPROTO_IPV6);
	/* Its addresses; an extension can be hidden once its generation is
	 * gone (a helper or timeout module unloaded).
	 */
	help = translate ? nfct_help(hit.flow->ct) : NULL;
	if (translate && unlikely(!help)) {
		flow_offload_teardown(hit.flow);
		return NF_ACCEPT;
	}
	/* The IPv6 header is the longer one. */
	delta = !translate ? 0 : pf == NFPROTO_IPV4 ? NF_XLAT_HDELTA :
						       -NF_XLAT_HDELTA;
	gso.l4 = tuple.l4proto == IPPROTO_TCP ? NF_XLAT_L4_TCP :
						NF_XLAT_L4_UDP;
	if (!nf_xlat_flow_fits(skb, pf, thoff, tuple.l4proto, delta,
			       hit.dst) ||
	    (translate && !nf_xlat_gso_ok(&gso, skb, pf == NFPROTO_IPV4)))
		return NF_ACCEPT;

	if (skb_ensure_writable(skb, thoff + (tuple.l4proto == IPPROTO_TCP ?
					      sizeof(struct tcphdr) :
					      sizeof(struct udphdr))))
		goto drop;

	flow_offload_refresh(&xn->ft, hit.flow, false);
	nf_ct_acct_update(hit.flow->ct, hit.dir, skb->len);

	if (translate) {
		if (nf_xlat_flow_translate(state->net, skb, pf, thoff,
					   tuple.l4proto, hit.other,
					   (void *)help->data))
			goto drop;
		nf_xlat_stat_inc(state->net, pf == NFPROTO_IPV4 ?
				 NF_XLAT_STAT_4TO6 : NF_XLAT_STAT_6TO4);
	} else {
		nf_xlat_flow_forward(skb, pf, thoff, tuple.l4proto, hit.other);
	}
	nf_xlat_stat_inc(state->net, NF_XLAT_STAT_FLOW_FAST);
	nf_xlat_flow_xmit(skb, hit.dst);
	return NF_STOLEN;
drop:
	nf_xlat_stat_inc(state->net, NF_XLAT_DROP_NOMEM);
	return NF_DROP;
}

/**
 * nf_xlat_flow_input() - the fast path of a packet an xlat rule is about
 *	to translate at ingress or prerouting
 * @xp: its translation, prepared
 * @skb: the packet, not written to yet
 * @to6: the direction of the translation
 *
 * The direction of a flow that arrives in the other family would be
 * translated here, received again in the entry's family and found by the
 * prerouting hook, which forwards it.  Looked up now, under the tuple
 * the translation would give it, it is translated straight into what
 * leaves the router (the entry's NAT applied, the TTL decremented) and
 * transmitted: the new family's receive path is skipped too.  So are its
 * prerouting chains ahead of conntrack, as the kernel's flowtable at
 * ingress skips every chain; the conntrack zone those chains could choose
 * is the default one for every flow (see nf_xlat_flow_offload()).
 *
 * Return: NF_ACCEPT to go on with the slow path; NF_STOLEN when the packet
 * was transmitted; NF_DROP when it could not be written.
 */
unsigned int nf_xlat_flow_input(struct nf_xlat_pkt *xp, struct sk_buff *skb,
				bool to6)
{
	struct nf_xlat_flow_net *xn = net_generic(xp->net, nf_xlat_flow_net_id);
	const u8 pf = to6 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	const unsigned int thoff = xp->l3len;
	struct flow_offload_tuple tuple = {};
	struct nf_xlat_flow_hit hit;
	struct nf_flowtable *ft;
	const __be16 *ports;
	int err;

	ft = rcu_dereference(xn->live);
	if (!ft || !atomic_read(&ft->rhashtable.nelems) ||
	    (xp->l4 != NF_XLAT_L4_TCP && xp->l4 != NF_XLAT_L4_UDP) ||
	    thoff != (to6 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) ||
	    xp->frag || xp->split || xp->udp_csum ||
	    skb->pkt_type != PACKET_HOST || skb_sec_path(skb))
		return NF_ACCEPT;
	/* Reassembled by the old family's defragmenter.  At ingress the
	 * control block is not the old family's yet.
	 */
	if (xp->hook == NF_XLAT_HOOK_PREROUTING &&
	    (to6 ? IPCB(skb)->frag_max_size : IP6CB(skb)->frag_max_size))
		return NF_ACCEPT;
	/* The NAT below would turn "no checksum" into a wrong one. */
	if (xp->l4 == NF_XLAT_L4_UDP &&
	    !*nf_xlat_flow_l4_check(skb, thoff, IPPROTO_UDP))
		return NF_ACCEPT;

	if (to6) {
		tuple.src_v6 = xp->v6[0];
		tuple.dst_v6 = xp->v6[1];
		tuple.l3proto = NFPROTO_IPV6;
	} else {
		tuple.src_v4.s_addr = xp->v4[0];
		tuple.dst_v4.s_addr = xp->v4[1];
		tuple.l3proto = NFPROTO_IPV4;
	}
	ports = (const __be16 *)(skb_network_header(skb) + thoff);
	tuple.src_port = ports[0];
	tuple.dst_port = ports[1];
	tuple.l4proto = xp->proto;
	tuple.iifidx = skb->dev->ifindex;
	if (!nf_xlat_flow_find(ft, &tuple, skb, thoff, &hit))
		return NF_ACCEPT;

	/* Only a direction the entry forwards without translation: the
	 * other one would be translated back.
	 */
	if (hit.dst->ops->family != (to6 ? AF_INET6 : AF_INET) ||
	    !nf_xlat_flow_fits(skb, pf, thoff, xp->proto,
			       to6 ? NF_XLAT_HDELTA : -NF_XLAT_HDELTA,
			       hit.dst) ||
	    !nf_xlat_gso_ok(xp, skb, to6))
		return NF_ACCEPT;

	if (skb_ensure_writable(skb, thoff + (xp->proto == IPPROTO_TCP ?
					      sizeof(struct tcphdr) :
					      sizeof(struct udphdr)))) {
		nf_xlat_stat_inc(xp->net, NF_XLAT_DROP_NOMEM);
		return NF_DROP;
	}
	nf_xlat_flow_nat_ports(skb, thoff, xp->proto, true, hit.other);
	if (to6) {
		xp->v6[0] = hit.other->dst_v6;
		xp->v6[1] = hit.other->src_v6;
	} else {
		xp->v4[0] = hit.other->dst_v4.s_addr;
		xp->v4[1] = hit.other->src_v4.s_addr;
	}
	xp->ttl--;
	err = to6 ? nf_xlat_4to6_rewrite(xp, skb) :
		    nf_xlat_6to4_rewrite(xp, skb);
	if (err) {
		nf_xlat_stat_inc(xp->net, err == -ENOMEM ?
				 NF_XLAT_DROP_NOMEM : NF_XLAT_DROP_MALFORMED);
		return NF_DROP;
	}

	flow_offload_refresh(ft, hit.flow, false);
	nf_ct_acct_update(hit.flow->ct, hit.dir, skb->len);
	nf_xlat_stat_inc(xp->net, to6 ? NF_XLAT_STAT_4TO6 : NF_XLAT_STAT_6TO4);
	nf_xlat_stat_inc(xp->net, NF_XLAT_STAT_FLOW_FAST);
	/* What the old family's receive path attached, before prerouting. */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	nf_xlat_flow_xmit(skb, hit.dst);
	return NF_STOLEN;
}

static const struct nf_hook_ops nf_xlat_flow_mark_ops[] = {
	{
		.hook		= nf_xlat_flow_mark_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= nf_xlat_flow_mark_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

static const struct nf_hook_ops nf_xlat_flow_fast_ops[] = {
	{
		.hook		= nf_xlat_flow_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook		= nf_xlat_flow_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK - 1,
	},
};

static void nf_xlat_flow_unmark(struct net *net)
{
	nf_unregister_net_hooks(net, nf_xlat_flow_mark_ops,
				ARRAY_SIZE(nf_xlat_flow_mark_ops));
}

static int nf_xlat_flow_offload_get(struct net *net,
				    struct nf_xlat_flow_net *xn)
{
	int err;

	if (xn->offload_users++)
		return 0;

	memset(&xn->ft, 0, sizeof(xn->ft));
	xn->ft.type = &nf_xlat_flowtable_type;
	write_pnet(&xn->ft.net, net);
	err = nf_flow_table_init(&xn->ft);
	if (err)
		goto err;
	err = nf_register_net_hooks(net, nf_xlat_flow_fast_ops,
				    ARRAY_SIZE(nf_xlat_flow_fast_ops));
	if (err) {
		nf_flow_table_free(&xn->ft);
		goto err;
	}
	rcu_assign_pointer(xn->live, &xn->ft);
	return 0;
err:
	xn->offload_users--;
	return err;
}

/**
 * nf_xlat_flow_get() - an xlat rule is created in @net
 * @net: its netns
 * @offload: it has the offload option
 *
 * Every translator marks the entries it translates; the first one with
 * the offload option sets the flowtable and its hooks up.
 *
 * Return: 0 or a negative errno.
 */
int nf_xlat_flow_get(struct net *net, bool offload)
{
	struct nf_xlat_flow_net *xn = net_generic(net, nf_xlat_flow_net_id);
	int err = 0;

	mutex_lock(&xn->lock);
	if (!xn->users) {
		err = nf_register_net_hooks(net, nf_xlat_flow_mark_ops,
					    ARRAY_SIZE(nf_xlat_flow_mark_ops));
		if (err)
			goto out;
	}
	xn->users++;
	if (offload) {
		err = nf_xlat_flow_offload_get(net, xn);
		if (err && !--xn->users)
			nf_xlat_flow_unmark(net);
	}
out:
	mutex_unlock(&xn->lock);
	return err;
}

/**
 * nf_xlat_flow_put() - an xlat rule is destroyed
 * @net: its netns
 * @offload: as given to nf_xlat_flow_get()
 *
 * The last rule with the offload option hides the flowtable from the
 * xlat rules, takes the hooks down, waits for the packets in either, then
 * frees the flowtable: every flow is torn down, its conntrack entry back
 * on the slow path.  Also called from nf_tables' netns exit, before this
 * module's pernet data is freed.
 */
void nf_xlat_flow_put(struct net *net, bool offload)
{
	struct nf_xlat_flow_net *xn = net_generic(net, nf_xlat_flow_net_id);

	mutex_lock(&xn->lock);
	if (offload && !--xn->offload_users) {
		RCU_INIT_POINTER(xn->live, NULL);
		nf_unregister_net_hooks(net, nf_xlat_flow_fast_ops,
					ARRAY_SIZE(nf_xlat_flow_fast_ops));
		/* Unregistering does not wait for the hooks' last packets,
		 * nor does anything for the xlat rules' lookups.
		 */
		synchronize_net();
		nf_flow_table_free(&xn->ft);
	}
	if (!--xn->users)
		nf_xlat_flow_unmark(net);
	mutex_unlock(&xn->lock);
}

static int nf_xlat_flow_net_init(struct net *net)
{
	struct nf_xlat_flow_net *xn = net_generic(net, nf_xlat_flow_net_id);

	mutex_init(&xn->lock);
	return 0;
}

static struct pernet_operations nf_xlat_flow_net_ops = {
	.init	= nf_xlat_flow_net_init,
	.id	= &nf_xlat_flow_net_id,
	.size	= sizeof(struct nf_xlat_flow_net),
};

/* A device going down takes its flows with it, as with nft flowtables. */
static int nf_xlat_flow_netdev_event(struct notifier_block *this,
				     unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_DOWN)
		nf_flow_table_cleanup(dev);
	return NOTIFY_DONE;
}

static struct notifier_block nf_xlat_flow_netdev_notifier = {
	.notifier_call	= nf_xlat_flow_netdev_event,
};

int nf_xlat_flow_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct nf_xlat_flow_data) >
		     sizeof_field(struct nf_conn_help, data));

	err = register_pernet_subsys(&nf_xlat_flow_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&nf_xlat_flow_netdev_notifier);
	if (err)
		unregister_pernet_subsys(&nf_xlat_flow_net_ops);
	return err;
}

void nf_xlat_flow_exit(void)
{
	unregister_netdevice_notifier(&nf_xlat_flow_netdev_notifier);
	unregister_pernet_subsys(&nf_xlat_flow_net_ops);
}
