// SPDX-License-Identifier: GPL-2.0-only
/* nft_expr_ops.validate(ctx, expr): 6.12, Debian 6.1.187. */
#include <net/netfilter/nf_tables.h>

static int probe(const struct nft_ctx *ctx, const struct nft_expr *expr)
{
	return 0;
}

const struct nft_expr_ops probe_ops = { .validate = probe };
