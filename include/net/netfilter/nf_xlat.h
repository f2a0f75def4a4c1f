/* SPDX-License-Identifier: GPL-2.0-only */
/* Stateless IP/ICMP translation (RFC 7915) with RFC 6052 addressing: the
 * internal API shared by the files of nft_xlat.ko.
 *
 * A packet is translated in three steps, each a mirrored pair of functions
 * (nf_xlat_4to6_*() and nf_xlat_6to4_*()):
 *
 *   prepare  parse the packet and decide; nothing is written, so a packet
 *            that is not translated leaves the expression untouched
 *   (route)  postrouting only: route in the new family and check the MTU
 *            while an ICMP error can still quote the original packet
 *   rewrite  rewrite the packet in place
 *
 * nf_xlat_out.c then delivers the result according to the hook.
 */
#ifndef _NF_XLAT_H
#define _NF_XLAT_H

#include <linux/in6.h>
#include <linux/types.h>

struct net;
struct sk_buff;

/* An IPv6 header is this much longer than an option-free IPv4 header. */
#define NF_XLAT_HDELTA		20

/* Extension headers walked before a 6to4 packet is given up as hostile. */
#define NF_XLAT_EXTHDR_MAX	8

/* RFC 7915 section 5.1 (updated by RFC 8021): IPv6 packets that fit the
 * IPv6 minimum MTU may be fragmented on the IPv4 side.
 */
#define NF_XLAT_DF_THRESH	1260

#define NF_XLAT_ICMP_SRC_DEFAULT	cpu_to_be32(0xc0000008)	/* 192.0.0.8 */
#define NF_XLAT_MTU6_DEFAULT		1280

/**
 * struct nf_xlat_prefix - an RFC 6052 prefix
 * @addr: the prefix; bits past @len and the u-octet are zero
 * @len: its length: 32, 40, 48, 56, 64 or 96
 */
struct nf_xlat_prefix {
	struct in6_addr	addr;
	u8		len;
};

/**
 * struct nf_xlat_cfg - configuration of one translator
 * @src: prefix that embeds IPv4 source addresses
 * @dst: prefix that embeds IPv4 destination addresses
 * @flags: NFT_XLAT_F_*
 * @icmp_src: IPv4 source of translated ICMPv6 errors whose source has no
 *	IPv4 form (RFC 6791)
 * @mtu6: lowest IPv6 path MTU, for fragmenting IPv4 packets without DF
 */
struct nf_xlat_cfg {
	struct nf_xlat_prefix	src;
	struct nf_xlat_prefix	dst;
	u32			flags;
	__be32			icmp_src;
	u32			mtu6;
};

/* What follows the network header, as far as translation cares. */
enum nf_xlat_l4 {
	NF_XLAT_L4_OTHER,	/* copied, only the protocol number is kept */
	NF_XLAT_L4_TCP,
	NF_XLAT_L4_UDP,
	NF_XLAT_L4_ICMP,	/* ICMP or ICMPv6 informational message */
	NF_XLAT_L4_ICMP_ERR,	/* ICMP/ICMPv6 error and the packet it quotes */
};

/**
 * enum nf_xlat_stat - per-netns counters, /proc/net/stat/nft_xlat
 * @NF_XLAT_STAT_4TO6: packets translated from IPv4 to IPv6
 * @NF_XLAT_STAT_6TO4: packets translated from IPv6 to IPv4
 * @NF_XLAT_STAT_ICMP_ERR_4TO6: of those, ICMPv4 errors translated
 * @NF_XLAT_STAT_ICMP_ERR_6TO4: of those, ICMPv6 errors translated
 * @NF_XLAT_STAT_FRAGS_OUT: IPv6 fragments made from IPv4 packets without DF
 *	that were too big for the lowest IPv6 MTU
 * @NF_XLAT_STAT_ICMP_SENT: errors sent back by the translator itself
 * @NF_XLAT_STAT_PASS_NOMAP: left alone: an address without a mapping
 * @NF_XLAT_STAT_PASS_LOOP: left alone: delivered by a translator already
 * @NF_XLAT_STAT_PASS_UNSUPP: left alone: no form in the other family
 *	(jumbograms)
 * @NF_XLAT_DROP_MALFORMED: dropped: truncated or inconsistent headers
 * @NF_XLAT_DROP_CSUM: dropped: bad IPv4 header or ICMP checksum
 * @NF_XLAT_DROP_ICMP_TYPE: dropped: an ICMP type or code RFC 7915 drops
 * @NF_XLAT_DROP_ICMP_INNER: dropped: an ICMP error whose quoted packet is
 *	missing, truncated, nested or untranslatable
 * @NF_XLAT_DROP_ICMP_FRAG: dropped: a fragmented ICMP message
 * @NF_XLAT_DROP_UDP_ZERO_CSUM: dropped: IPv4 UDP without checksum that
 *	cannot get one (a fragment, or the drop policy)
 * @NF_XLAT_DROP_SRC_ROUTE: dropped: IPv4 unexpired source route
 * @NF_XLAT_DROP_ROUTING_HDR: dropped: IPv6 routing header, segments left
 * @NF_XLAT_DROP_EXT_HDR: dropped: IPv6 extension headers that cannot be
 *	translated (misplaced, too many, fragmenting other headers)
 * @NF_XLAT_DROP_TOO_BIG: dropped: too big for the path, error sent
 * @NF_XLAT_DROP_NO_ROUTE: dropped: no route in the new family
 * @NF_XLAT_DROP_NOMEM: dropped: out of memory
 * @NF_XLAT_DROP_GSO: dropped: a GSO packet that could not be segmented
 * @NF_XLAT_DROP_TTL: dropped: TTL or hop limit exhausted, error sent
 * @NF_XLAT_STAT_FLOW_ADD: connections put into the flowtable fast path
 * @NF_XLAT_STAT_FLOW_FAST: packets forwarded by the fast path (those it
 *	translated are also in 4to6 and 6to4)
 * @NF_XLAT_STAT_BIND: connections bound by an xlat rule in a nat chain
 * @NF_XLAT_DROP_BIND: dropped: the first packet of a connection that a
 *	nat chain's xlat rule cannot bind (its entry has a helper, or needs
 *	NAT of its own), or a packet of a bound connection that cannot be
 *	translated
 * @NF_XLAT_STAT_MAX: number of counters
 */
