// SPDX-License-Identifier: GPL-2.0-only
/* nf_tables "xlat" expression: IP/ICMP translation (RFC 7915) with RFC
 * 6052 addressing.
 *
 *   xlat to 64:ff9b::/96     IPv4 -> IPv6
 *   xlat from 64:ff9b::/96   IPv6 -> IPv4
 *
 * In a filter chain it translates every packet it sees (stateless SIIT);
 * in a nat chain it binds the connection of the first packet, whose every
 * packet is then translated (nf_xlat_bind.c).  The expression is terminal:
 * a translated packet belongs to the other family and is delivered by
 * nf_xlat_out.c.  A packet it delivered is never translated again on the
 * device it was delivered on (the loop guard, see nf_xlat_out.c), so no
 * ruleset can make it loop.
 */
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_tables.h>
#include <uapi/linux/netfilter/nf_tables_xlat.h>
#include <net/netfilter/nf_xlat.h>

/* The kinds of base chain that reach a rule (nft_xlat_validate()). */
#define NFT_XLAT_REACH_FILTER	BIT(0)
#define NFT_XLAT_REACH_NAT	BIT(1)

/**
 * struct nft_xlat - an xlat expression
 * @cfg: its translation
 * @mode: NFT_XLAT_4TO6 or NFT_XLAT_6TO4
 * @bind: the same translation for the connections a nat chain binds
 *	(not in netdev tables, which have no nat chains)
 * @reach: NFT_XLAT_REACH_*: per packet, or binding connections
 * @ct_held: conntrack of both families is held for bound connections
 */
struct nft_xlat {
	struct nf_xlat_cfg	cfg;
	u32			mode;
	struct nf_xlat_bind	*bind;
	u8			reach;
	bool			ct_held;
};

static void nft_xlat_eval(const struct nft_expr *expr, struct nft_regs *regs,
			  const struct nft_pktinfo *pkt)
{
	const struct nft_xlat *priv = nft_expr_priv(expr);
	enum nf_xlat_hook hook;

	if (nft_pf(pkt) == NFPROTO_NETDEV) {
		if (nft_hook(pkt) != NF_NETDEV_INGRESS)
			goto out_break;
		hook = NF_XLAT_HOOK_INGRESS;
	} else {
		switch (nft_hook(pkt)) {
		case NF_INET_INGRESS:
			hook = NF_XLAT_HOOK_INGRESS;
			break;
		case NF_INET_PRE_ROUTING:
			hook = NF_XLAT_HOOK_PREROUTING;
			break;
		case NF_INET_POST_ROUTING:
			hook = NF_XLAT_HOOK_POSTROUTING;
			break;
		default:
			goto out_break;
		}
	}

	if (READ_ONCE(priv->reach) & NFT_XLAT_REACH_NAT)
		regs->verdict.code = nf_xlat_bind_skb(priv->bind, pkt->skb,
						      nft_hook(pkt));
	else
		regs->verdict.code = nf_xlat_skb(&priv->cfg,
						 priv->mode == NFT_XLAT_4TO6,
						 nft_net(pkt), pkt->skb, hook);
	return;
out_break:
	regs->verdict.code = NFT_BREAK;
}

/* A prefix attribute of the wrong size fails the policy with -ERANGE.
 * The values that have their own errno in the uapi header (mode, prefix
 * lengths, MTU6) are checked in nft_xlat_init().
 */
static const struct nla_policy nft_xlat_policy[NFTA_XLAT_MAX + 1] = {
	[NFTA_XLAT_MODE]	 = { .type = NLA_BE32 },
	[NFTA_XLAT_DADDR_PREFIX] = NLA_POLICY_EXACT_LEN(16),
	[NFTA_XLAT_DADDR_PLEN]	 = { .type = NLA_U8 },
	[NFTA_XLAT_SADDR_PREFIX] = NLA_POLICY_EXACT_LEN(16),
	[NFTA_XLAT_SADDR_PLEN]	 = { .type = NLA_U8 },
	[NFTA_XLAT_FLAGS]	 = NLA_POLICY_MASK(NLA_BE32, NFT_XLAT_F_MASK),
	[NFTA_XLAT_ICMP_SRC]	 = { .type = NLA_BE32 },
	[NFTA_XLAT_MTU6]	 = { .type = NLA_BE32 },
};

