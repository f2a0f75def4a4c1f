/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Netlink ABI of the nf_tables "xlat" expression (stateless IP/ICMP
 * translation, RFC 7915, with RFC 6052 addressing).  This is the one
 * definition shared by nft_xlat.ko and the libnftnl/nftables patch series;
 * for an upstream submission it moves into <linux/netfilter/nf_tables.h>.
 */
#ifndef _UAPI_NF_TABLES_XLAT_H
#define _UAPI_NF_TABLES_XLAT_H

/**
 * enum nft_xlat_modes - direction of an xlat expression
 *
 * @NFT_XLAT_4TO6: "xlat to": translate IPv4 packets into IPv6
 * @NFT_XLAT_6TO4: "xlat from": translate IPv6 packets into IPv4
 */
enum nft_xlat_modes {
	NFT_XLAT_4TO6 = 1,
	NFT_XLAT_6TO4 = 2,
};

/**
 * enum nft_xlat_flags - xlat expression options
 *
 * @NFT_XLAT_F_TCLASS_ZERO: do not copy the IPv4 TOS / IPv6 traffic class,
 *	set it to zero (RFC 7915 sections 4.1 and 5.1 make this an option)
 * @NFT_XLAT_F_UDP_ZERO_CSUM_DROP: drop IPv4 UDP packets with a zero
 *	checksum instead of computing one (RFC 7915 section 4.5)
 * @NFT_XLAT_F_OFFLOAD: put the connections this rule translates at
 *	postrouting into the module's flowtable fast path once established
 *	(TCP) or answered (UDP); their later packets are looked up and
 *	translated before conntrack and routing
 */
enum nft_xlat_flags {
	NFT_XLAT_F_TCLASS_ZERO		= (1 << 0),
	NFT_XLAT_F_UDP_ZERO_CSUM_DROP	= (1 << 1),
	NFT_XLAT_F_OFFLOAD		= (1 << 2),
};
#define NFT_XLAT_F_MASK	(NFT_XLAT_F_TCLASS_ZERO | \
			 NFT_XLAT_F_UDP_ZERO_CSUM_DROP | \
			 NFT_XLAT_F_OFFLOAD)

/**
 * enum nft_xlat_attributes - nf_tables xlat expression netlink attributes
 *
 * @NFTA_XLAT_MODE: translation direction (NLA_U32, network order:
 *	enum nft_xlat_modes)
 * @NFTA_XLAT_DADDR_PREFIX: RFC 6052 prefix that embeds destination
 *	addresses (NLA_BINARY, 16 bytes)
 * @NFTA_XLAT_DADDR_PLEN: its length (NLA_U8: 32, 40, 48, 56, 64 or 96)
 * @NFTA_XLAT_SADDR_PREFIX: RFC 6052 prefix that embeds source addresses
 *	(NLA_BINARY, 16 bytes; optional, default: the destination prefix).
 *	A CLAT (RFC 6877) uses a different prefix for each side.
 * @NFTA_XLAT_SADDR_PLEN: its length (NLA_U8, as NFTA_XLAT_DADDR_PLEN)
 * @NFTA_XLAT_FLAGS: options (NLA_U32, network order: enum nft_xlat_flags)
 * @NFTA_XLAT_ICMP_SRC: IPv4 source address of translated ICMPv6 errors
 *	whose IPv6 source has no IPv4 form (NLA_U32, network order; RFC 6791;
 *	default 192.0.0.8, RFC 7600)
 * @NFTA_XLAT_MTU6: lowest IPv6 path MTU, used to fragment IPv4 packets
 *	without DF (NLA_U32, network order; 1280..65535, default 1280)
 *
 * The kernel refuses a rule holding an xlat expression with:
 *
 * - EINVAL: NFTA_XLAT_MODE or NFTA_XLAT_DADDR_PREFIX missing, or an
 *	unknown mode, or a length attribute without its prefix
 * - ERANGE: a prefix length that RFC 6052 does not define, or an
 *	NFTA_XLAT_MTU6 below 1280
 * - EADDRNOTAVAIL: a prefix with bits set past its length or in the
 *	u-octet (bits 64-71), or a multicast or IPv4-mapped prefix
 * - EAFNOSUPPORT: a mode that the table family cannot carry (an ip table
 *	holding "xlat from", an ip6 table holding "xlat to")
 * - EOPNOTSUPP: a hook other than netdev/inet ingress, prerouting or
 *	postrouting (nat chains: prerouting or postrouting), or
 *	NFT_XLAT_F_OFFLOAD on a rule that is not in a postrouting filter
 *	chain (only the direction translated on the way out carries the
 *	state the fast path needs)
 * - EPROTOTYPE: a base chain whose type is neither filter nor nat, or a
 *	rule reached both from a nat chain, where it binds connections, and
 *	from a filter chain, where it translates every packet
 *
 * In a filter chain the expression translates every packet it sees; in a
 * nat chain it binds the connection of the first packet, as snat and dnat
 * do, and every packet of that connection, both ways, is translated until
 * its conntrack entry ends.
 */
enum nft_xlat_attributes {
	NFTA_XLAT_UNSPEC,
	NFTA_XLAT_MODE,
	NFTA_XLAT_DADDR_PREFIX,
	NFTA_XLAT_DADDR_PLEN,
	NFTA_XLAT_SADDR_PREFIX,
	NFTA_XLAT_SADDR_PLEN,
	NFTA_XLAT_FLAGS,
	NFTA_XLAT_ICMP_SRC,
	NFTA_XLAT_MTU6,
	__NFTA_XLAT_MAX
};
#define NFTA_XLAT_MAX	(__NFTA_XLAT_MAX - 1)

#endif /* _UAPI_NF_TABLES_XLAT_H */