enum nf_xlat_stat {
	NF_XLAT_STAT_4TO6,
	NF_XLAT_STAT_6TO4,
	NF_XLAT_STAT_ICMP_ERR_4TO6,
	NF_XLAT_STAT_ICMP_ERR_6TO4,
	NF_XLAT_STAT_FRAGS_OUT,
	NF_XLAT_STAT_ICMP_SENT,
	NF_XLAT_STAT_PASS_NOMAP,
	NF_XLAT_STAT_PASS_LOOP,
	NF_XLAT_STAT_PASS_UNSUPP,
	NF_XLAT_DROP_MALFORMED,
	NF_XLAT_DROP_CSUM,
	NF_XLAT_DROP_ICMP_TYPE,
	NF_XLAT_DROP_ICMP_INNER,
	NF_XLAT_DROP_ICMP_FRAG,
	NF_XLAT_DROP_UDP_ZERO_CSUM,
	NF_XLAT_DROP_SRC_ROUTE,
	NF_XLAT_DROP_ROUTING_HDR,
	NF_XLAT_DROP_EXT_HDR,
	NF_XLAT_DROP_TOO_BIG,
	NF_XLAT_DROP_NO_ROUTE,
	NF_XLAT_DROP_NOMEM,
	NF_XLAT_DROP_GSO,
	NF_XLAT_DROP_TTL,
	NF_XLAT_STAT_FLOW_ADD,
	NF_XLAT_STAT_FLOW_FAST,
	NF_XLAT_STAT_BIND,
	NF_XLAT_DROP_BIND,
	NF_XLAT_STAT_MAX
};

/* Where the packet goes once translated (nf_xlat_out.c). */
enum nf_xlat_hook {
	NF_XLAT_HOOK_INGRESS,
	NF_XLAT_HOOK_PREROUTING,
	NF_XLAT_HOOK_POSTROUTING,
	NF_XLAT_HOOK_BOUND_IN,	/* prerouting, a bound connection: the
				 * packet keeps its conntrack entry
				 */
};

/**
 * struct nf_xlat_pkt - per-packet translation state
 * @cfg: configuration of the translator
 * @net: network namespace of the hook
 * @v6: 4to6: new source and destination address
 * @v4: 6to4: new source and destination address
 * @len: length of the packet from its network header, as its header says
 *	(link layer padding excluded); an ICMP error rewrite updates it to
 *	@l3len plus the length of the new ICMP message
 * @l3len: length of the original network headers: IPv4 options or IPv6
 *	extension headers included
 * @nl3len: length of the network headers written: 20, 40, or 48 with an
 *	IPv6 fragment header
 * @frag_id: fragment identification (IPv6 width, host order)
 * @frag_off: fragment offset in bytes
 * @hook: enum nf_xlat_hook
 * @proto: original transport protocol number
 * @l4: enum nf_xlat_l4
 * @tos: TOS / traffic class to write
 * @ttl: TTL / hop limit to write
 * @frag: the packet is a fragment (offset or MF set)
 * @mf: more fragments follow
 * @df: 4to6: the IPv4 packet has DF set; 6to4: set DF in the IPv4 header
 * @udp_csum: 4to6: an IPv4 UDP checksum of zero must be computed
 * @split: 4to6: too big for the lowest IPv6 MTU and may be fragmented
 * @stat: enum nf_xlat_stat: why the packet was dropped or left alone; 0
 *	(a counter of success) while nothing is recorded
 * @err_ptr: 6to4: offset of the field a parameter problem points to
 *
 * Filled by the prepare step, read by route and rewrite.
 */
