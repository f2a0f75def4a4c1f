// SPDX-License-Identifier: GPL-2.0-only
/* "xlat" in nat chains: the rule binds the connection.
 *
 * Like snat and dnat, an xlat rule in a nat chain sees the first packet of
 * a connection.  It binds the connection's conntrack entry, in the family F
 * of that packet, to its translation, and from then on every packet of the
 * connection is translated, in both directions, until the entry ends:
 *
 *   original    arrives in F; translated at the hook the rule bound it at,
 *               just before nf_nat's hook there (NF_IP_PRI_NAT_DST - 1 at
 *               prerouting, NF_IP_PRI_NAT_SRC - 1 at postrouting), so that
 *               the nat chain never sees it again
 *   reply       arrives in the other family, F'; at F' prerouting just
 *               before conntrack, its tuple in F is looked up in F's
 *               conntrack table.  On a hit it is translated and goes on in
 *               F's receive path, where conntrack finds the entry as for
 *               any reply: one entry, in F, counts both directions.
 *   ICMP errors an error in F related to the entry (conntrack tells) goes
 *               like the original direction; one in F' whose quoted packet
 *               maps onto the original direction of an entry like a reply
 *
 * A packet translated into F' before routing keeps its entry: conntrack of
 * F' leaves a packet that has one alone, and the null bindings set up
 * with the binding make nf_nat of F' leave it alone too.  So the forward
 * chain sees "ct state" in both families.  After routing the packet is
 * untracked in F', as with the filter-chain placements.
 *
 * The binding lives in the entry's helper extension: a helper without ALG,
 * "xlat", whose private data says which rule's translation and which hook.
 * conntrack -L shows it as helper=xlat; its destroy callback drops the
 * reference to the translation when the entry ends (conntrack -D, timeout,
 * flush).  The flowtable (nft "flow add") never offloads such an entry.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_xlat.h>

/**
 * struct nf_xlat_bind - the translation of one nat-chain xlat rule
 * @cfg: the original direction's translation, as the rule says
 * @rcfg: the reply direction's: the two prefixes swapped
 * @list: in nf_xlat_bind_net.binds while a connection uses it
 * @rcu: frees it after the readers of @list
 * @ref: the rule and every entry bound to it
 * @net: the rule's netns
 * @to6: "xlat to": the entries are IPv4
 * @listed: on @list
 *
 * It outlives the rule while entries are bound to it.
 */
struct nf_xlat_bind {
	struct nf_xlat_cfg	cfg;
	struct nf_xlat_cfg	rcfg;
	struct list_head	list;
	struct rcu_head		rcu;
	refcount_t		ref;
	struct net		*net;
	bool			to6;
	bool			listed;
};

/**
 * struct nf_xlat_bind_data - what a bound entry keeps in nf_conn_help.data
 * @bind: its translation
 * @hooknum: NF_INET_PRE_ROUTING or NF_INET_POST_ROUTING: where the
 *	original direction is translated
 */
struct nf_xlat_bind_data {
	struct nf_xlat_bind	*bind;
	u8			hooknum;
};

/**
 * struct nf_xlat_bind_net - per-netns state of the bindings
 * @lock: serialises @hooks
 * @hooks: the hooks are registered (from the first nat-chain rule until
 *	the netns goes: bound connections outlive their rules)
 * @list_lock: protects @binds
 * @binds: translations in use by bound entries, RCU list
 * @bound: bound entries, [0] IPv4, [1] IPv6: the reply hook of the other
 *	family does nothing while its count is 0
 */
struct nf_xlat_bind_net {
	struct mutex		lock;	/* @hooks */
	bool			hooks;
	spinlock_t		list_lock;	/* @binds */
	struct list_head	binds;
	atomic_t		bound[2];
};

static unsigned int nf_xlat_bind_net_id __read_mostly;
static struct nf_conntrack_helper *nf_xlat_helper __read_mostly;

static struct nf_xlat_bind_net *nf_xlat_bind_pernet(const struct net *net)
{
	return net_generic(net, nf_xlat_bind_net_id);
}

/**
 * nf_xlat_bind_alloc() - the translation of a new xlat rule, in case a nat
 *	chain reaches it
 * @net: the rule's netns
 * @cfg: its configuration
 * @to6: its direction
 *
 * Return: the translation, with the rule's reference, or NULL.
 */
