/* SPDX-License-Identifier: GPL-2.0-only */
/* Adapters for the kernels nft_xlat.ko is built for out of tree, force-
 * included by compat/Kbuild.include.  net/ and include/ are written
 * against the newest API; each adapter here maps it onto an older one,
 * selected by a feature probe.  Nothing here goes upstream.
 */
#ifndef _NFT_XLAT_COMPAT_H
#define _NFT_XLAT_COMPAT_H

/* Recent kernels read dst->dev through dst_dev(). */
#ifndef NFT_XLAT_HAVE_DST_DEV
#define dst_dev(dst)	((dst)->dev)
#endif

/* ip6_route_input() is exported on recent kernels only; older ones lend
 * it through nf_ipv6_ops (<linux/netfilter_ipv6.h>), as br_netfilter
 * uses it.
 */
#ifdef NFT_XLAT_HAVE_IPV6_OPS_ROUTE_INPUT
#define nf_xlat_ip6_route_input(skb)	nf_get_ipv6_ops()->route_input(skb)
#else
#define nf_xlat_ip6_route_input(skb)	ip6_route_input(skb)
#endif

/* Recent kernels register a conntrack helper as a refcounted copy, and
 * every entry that points at it holds a reference.
 */
#ifdef NFT_XLAT_HAVE_HELPER_REFCOUNT
#define nf_xlat_helper_register(tmpl, hp) \
	nf_conntrack_helper_register(tmpl, hp)
#define nf_xlat_helper_hold(h)		refcount_inc_not_zero(&(h)->ct_refcnt)
#else
#define nf_xlat_helper_register(tmpl, hp) ({				\
	struct nf_conntrack_helper *__tmpl = (tmpl);			\
	*(hp) = __tmpl;							\
	nf_conntrack_helper_register(__tmpl);				\
})
#define nf_xlat_helper_hold(h)		((void)(h), true)
#endif

/* Typed allocators of recent kernels. */
#ifndef NFT_XLAT_HAVE_KZALLOC_OBJ
#define kzalloc_obj(var, gfp)		kzalloc(sizeof(var), gfp)
#endif

#endif /* _NFT_XLAT_COMPAT_H */