struct nf_xlat_pkt {
	const struct nf_xlat_cfg	*cfg;
	struct net			*net;
	union {
		struct in6_addr		v6[2];
		__be32			v4[2];
	};
	unsigned int			len;
	unsigned int			l3len;
	unsigned int			nl3len;
	u32				frag_id;
	u16				frag_off;
	u8				hook;
	u8				proto;
	u8				l4;
	u8				tos;
	u8				ttl;
	bool				frag;
	bool				mf;
	bool				df;
	bool				udp_csum;
	bool				split;
	u8				stat;
	u16				err_ptr;
};

/* Record why a packet is dropped or left alone; returns @err. */
static inline int nf_xlat_fail(struct nf_xlat_pkt *xp, enum nf_xlat_stat stat,
			       int err)
{
	xp->stat = stat;
	return err;
}

/* nf_xlat_addr.c APIs: */
int nf_xlat_prefix_check(const struct in6_addr *addr, unsigned int len);
void nf_xlat_addr_embed(const struct nf_xlat_prefix *pfx, __be32 a4,
			struct in6_addr *a6);
bool nf_xlat_addr_extract(const struct nf_xlat_prefix *pfx,
			  const struct in6_addr *a6, __be32 *a4);
bool nf_xlat_addr4_ok(__be32 a4);

/* nf_xlat_core.c APIs: */
int nf_xlat_l4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb);
unsigned int nf_xlat_l4_wlen(const struct nf_xlat_pkt *xp);
bool nf_xlat_l4_partial(const struct nf_xlat_pkt *xp,
			const struct sk_buff *skb);
void nf_xlat_l4_csum(struct nf_xlat_pkt *xp, struct sk_buff *skb,
		     __wsum diff);
bool nf_xlat_gso_ok(const struct nf_xlat_pkt *xp, const struct sk_buff *skb,
		    bool to6);
void nf_xlat_gso_4to6(struct sk_buff *skb);
void nf_xlat_gso_6to4(struct sk_buff *skb);
unsigned int nf_xlat_mac_len(const struct sk_buff *skb);
void nf_xlat_mac_move(struct sk_buff *skb, unsigned int mac_len, int delta);
void nf_xlat_meta_reset(struct sk_buff *skb);

/* nf_xlat_4to6.c APIs: */
int nf_xlat_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb);
int nf_xlat_4to6_rewrite(struct nf_xlat_pkt *xp, struct sk_buff *skb);

/* nf_xlat_6to4.c APIs: */
int nf_xlat_6to4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb);
bool nf_xlat_6to4_df(const struct nf_xlat_pkt *xp, const struct sk_buff *skb);
int nf_xlat_6to4_rewrite(struct nf_xlat_pkt *xp, struct sk_buff *skb);

/* nf_xlat_icmp.c APIs: */
int nf_xlat_icmp_4to6_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb);
int nf_xlat_icmp_6to4_prepare(struct nf_xlat_pkt *xp, struct sk_buff *skb);
int nf_xlat_icmp_4to6(struct nf_xlat_pkt *xp, struct sk_buff *skb);
int nf_xlat_icmp_6to4(struct nf_xlat_pkt *xp, struct sk_buff *skb);

/* nf_xlat_stats.c APIs: */
int nf_xlat_stats_init(void);
void nf_xlat_stats_exit(void);
void nf_xlat_stat_inc(struct net *net, enum nf_xlat_stat stat);
void nf_xlat_stat_add(struct net *net, enum nf_xlat_stat stat,
		      unsigned int n);

/* nf_xlat_flow.c APIs: */
struct dst_entry;
int nf_xlat_flow_init(void);
void nf_xlat_flow_exit(void);
int nf_xlat_flow_get(struct net *net, bool offload);
void nf_xlat_flow_put(struct net *net, bool offload);
void nf_xlat_flow_mark(struct sk_buff *skb);
void nf_xlat_flow_offload(const struct nf_xlat_pkt *xp, struct sk_buff *skb,
			  struct dst_entry *dst, bool to6);
unsigned int nf_xlat_flow_input(struct nf_xlat_pkt *xp, struct sk_buff *skb,
				bool to6);

/* nf_xlat_out.c APIs: */
void nf_xlat_guard_init(void);
bool nf_xlat_guard_hit(const struct sk_buff *skb);
int nf_xlat_begin(struct nf_xlat_pkt *xp, struct sk_buff *skb, bool to6);
unsigned int nf_xlat_finish(struct nf_xlat_pkt *xp, struct sk_buff *skb,
			    bool to6, int err);
unsigned int nf_xlat_skb(const struct nf_xlat_cfg *cfg, bool to6,
			 struct net *net, struct sk_buff *skb,
			 enum nf_xlat_hook hook);

/* nf_xlat_bind.c APIs: */
struct nf_xlat_bind;
struct nf_xlat_bind *nf_xlat_bind_alloc(struct net *net,
					const struct nf_xlat_cfg *cfg,
					bool to6);
void nf_xlat_bind_put(struct nf_xlat_bind *bind);
int nf_xlat_bind_enable(struct net *net);
unsigned int nf_xlat_bind_skb(struct nf_xlat_bind *bind, struct sk_buff *skb,
			      unsigned int hooknum);
int nf_xlat_bind_init(void);
void nf_xlat_bind_exit(void);

#endif /* _NF_XLAT_H */