struct nf_xlat_bind *nf_xlat_bind_alloc(struct net *net,
					const struct nf_xlat_cfg *cfg,
					bool to6)
{
	struct nf_xlat_bind *bind;

	bind = kzalloc_obj(*bind, GFP_KERNEL_ACCOUNT);
	if (!bind)
		return NULL;
	bind->cfg = *cfg;
	bind->rcfg = *cfg;
	bind->rcfg.src = cfg->dst;
	bind->rcfg.dst = cfg->src;
	refcount_set(&bind->ref, 1);
	bind->net = net;
	bind->to6 = to6;
	INIT_LIST_HEAD(&bind->list);
	return bind;
}

/**
 * nf_xlat_bind_put() - drop a reference to a translation
 * @bind: the translation
 *
 * From the rule's destruction and from the destroy callback of a bound
 * entry (any context).
 */
void nf_xlat_bind_put(struct nf_xlat_bind *bind)
{
	struct nf_xlat_bind_net *bn;

	if (!refcount_dec_and_test(&bind->ref))
		return;
	if (bind->listed) {
		bn = nf_xlat_bind_pernet(bind->net);
		spin_lock_bh(&bn->list_lock);
		list_del_rcu(&bind->list);
		spin_unlock_bh(&bn->list_lock);
	}
	kfree_rcu(bind, rcu);
}

/* A new entry is bound to @bind: its reply hook must find it. */
static void nf_xlat_bind_use(struct nf_xlat_bind *bind)
{
	struct nf_xlat_bind_net *bn = nf_xlat_bind_pernet(bind->net);

	refcount_inc(&bind->ref);
	if (!READ_ONCE(bind->listed)) {
		spin_lock_bh(&bn->list_lock);
		if (!bind->listed) {
			list_add_tail_rcu(&bind->list, &bn->binds);
			WRITE_ONCE(bind->listed, true);
		}
		spin_unlock_bh(&bn->list_lock);
	}
	atomic_inc(&bn->bound[!bind->to6]);
}

/* The binding of @ct, or NULL if it has none.  An entry that ctnetlink
 * created with the helper's name has none either: it has no translation.
 */
static const struct nf_xlat_bind_data *
nf_xlat_bind_data(const struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);
	const struct nf_xlat_bind_data *data;

	if (!help || rcu_access_pointer(help->helper) != nf_xlat_helper)
		return NULL;
	data = (const struct nf_xlat_bind_data *)help->data;
	return data->bind ? data : NULL;
}

static int nf_xlat_helper_help(struct sk_buff *skb, unsigned int protoff,
			       struct nf_conn *ct,
			       enum ip_conntrack_info ctinfo)
{
	return NF_ACCEPT;
}

static void nf_xlat_helper_destroy(struct nf_conn *ct)
{
	const struct nf_xlat_bind_data *data = nf_xlat_bind_data(ct);
	struct nf_xlat_bind *bind;

	if (!data)
		return;
	bind = data->bind;
	atomic_dec(&nf_xlat_bind_pernet(bind->net)->bound[!bind->to6]);
	nf_xlat_bind_put(bind);
}

/* A bound connection's packet is never sent on untranslated. */
static unsigned int nf_xlat_bound_verdict(struct net *net,
					  unsigned int verdict)
{
	if (verdict != NFT_BREAK)
		return verdict;
	nf_xlat_stat_inc(net, NF_XLAT_DROP_BIND);
	return NF_DROP;
}

/**
 * nf_xlat_bind_skb() - an xlat rule of a nat chain meets the first packet
 *	of a connection
 * @bind: the rule's translation
 * @skb: the packet, with its new conntrack entry
 * @hooknum: NF_INET_PRE_ROUTING or NF_INET_POST_ROUTING
 *
 * Binds the entry, confirms it, and translates and delivers the packet.
 * The entry gets null bindings for both NAT manips, so that nf_nat of
 * either family leaves it alone; one that has NAT of its own (a null
 * binding that had to move a port, or source NAT before this rule) or
 * another helper cannot be bound.  Destination NAT before a postrouting
 * rule is fine: the packet is translated as NAT left it.
 *
 * Return: the verdict, as nf_xlat_finish().
 */
