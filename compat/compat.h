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

#endif /* _NFT_XLAT_COMPAT_H */
