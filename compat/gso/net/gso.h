/* SPDX-License-Identifier: GPL-2.0-only */
/* Before 6.5 the GSO helpers lived in these headers. */
#ifndef _NFT_XLAT_COMPAT_NET_GSO_H
#define _NFT_XLAT_COMPAT_NET_GSO_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#endif