unsigned int nf_xlat_bind_skb(struct nf_xlat_bind *bind, struct sk_buff *skb,
			      unsigned int hooknum)
{
	struct nf_xlat_pkt xp = {
		.cfg	= &bind->cfg,
		.net	= bind->net,
		.hook	= hooknum == NF_INET_PRE_ROUTING ?
			  NF_XLAT_HOOK_BOUND_IN : NF_XLAT_HOOK_POSTROUTING,
	};
	unsigned long nat = IPS_SRC_NAT;
	struct nf_xlat_bind_data *data;
	enum ip_conntrack_info ctinfo;
	struct nf_conn_help *help;
	struct nf_conn *ct;
	int err;

	err = nf_xlat_begin(&xp, skb, bind->to6);
	if (err)
		goto out;

	/* Only a new entry in the family translated from can be bound; a
	 * nat chain also sees ICMP errors related to unbound entries.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || ctinfo != IP_CT_NEW ||
	    nf_ct_l3num(ct) != (bind->to6 ? NFPROTO_IPV4 : NFPROTO_IPV6)) {
		err = -ENOENT;
		goto out;
	}

	help = nfct_help(ct);
	if (help && rcu_access_pointer(help->helper))
		goto refuse;
	if (!help)
		help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help) {
		err = nf_xlat_fail(&xp, NF_XLAT_DROP_NOMEM, -ENOMEM);
		goto out;
	}
	if ((!nf_nat_initialized(ct, NF_NAT_MANIP_DST) &&
	     nf_nat_alloc_null_binding(ct, NF_INET_PRE_ROUTING) != NF_ACCEPT) ||
	    (!nf_nat_initialized(ct, NF_NAT_MANIP_SRC) &&
	     nf_nat_alloc_null_binding(ct, NF_INET_POST_ROUTING) != NF_ACCEPT))
		goto refuse;
	if (hooknum == NF_INET_PRE_ROUTING)
		nat |= IPS_DST_NAT;
	if ((ct->status & nat) || !nf_xlat_helper_hold(nf_xlat_helper))
		goto refuse;

	data = (struct nf_xlat_bind_data *)help->data;
	data->bind = bind;
	data->hooknum = hooknum;
	nf_xlat_bind_use(bind);
	rcu_assign_pointer(help->helper, nf_xlat_helper);
	nf_xlat_stat_inc(xp.net, NF_XLAT_STAT_BIND);

	/* Before the packet leaves the family: a reply may come at once. */
	if (nf_conntrack_confirm(skb) != NF_ACCEPT)
		return NF_DROP;
out:
	return nf_xlat_finish(&xp, skb, bind->to6, err);
refuse:
	err = nf_xlat_fail(&xp, NF_XLAT_DROP_BIND, -EPERM);
	goto out;
}

/* The original direction of a bound entry, at the hook it was bound at. */
static unsigned int nf_xlat_bind_orig_hook(void *priv, struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	const struct nf_xlat_bind_data *data;
	enum ip_conntrack_info ctinfo;
	struct nf_xlat_bind *bind;
	enum nf_xlat_hook hook;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL ||
	    nf_ct_l3num(ct) != state->pf)
		return NF_ACCEPT;
	data = nf_xlat_bind_data(ct);
	if (!data || data->hooknum != state->hook)
		return NF_ACCEPT;

	bind = data->bind;
	hook = state->hook == NF_INET_PRE_ROUTING ? NF_XLAT_HOOK_BOUND_IN :
						    NF_XLAT_HOOK_POSTROUTING;
	return nf_xlat_bound_verdict(state->net,
				     nf_xlat_skb(&bind->cfg, bind->to6,
						 state->net, skb, hook));
}

/* ICMP or ICMPv6 error: what conntrack relates to an entry. */
static bool nf_xlat_bind_icmp_err(const struct nf_conntrack_tuple *t)
{
	if (t->dst.protonum == IPPROTO_ICMP)
		return icmp_is_err(t->dst.u.icmp.type);
	return t->dst.protonum == IPPROTO_ICMPV6 &&
	       !(t->dst.u.icmp.type & ICMPV6_INFOMSG_MASK);
}

/* Offset of the packet an ICMP error of @pf quotes, or -1. */
static int nf_xlat_bind_inner(const struct sk_buff *skb, u8 pf)
{
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (pf == NFPROTO_IPV4)
		return skb_network_offset(skb) + ip_hdrlen(skb) +
		       sizeof(struct icmphdr);
	nexthdr = ipv6_hdr(skb)->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
			       sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || frag_off)
		return -1;
	return off + sizeof(struct icmp6hdr);
}

/* The echo types map onto each other; other informational messages have
 * no conntrack entry in the other family.
 */
static bool nf_xlat_bind_icmp_type(u8 proto, u8 type, u8 *ntype)
{
	static const u8 map[][2] = {
		{ ICMP_ECHO,		ICMPV6_ECHO_REQUEST },
		{ ICMP_ECHOREPLY,	ICMPV6_ECHO_REPLY },
	};
	bool from4 = proto == IPPROTO_ICMP;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i][!from4] == type) {
			*ntype = map[i][from4];
			return true;
		}
	}
	return false;
}

