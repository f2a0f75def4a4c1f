// SPDX-License-Identifier: GPL-2.0-only
/* RFC 6052 IPv4-embedded IPv6 addresses.
 *
 * The 32 IPv4 bits follow the prefix, but never occupy bits 64..71 (the
 * "u" octet, kept zero for compatibility with the interface identifier
 * format of RFC 4291):
 *
 *   len  | bytes 0..7     | 8 | 9..15
 *   /32  | pfx  v4(4)     | u | suffix
 *   /40  | pfx  v4(3)     | u | v4(1) suffix
 *   /48  | pfx  v4(2)     | u | v4(2) suffix
 *   /56  | pfx  v4(1)     | u | v4(3) suffix
 *   /64  | pfx            | u | v4(4) suffix
 *   /96  | pfx            | u | pfx(3) v4(4)
 *
 * The suffix is zero when embedding and ignored when extracting, and so is
 * the u-octet (RFC 6052 section 2.2 only requires senders to zero them).
 */
#include <linux/in.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_xlat.h>

#define NF_XLAT_U_OCTET		8

static bool nf_xlat_prefix_len_ok(unsigned int len)
{
	switch (len) {
	case 32:
	case 40:
	case 48:
	case 56:
	case 64:
	case 96:
		return true;
	}
	return false;
}

/**
 * nf_xlat_prefix_check() - check that a prefix can embed IPv4 addresses
 * @addr: the prefix
 * @len: its length
 *
 * Return: 0, -ERANGE for a length RFC 6052 does not define, or
 * -EADDRNOTAVAIL for bits set past the length or in the u-octet, or a
 * multicast or IPv4-mapped prefix.
 */
int nf_xlat_prefix_check(const struct in6_addr *addr, unsigned int len)
{
	struct in6_addr masked;

	if (!nf_xlat_prefix_len_ok(len))
		return -ERANGE;

	ipv6_addr_prefix(&masked, addr, len);
	if (!ipv6_addr_equal(&masked, addr) ||
	    addr->s6_addr[NF_XLAT_U_OCTET] ||
	    ipv6_addr_is_multicast(addr) || ipv6_addr_v4mapped(addr))
		return -EADDRNOTAVAIL;
	return 0;
}

/**
 * nf_xlat_addr_embed() - build an IPv4-embedded IPv6 address
 * @pfx: a prefix accepted by nf_xlat_prefix_check()
 * @a4: the IPv4 address
 * @a6: result
 */
void nf_xlat_addr_embed(const struct nf_xlat_prefix *pfx, __be32 a4,
			struct in6_addr *a6)
{
	const u8 *v4 = (const u8 *)&a4;
	unsigned int i, pos = pfx->len / 8;

	*a6 = pfx->addr;
	for (i = 0; i < sizeof(a4); i++, pos++) {
		if (pos == NF_XLAT_U_OCTET)
			pos++;
		a6->s6_addr[pos] = v4[i];
	}
}

/**
 * nf_xlat_addr_extract() - recover the IPv4 address of an IPv6 address
 * @pfx: a prefix accepted by nf_xlat_prefix_check()
 * @a6: the IPv6 address
 * @a4: result
 *
 * Return: false when @a6 is not within @pfx.
 */
bool nf_xlat_addr_extract(const struct nf_xlat_prefix *pfx,
			  const struct in6_addr *a6, __be32 *a4)
{
	unsigned int i, pos = pfx->len / 8;
	u8 *v4 = (u8 *)a4;

	if (!ipv6_prefix_equal(a6, &pfx->addr, pfx->len))
		return false;

	for (i = 0; i < sizeof(*a4); i++, pos++) {
		if (pos == NF_XLAT_U_OCTET)
			pos++;
		v4[i] = a6->s6_addr[pos];
	}
	return true;
}

/**
 * nf_xlat_addr4_ok() - may this IPv4 address appear in a translated packet
 * @a4: the address
 *
 * "This network", loopback, multicast and the limited broadcast address
 * have no meaning on the other side of a translator; such packets are left
 * alone.
 *
 * Return: true if the address can be translated.
 */
bool nf_xlat_addr4_ok(__be32 a4)
{
	/* 0.0.0.0/8 is "this network" (RFC 1122 section 3.2.1.3), whatever
	 * ipv4_is_zeronet() allows nowadays.
	 */
	return (a4 & htonl(0xff000000)) && !ipv4_is_loopback(a4) &&
	       !ipv4_is_multicast(a4) && !ipv4_is_lbcast(a4);
}