/* A nat chain that reaches the rule makes it bind connections: set up
 * what they need once.  The rule's destruction drops the conntrack
 * reference; the hooks stay with the netns.
 */
static int nft_xlat_validate_nat(const struct nft_ctx *ctx,
				 struct nft_xlat *priv)
{
	int err;

	if (priv->ct_held)
		return 0;
	/* Both families: a bound connection's replies arrive in the other. */
	err = nf_ct_netns_get(ctx->net, NFPROTO_INET);
	if (err)
		return err;
	err = nf_xlat_bind_enable(ctx->net);
	if (err) {
		nf_ct_netns_put(ctx->net, NFPROTO_INET);
		return err;
	}
	priv->ct_held = true;
	return 0;
}

/* Filter chains run the rule for every packet; nat chains only for the
 * first packet of a connection, which the rule then binds.  The kind of
 * chain is known here only (ctx->chain is the base chain, also for rules
 * reached by jumps), so the rule keeps the kind it was first reached
 * from, and refuses the other one.
 */
static int nft_xlat_validate(const struct nft_ctx *ctx,
			     const struct nft_expr *expr)
{
	struct nft_xlat *priv = nft_expr_priv(expr);
	unsigned int hooks;
	u8 reach = 0;
	int err;

	switch (ctx->family) {
	case NFPROTO_NETDEV:
		hooks = 1 << NF_NETDEV_INGRESS;
		break;
	case NFPROTO_INET:
		hooks = (1 << NF_INET_INGRESS) | (1 << NF_INET_PRE_ROUTING) |
			(1 << NF_INET_POST_ROUTING);
		break;
	case NFPROTO_IPV4:
	case NFPROTO_IPV6:
		hooks = (1 << NF_INET_PRE_ROUTING) |
			(1 << NF_INET_POST_ROUTING);
		break;
	default:
		return -EOPNOTSUPP;
	}

	/* Not nft_chain_validate_dependency(): its -EOPNOTSUPP would not
	 * tell a wrong chain type from a wrong hook.
	 */
	if (nft_is_base_chain(ctx->chain)) {
		switch (nft_base_chain(ctx->chain)->type->type) {
		case NFT_CHAIN_T_DEFAULT:
			reach = NFT_XLAT_REACH_FILTER;
			break;
		case NFT_CHAIN_T_NAT:
			reach = NFT_XLAT_REACH_NAT;
			break;
		default:
			return -EPROTOTYPE;
		}
	}

	/* The fast path is set up by a filter-chain rule that translates a
	 * connection on its way out.
	 */
	if (priv->cfg.flags & NFT_XLAT_F_OFFLOAD) {
		hooks &= 1 << NF_INET_POST_ROUTING;
		if (reach == NFT_XLAT_REACH_NAT)
			return -EOPNOTSUPP;
	}

	err = nft_chain_validate_hooks(ctx->chain, hooks);
	if (err < 0)
		return err;

	if (reach && (priv->reach & ~reach))
		return -EPROTOTYPE;
	if (reach == NFT_XLAT_REACH_NAT) {
		err = nft_xlat_validate_nat(ctx, priv);
		if (err)
			return err;
	}
	WRITE_ONCE(priv->reach, priv->reach | reach);
	return 0;
}

static int nft_xlat_prefix_init(struct nf_xlat_prefix *pfx,
				const struct nlattr *addr,
				const struct nlattr *len)
{
	nla_memcpy(&pfx->addr, addr, sizeof(pfx->addr));
	pfx->len = len ? nla_get_u8(len) : 96;
	return nf_xlat_prefix_check(&pfx->addr, pfx->len);
}