/**
 * nf_xlat_bind_tuple() - the tuple in the entries' family of a packet that
 *	arrives in the other one
 * @cfg: the translation that packet gets
 * @in: its tuple, parsed by conntrack of its own family
 * @out: the result
 *
 * Return: false if it has none: an address without a mapping, or a
 * protocol whose tuple does not translate.
 */
static bool nf_xlat_bind_tuple(const struct nf_xlat_cfg *cfg,
			       const struct nf_conntrack_tuple *in,
			       struct nf_conntrack_tuple *out)
{
	memset(out, 0, sizeof(*out));
	if (in->src.l3num == NFPROTO_IPV6) {
		out->src.l3num = NFPROTO_IPV4;
		if (!nf_xlat_addr_extract(&cfg->src, &in->src.u3.in6,
					  &out->src.u3.ip) ||
		    !nf_xlat_addr_extract(&cfg->dst, &in->dst.u3.in6,
					  &out->dst.u3.ip))
			return false;
	} else {
		out->src.l3num = NFPROTO_IPV6;
		if (!nf_xlat_addr4_ok(in->src.u3.ip) ||
		    !nf_xlat_addr4_ok(in->dst.u3.ip))
			return false;
		nf_xlat_addr_embed(&cfg->src, in->src.u3.ip, &out->src.u3.in6);
		nf_xlat_addr_embed(&cfg->dst, in->dst.u3.ip, &out->dst.u3.in6);
	}

	out->dst.protonum = in->dst.protonum;
	switch (in->dst.protonum) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		out->dst.protonum = in->dst.protonum == IPPROTO_ICMP ?
				    IPPROTO_ICMPV6 : IPPROTO_ICMP;
		if (in->dst.u.icmp.code ||
		    !nf_xlat_bind_icmp_type(in->dst.protonum,
					    in->dst.u.icmp.type,
					    &out->dst.u.icmp.type))
			return false;
		out->src.u.icmp.id = in->src.u.icmp.id;
		break;
	default:
		out->src.u.all = in->src.u.all;
		out->dst.u.all = in->dst.u.all;
	}
	return true;
}

/* The bound entry of @t with direction @dir, referenced, or NULL. */
static struct nf_conn *nf_xlat_bind_find(struct net *net,
					 const struct nf_xlat_bind *bind,
					 const struct nf_conntrack_tuple *t,
					 enum ip_conntrack_dir dir)
{
	const struct nf_conntrack_tuple_hash *h;
	const struct nf_xlat_bind_data *data;
	struct nf_conn *ct;

	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, t);
	if (!h)
		return NULL;
	ct = nf_ct_tuplehash_to_ctrack(h);
	data = nf_xlat_bind_data(ct);
	if (NF_CT_DIRECTION(h) == dir && data && data->bind == bind)
		return ct;
	nf_ct_put(ct);
	return NULL;
}

/* A packet of the other family, before conntrack: the reply direction of
 * a bound entry, or an ICMP error about its original direction.  Packets
 * that conntrack must leave alone (they carry an entry, are untracked or
 * zoned) and packets a translator delivered are not looked at.
 */
static unsigned int nf_xlat_bind_reply_hook(void *priv, struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	struct nf_xlat_bind_net *bn = nf_xlat_bind_pernet(state->net);
	struct nf_conntrack_tuple t, inner, lookup;
	const struct nf_xlat_bind *bind;
	bool from6 = state->pf == NFPROTO_IPV6;
	enum ip_conntrack_dir dir;
	struct nf_conn *ct = NULL;
	unsigned int verdict;
	int off;

	if (!atomic_read(&bn->bound[!from6]) || skb_nfct(skb) ||
	    nf_xlat_guard_hit(skb) ||
	    !nf_ct_get_tuplepr(skb, skb_network_offset(skb), state->pf,
			       state->net, &t))
		return NF_ACCEPT;

	dir = IP_CT_DIR_REPLY;
	if (nf_xlat_bind_icmp_err(&t)) {
		off = nf_xlat_bind_inner(skb, state->pf);
		if (off < 0 || !nf_ct_get_tuplepr(skb, off, state->pf,
						  state->net, &inner))
			return NF_ACCEPT;
		t = inner;
		dir = IP_CT_DIR_ORIGINAL;
	}

	rcu_read_lock();
	list_for_each_entry_rcu(bind, &bn->binds, list) {
		if (bind->to6 != from6)
			continue;
		/* The quoted packet went the original way. */
		if (!nf_xlat_bind_tuple(dir == IP_CT_DIR_REPLY ?
					&bind->rcfg : &bind->cfg, &t, &lookup))
			continue;
		ct = nf_xlat_bind_find(state->net, bind, &lookup, dir);
		if (ct)
			break;
	}
	rcu_read_unlock();
	if (!ct)
		return NF_ACCEPT;

	/* The entry holds a reference to its translation. */
	verdict = nf_xlat_skb(&bind->rcfg, !bind->to6, state->net, skb,
			      NF_XLAT_HOOK_PREROUTING);
	nf_ct_put(ct);
	return nf_xlat_bound_verdict(state->net, verdict);
}

