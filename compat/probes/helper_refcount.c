// SPDX-License-Identifier: GPL-2.0-only
/* Conntrack helpers registered as refcounted copies, one reference per
 * entry that uses one (7.2): nf_conntrack_helper_register(me, &copy).
 */
#include <net/netfilter/nf_conntrack_helper.h>

int probe(struct nf_conntrack_helper *me, struct nf_conntrack_helper **copy)
{
	refcount_inc(&me->ct_refcnt);
	return nf_conntrack_helper_register(me, copy);
}