static int nft_xlat_init(const struct nft_ctx *ctx, const struct nft_expr *expr,
			 const struct nlattr * const tb[])
{
	struct nft_xlat *priv = nft_expr_priv(expr);
	struct nf_xlat_cfg *cfg = &priv->cfg;
	int err;

	if (!tb[NFTA_XLAT_MODE] || !tb[NFTA_XLAT_DADDR_PREFIX] ||
	    (tb[NFTA_XLAT_SADDR_PLEN] && !tb[NFTA_XLAT_SADDR_PREFIX]))
		return -EINVAL;

	priv->mode = ntohl(nla_get_be32(tb[NFTA_XLAT_MODE]));
	if (priv->mode != NFT_XLAT_4TO6 && priv->mode != NFT_XLAT_6TO4)
		return -EINVAL;

	err = nft_xlat_prefix_init(&cfg->dst, tb[NFTA_XLAT_DADDR_PREFIX],
				   tb[NFTA_XLAT_DADDR_PLEN]);
	if (err)
		return err;
	if (tb[NFTA_XLAT_SADDR_PREFIX]) {
		err = nft_xlat_prefix_init(&cfg->src,
					   tb[NFTA_XLAT_SADDR_PREFIX],
					   tb[NFTA_XLAT_SADDR_PLEN]);
		if (err)
			return err;
	} else {
		cfg->src = cfg->dst;
	}

	switch (ctx->family) {
	case NFPROTO_IPV4:
		if (priv->mode != NFT_XLAT_4TO6)
			return -EAFNOSUPPORT;
		break;
	case NFPROTO_IPV6:
		if (priv->mode != NFT_XLAT_6TO4)
			return -EAFNOSUPPORT;
		break;
	case NFPROTO_INET:
	case NFPROTO_NETDEV:
		break;
	default:
		return -EOPNOTSUPP;
	}

	cfg->flags = tb[NFTA_XLAT_FLAGS] ?
		     ntohl(nla_get_be32(tb[NFTA_XLAT_FLAGS])) : 0;
	cfg->icmp_src = tb[NFTA_XLAT_ICMP_SRC] ?
			nla_get_be32(tb[NFTA_XLAT_ICMP_SRC]) :
			NF_XLAT_ICMP_SRC_DEFAULT;
	cfg->mtu6 = tb[NFTA_XLAT_MTU6] ?
		    ntohl(nla_get_be32(tb[NFTA_XLAT_MTU6])) :
		    NF_XLAT_MTU6_DEFAULT;
	if (cfg->mtu6 < IPV6_MIN_MTU || cfg->mtu6 > U16_MAX)
		return -ERANGE;

	if (cfg->flags & NFT_XLAT_F_OFFLOAD) {
		/* No postrouting hook in a netdev table. */
		if (ctx->family == NFPROTO_NETDEV)
			return -EOPNOTSUPP;
		err = nf_ct_netns_get(ctx->net, ctx->family);
		if (err)
			return err;
	}
	err = nf_xlat_flow_get(ctx->net, cfg->flags & NFT_XLAT_F_OFFLOAD);
	if (err)
		goto err_flow;

	if (ctx->family != NFPROTO_NETDEV) {
		priv->bind = nf_xlat_bind_alloc(ctx->net, cfg,
						priv->mode == NFT_XLAT_4TO6);
		if (!priv->bind) {
			err = -ENOMEM;
			goto err_bind;
		}
	}
	return 0;

err_bind:
	nf_xlat_flow_put(ctx->net, cfg->flags & NFT_XLAT_F_OFFLOAD);
err_flow:
	if (cfg->flags & NFT_XLAT_F_OFFLOAD)
		nf_ct_netns_put(ctx->net, ctx->family);
	return err;
}

static void nft_xlat_destroy(const struct nft_ctx *ctx,
			     const struct nft_expr *expr)
{
	const struct nft_xlat *priv = nft_expr_priv(expr);
	bool offload = priv->cfg.flags & NFT_XLAT_F_OFFLOAD;

	nf_xlat_flow_put(ctx->net, offload);
	if (offload)
		nf_ct_netns_put(ctx->net, ctx->family);
	if (priv->ct_held)
		nf_ct_netns_put(ctx->net, NFPROTO_INET);
	if (priv->bind)
		nf_xlat_bind_put(priv->bind);
}

