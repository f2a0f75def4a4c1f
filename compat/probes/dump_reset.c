// SPDX-License-Identifier: GPL-2.0-only
/* nft_expr_ops.dump(skb, expr, reset): Debian 6.1.192, 6.12, 7.2. */
#include <net/netfilter/nf_tables.h>

static int probe(struct sk_buff *skb, const struct nft_expr *expr, bool reset)
{
	return 0;
}

const struct nft_expr_ops probe_ops = { .dump = probe };