static const struct nf_hook_ops nf_xlat_bind_ops[] = {
	{
		.hook		= nf_xlat_bind_reply_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook		= nf_xlat_bind_reply_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK - 1,
	},
	{
		.hook		= nf_xlat_bind_orig_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST - 1,
	},
	{
		.hook		= nf_xlat_bind_orig_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_NAT_DST - 1,
	},
	{
		.hook		= nf_xlat_bind_orig_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
	{
		.hook		= nf_xlat_bind_orig_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_NAT_SRC - 1,
	},
};

/**
 * nf_xlat_bind_enable() - a nat chain reaches an xlat rule in @net
 * @net: the netns
 *
 * Registers the hooks of bound connections once; they stay until the
 * netns goes, as bound connections outlive their rules.
 *
 * Return: 0 or a negative errno.
 */
int nf_xlat_bind_enable(struct net *net)
{
	struct nf_xlat_bind_net *bn = nf_xlat_bind_pernet(net);
	int err = 0;

	mutex_lock(&bn->lock);
	if (!bn->hooks) {
		err = nf_register_net_hooks(net, nf_xlat_bind_ops,
					    ARRAY_SIZE(nf_xlat_bind_ops));
		bn->hooks = !err;
	}
	mutex_unlock(&bn->lock);
	return err;
}

static int nf_xlat_bind_net_init(struct net *net)
{
	struct nf_xlat_bind_net *bn = nf_xlat_bind_pernet(net);

	mutex_init(&bn->lock);
	spin_lock_init(&bn->list_lock);
	INIT_LIST_HEAD(&bn->binds);
	return 0;
}

/* Bound entries of the netns may still end after this (conntrack's own
 * netns exit comes later); their translations are freed then, and the
 * pernet data they unlink from is freed after every ->exit().
 */
static void nf_xlat_bind_net_exit(struct net *net)
{
	struct nf_xlat_bind_net *bn = nf_xlat_bind_pernet(net);

	if (bn->hooks)
		nf_unregister_net_hooks(net, nf_xlat_bind_ops,
					ARRAY_SIZE(nf_xlat_bind_ops));
}

static struct pernet_operations nf_xlat_bind_net_ops = {
	.init	= nf_xlat_bind_net_init,
	.exit	= nf_xlat_bind_net_exit,
	.id	= &nf_xlat_bind_net_id,
	.size	= sizeof(struct nf_xlat_bind_net),
};

static const struct nf_conntrack_expect_policy nf_xlat_helper_policy = {
	.name		= "xlat",
};

static struct nf_conntrack_helper nf_xlat_helper_tmpl;

int nf_xlat_bind_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct nf_xlat_bind_data) >
		     sizeof_field(struct nf_conn_help, data));

	/* No port, no protocol: nothing assigns it but a binding. */
	nf_ct_helper_init(&nf_xlat_helper_tmpl, NFPROTO_UNSPEC, 0, "xlat",
			  0, 0, 0, &nf_xlat_helper_policy, 0,
			  nf_xlat_helper_help, NULL, THIS_MODULE);
	nf_xlat_helper_tmpl.destroy = nf_xlat_helper_destroy;

	err = register_pernet_subsys(&nf_xlat_bind_net_ops);
	if (err)
		return err;
	err = nf_xlat_helper_register(&nf_xlat_helper_tmpl, &nf_xlat_helper);
	if (err)
		unregister_pernet_subsys(&nf_xlat_bind_net_ops);
	return err;
}

static int nf_xlat_bind_kill(struct nf_conn *ct, void *data)
{
	return !!nf_xlat_bind_data(ct);
}

/* No rule is left.  Bound entries end now, while the destroy callback
 * and the pernet data it unlinks from are still there: an entry cannot
 * be translated without the module.
 */
void nf_xlat_bind_exit(void)
{
	nf_ct_iterate_destroy(nf_xlat_bind_kill, NULL);
	nf_conntrack_helper_unregister(nf_xlat_helper);
	unregister_pernet_subsys(&nf_xlat_bind_net_ops);
}