/* Mode and both prefixes with their lengths are always dumped; flags,
 * ICMP source and MTU6 only when they differ from their defaults.  Sent
 * back, the dump gives the same expression.
 */
static int nft_xlat_dump(struct sk_buff *skb, const struct nft_expr *expr,
			 bool reset)
{
	const struct nft_xlat *priv = nft_expr_priv(expr);
	const struct nf_xlat_cfg *cfg = &priv->cfg;

	if (nla_put_be32(skb, NFTA_XLAT_MODE, htonl(priv->mode)) ||
	    nla_put_in6_addr(skb, NFTA_XLAT_DADDR_PREFIX, &cfg->dst.addr) ||
	    nla_put_u8(skb, NFTA_XLAT_DADDR_PLEN, cfg->dst.len) ||
	    nla_put_in6_addr(skb, NFTA_XLAT_SADDR_PREFIX, &cfg->src.addr) ||
	    nla_put_u8(skb, NFTA_XLAT_SADDR_PLEN, cfg->src.len))
		goto nla_put_failure;
	if (cfg->flags &&
	    nla_put_be32(skb, NFTA_XLAT_FLAGS, htonl(cfg->flags)))
		goto nla_put_failure;
	if (cfg->icmp_src != NF_XLAT_ICMP_SRC_DEFAULT &&
	    nla_put_in_addr(skb, NFTA_XLAT_ICMP_SRC, cfg->icmp_src))
		goto nla_put_failure;
	if (cfg->mtu6 != NF_XLAT_MTU6_DEFAULT &&
	    nla_put_be32(skb, NFTA_XLAT_MTU6, htonl(cfg->mtu6)))
		goto nla_put_failure;
	return 0;

nla_put_failure:
	return -1;
}

static struct nft_expr_type nft_xlat_type;
static const struct nft_expr_ops nft_xlat_ops = {
	.type		= &nft_xlat_type,
	.size		= NFT_EXPR_SIZE(sizeof(struct nft_xlat)),
	.eval		= nft_xlat_eval,
	.init		= nft_xlat_init,
	.destroy	= nft_xlat_destroy,
	.dump		= nft_xlat_dump,
	.validate	= nft_xlat_validate,
};

/* .owner: nf_tables holds a reference on the module for every expression
 * of this type (nft_expr_type_get()), so it cannot be unloaded while a
 * rule uses it.
 */
static struct nft_expr_type nft_xlat_type __read_mostly = {
	.name		= "xlat",
	.ops		= &nft_xlat_ops,
	.policy		= nft_xlat_policy,
	.maxattr	= NFTA_XLAT_MAX,
	.owner		= THIS_MODULE,
};

/* The counters exist in every netns before the first rule can use them,
 * and until the type is gone.
 */
static int __init nft_xlat_module_init(void)
{
	int err;

	nf_xlat_guard_init();

	err = nf_xlat_stats_init();
	if (err)
		return err;

	err = nf_xlat_flow_init();
	if (err)
		goto err_flow_init;

	err = nf_xlat_bind_init();
	if (err)
		goto err_bind_init;

	err = nft_register_expr(&nft_xlat_type);
	if (err)
		goto err_register_expr;
	return 0;

err_register_expr:
	nf_xlat_bind_exit();
err_bind_init:
	nf_xlat_flow_exit();
err_flow_init:
	nf_xlat_stats_exit();
	return err;
}

static void __exit nft_xlat_module_exit(void)
{
	nft_unregister_expr(&nft_xlat_type);
	nf_xlat_bind_exit();
	nf_xlat_flow_exit();
	nf_xlat_stats_exit();
}

module_init(nft_xlat_module_init);
module_exit(nft_xlat_module_exit);

MODULE_LICENSE("GPL");
MODULE_ALIAS_NFT_EXPR("xlat");
MODULE_DESCRIPTION("nftables stateless IP/ICMP translation (RFC 7915)");
