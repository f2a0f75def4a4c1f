// SPDX-License-Identifier: GPL-2.0
/*
 * xlat-fuzz - send hostile packets through an nft_xlat translator and check
 * what comes out on the far side.
 *
 *   xlat-fuzz -m to|from -s SEED -n COUNT -t TXNS:TXDEV:RTRMAC
 *             -r RXNS:RXDEV [-p PREFIX] [-q] [-d N]
 *   xlat-fuzz -m to|from -s SEED -x INDEX     print packet INDEX in hex
 *
 * -m to: IPv4 frames (xlat to, 4 -> 6), the far side must show IPv6;
 * -m from: IPv6 frames (xlat from, 6 -> 4), the far side must show IPv4.
 * TXNS/RXNS are "ip netns" names (/run/netns/NAME).  Frames leave TXDEV
 * with the source MAC 02:58:4c:41:54:01 (rules select on it) and RTRMAC as
 * destination.  Packet N depends only on SEED and N (-x reproduces one).
 *
 * Every packet comes from a valid template of some kind (TCP, UDP, ICMP
 * echo and errors with inner packets, other protocols, fragments, options
 * or extension header chains, odd addresses and TTLs), then hostile
 * changes: lying length fields, bad checksums, truncation at any offset,
 * trailing bytes, bit flips with or without a fixed IPv4 header checksum.
 * About 1% are frames of the other family (not translated, not counted).
 *
 * Every frame of the translated family that arrives on the far side is
 * parsed: IP header, extension headers, lengths, IPv4 header checksum,
 * TCP/UDP/ICMP/ICMPv6 checksums.  A defect the translator carried over
 * from its input (a TCP/UDP/ICMP echo checksum that was already wrong by
 * the same amount: RFC 7915 translators update checksums incrementally; a
 * lying UDP length; a TCP data offset past the end) is counted as
 * "inherited"; any other defect is a failure.  ICMP errors sent back by
 * the router (ICMP from its address) are checked the same way; its
 * TCP resets are not (their checksum may be left to the veth).
 *
 * Output: "key value" lines; the last line is "result ok" or "result bad".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define FRAME_MAX	2048
#define ETH_HLEN_	14

static const uint8_t gen_mac[6] = { 0x02, 0x58, 0x4c, 0x41, 0x54, 0x01 };

/* ---- PRNG: splitmix64 seeded per packet ---- */
static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)(rnd64() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(1000) < percent * 10;
}

static void rnd_bytes(uint8_t *p, unsigned int n)
{
	while (n--)
		*p++ = rnd64();
}

/* ---- checksums ---- */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Residual of a checksummed region: 0 when it verifies.  0 and 0xffff are
 * the same one's complement value.
 */
static uint16_t residual(uint32_t sum)
{
	uint16_t r = ~csum_fold(sum);

	return r == 0xffff ? 0 : r;
}

static uint32_t pseudo4(const uint8_t *ip, unsigned int len, uint8_t proto)
{
	return csum_add(0, ip + 12, 8) + len + proto;
}

static uint32_t pseudo6(const uint8_t *ip, unsigned int len, uint8_t proto)
{
	return csum_add(0, ip + 8, 32) + (len >> 16) + (len & 0xffff) + proto;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (p[0] << 8) | p[1];
}

/* ---- addresses ---- */
static uint8_t pfx[12];			/* RFC 6052 /96 prefix */
static bool mode_to;			/* IPv4 in, IPv6 out */

static const uint32_t v4_src = 0xc0000202;	/* 192.0.2.2, c4 */
static const uint32_t v4_dst = 0xc6336406;	/* 198.51.100.6, c6 */
static const uint32_t v4_rtr = 0xc0000201;	/* 192.0.2.1 */
static const uint8_t v6_rtr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 6, [15] = 1 };

static uint32_t odd_v4(void)
{
	static const uint32_t odd[] = {
		0x00000000, 0x7f000001, 0xe0000001, 0xef010101, 0xffffffff,
		0xc00002ff, 0xa9fe0101, 0xc0000201, 0xc6336463, 0x0a000001,
		0xc0000200, 0x00000001, 0xf0000001,
	};

	if (chance(50))
		return odd[rnd(sizeof(odd) / sizeof(odd[0]))];
	return (uint32_t)rnd64();
}

static void put_v4(uint8_t *p, uint32_t a)
{
	p[0] = a >> 24;
	p[1] = a >> 16;
	p[2] = a >> 8;
	p[3] = a;
}

static uint32_t get_v4(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void embed(uint8_t *p, uint32_t a)
{
	memcpy(p, pfx, 12);
	put_v4(p + 12, a);
}

static void odd_v6(uint8_t *p)
{
	static const uint8_t odd[][16] = {
		{ 0 },						/* :: */
		{ [15] = 1 },					/* ::1 */
		{ 0xff, 0x02, [15] = 1 },			/* ff02::1 */
		{ 0xff, 0x0e, [15] = 0x42 },			/* ff0e::42 */
		{ 0xfe, 0x80, [15] = 1 },			/* fe80::1 */
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 6, [15] = 1 },	/* rtr */
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 6, [15] = 9 },
		{ 0x00, 0x00, [10] = 0xff, 0xff, 192, 0, 2, 2 },/* v4-mapped */
	};

	switch (rnd(3)) {
	case 0:
		memcpy(p, odd[rnd(sizeof(odd) / sizeof(odd[0]))], 16);
		break;
	case 1:
		embed(p, odd_v4());
		break;
	default:
		rnd_bytes(p, 16);
		break;
	}
}

static uint8_t pick_ttl(void)
{
	static const uint8_t ttl[] = { 0, 1, 2, 64, 255 };

	if (chance(70))
		return 64;
	return ttl[rnd(5)];
}

/* ---- transport payloads ---- */
enum { L4_TCP, L4_UDP, L4_ECHO, L4_ERR, L4_OTHER, L4_MAX };

static unsigned int rnd_len(unsigned int max)
{
	switch (rnd(4)) {
	case 0:
		return rnd(9);
	case 1:
		return rnd(64);
	case 2:
		return rnd(300);
	}
	return rnd(max + 1);
}

/* TCP or UDP header plus data at p; the checksum is filled in later. */
static unsigned int build_tcp(uint8_t *p, unsigned int room)
{
	unsigned int olen = chance(30) ? 4 * rnd(11) : 0;
	unsigned int dlen = rnd_len(room > 20 + olen ? room - 20 - olen : 0);

	rnd_bytes(p, 20 + olen + dlen);
	p[12] = ((20 + olen) / 4) << 4;
	p[16] = p[17] = 0;
	return 20 + olen + dlen;
}

static unsigned int build_udp(uint8_t *p, unsigned int room)
{
	unsigned int dlen = rnd_len(room - 8);

	rnd_bytes(p, 8 + dlen);
	put16(p + 4, 8 + dlen);
	p[6] = p[7] = 0;
	return 8 + dlen;
}

/* ---- IPv4 ---- */
static unsigned int build_v4_opts(uint8_t *o)
{
	unsigned int len = 0, n = 1 + rnd(3), i, l;

	for (i = 0; i < n && len < 36; i++) {
		switch (rnd(9)) {
		case 0:
			o[len++] = 1;			/* NOP */
			break;
		case 1:
			o[len++] = 0;			/* EOL */
			break;
		case 2:	/* LSRR/SSRR, pointer anywhere */
		case 3:
			l = 3 + 4 * rnd(3);
			if (len + l > 40)
				break;
			o[len] = rnd(2) ? 0x83 : 0x89;
			o[len + 1] = l;
			o[len + 2] = chance(50) ? 4 : 4 + 4 * rnd(4);
			rnd_bytes(o + len + 3, l - 3);
			len += l;
			break;
		case 4:	/* record route */
			l = 7;
			o[len] = 7;
			o[len + 1] = l;
			o[len + 2] = 4;
			memset(o + len + 3, 0, 4);
			len += l;
			break;
		case 5:	/* router alert */
			o[len] = 0x94;
			o[len + 1] = 4;
			o[len + 2] = o[len + 3] = 0;
			len += 4;
			break;
		case 6:	/* timestamp */
			o[len] = 0x44;
			o[len + 1] = 8;
			o[len + 2] = 5;
			o[len + 3] = 0;
			memset(o + len + 4, 0, 4);
			len += 8;
			break;
		case 7:	/* malformed length */
			o[len] = rnd(256);
			o[len + 1] = (uint8_t[]){ 0, 1, 2, 40, 255 }[rnd(5)];
			len += 2;
			break;
		default:
			l = rnd(6);
			rnd_bytes(o + len, l);
			len += l;
			break;
		}
	}
	while (len % 4)
		o[len++] = chance(50) ? 0 : 1;
	return len > 40 ? 40 : len;
}

static unsigned int build_v4(uint8_t *p, unsigned int room, int depth);
static unsigned int build_v6(uint8_t *p, unsigned int room, int depth);

/* An ICMP or ICMPv6 error body (type, code, length/pointer, inner). */
static unsigned int build_err_inner(uint8_t *p, unsigned int room, bool v6,
				    int depth)
{
	unsigned int ilen;

	switch (rnd(6)) {
	case 0:
		return 0;			/* no inner packet */
	case 1:
		ilen = rnd(room < 60 ? room : 60);	/* garbage */
		rnd_bytes(p, ilen);
		return ilen;
	}
	/* A whole inner packet, maybe an error itself, maybe cut. */
	ilen = v6 ? build_v6(p, room, depth + 1) : build_v4(p, room, depth + 1);
	if (chance(40))
		ilen = rnd(ilen + 1);
	return ilen;
}

static void finish_l4(uint8_t *ip, unsigned int l3len, unsigned int len,
		      uint8_t proto, bool v6);

static unsigned int build_icmp4(uint8_t *p, unsigned int room, int kind,
				int depth)
{
	static const uint8_t err_types[] = { 3, 11, 12, 4, 5, 3, 11 };
	unsigned int len;

	memset(p, 0, 8);
	if (kind == L4_ECHO) {
		p[0] = chance(50) ? 8 : 0;
		if (chance(10))
			p[1] = rnd(256);
		rnd_bytes(p + 4, 4);
		len = 8 + rnd_len(room - 8);
		rnd_bytes(p + 8, len - 8);
		return len;
	}
	p[0] = chance(90) ? err_types[rnd(7)] : rnd(256);
	p[1] = rnd(p[0] == 3 ? 16 : 4);
	len = 8 + build_err_inner(p + 8, room - 8 < 600 ? room - 8 : 600,
				  false, depth);
	if (p[0] == 3 && p[1] == 4)
		put16(p + 6, chance(50) ? 1280 : rnd(65536));
	if (p[0] == 12)
		p[4] = rnd(64);
	/* RFC 4884 length, in 32-bit words, honest or overrunning. */
	if (chance(30))
		p[5] = chance(50) ? (len - 8) / 4 : rnd(256);
	return len;
}

static unsigned int build_icmp6(uint8_t *p, unsigned int room, int kind,
				int depth)
{
	static const uint8_t types[] = { 1, 2, 3, 4, 1, 3, 133, 134, 135, 136,
					 137, 130, 131, 143, 200, 100 };
	unsigned int len;

	memset(p, 0, 8);
	if (kind == L4_ECHO) {
		p[0] = chance(50) ? 128 : 129;
		if (chance(10))
			p[1] = rnd(256);
		rnd_bytes(p + 4, 4);
		len = 8 + rnd_len(room - 8);
		rnd_bytes(p + 8, len - 8);
		return len;
	}
	p[0] = chance(90) ? types[rnd(16)] : rnd(256);
	p[1] = rnd(p[0] == 1 ? 8 : 4);
	len = 8 + build_err_inner(p + 8, room - 8 < 1200 ? room - 8 : 1200,
				  true, depth);
	if (p[0] == 2)
		put16(p + 6, chance(50) ? 1280 : rnd(65536));
	if (p[0] == 4)
		put_v4(p + 4, chance(50) ? rnd(48) : (uint32_t)rnd64());
	/* RFC 4884 length, in 64-bit words. */
	if ((p[0] == 1 || p[0] == 3) && chance(30))
		p[4] = chance(50) ? (len - 8) / 8 : rnd(256);
	return len;
}

/* An IPv4 packet at p (room bytes at most), checksums valid. */
static unsigned int build_v4(uint8_t *p, unsigned int room, int depth)
{
	unsigned int hl = 20, len, kind = rnd(L4_MAX);
	uint8_t proto;

	if (room < 28)
		room = 28;
	memset(p, 0, 20);
	if (chance(15))
		hl += build_v4_opts(p + 20);
	p[0] = 0x40 | hl / 4;
	p[1] = chance(80) ? 0 : rnd(256);
	rnd_bytes(p + 4, 2);
	if (chance(40))
		p[6] = 0x40;			/* DF */
	p[8] = depth ? 64 : pick_ttl();
	if (depth) {		/* inner: from the error's destination */
		put_v4(p + 12, v4_dst);
		put_v4(p + 16, v4_src);
	} else {
		put_v4(p + 12, chance(95) ? v4_src : odd_v4());
		put_v4(p + 16, chance(90) ? v4_dst : odd_v4());
	}
	if (depth > 2 && kind == L4_ERR)
		kind = L4_UDP;
	switch (kind) {
	case L4_TCP:
		proto = 6;
		len = build_tcp(p + hl, room - hl);
		break;
	case L4_UDP:
		proto = 17;
		len = build_udp(p + hl, room - hl);
		break;
	case L4_ECHO:
	case L4_ERR:
		proto = 1;
		len = build_icmp4(p + hl, room - hl, kind, depth);
		break;
	default:
		proto = (uint8_t[]){ 2, 47, 50, 51, 132, 41, 0, 255,
				     4, 58, 43, 44, 60 }[rnd(13)];
		len = rnd_len(room - hl);
		rnd_bytes(p + hl, len);
		break;
	}
	p[9] = proto;
	len += hl;
	put16(p + 2, len);
	/* Fragments: first, middle, last, tiny, overlapping. */
	if (chance(12)) {
		unsigned int off = chance(40) ? 0 : (chance(50) ? 1 : rnd(8192));
		bool mf = chance(60);

		if (!off && !mf)
			mf = true;
		p[6] = (mf ? 0x20 : 0) | (off >> 8);
		p[7] = off;
		if (chance(30) && len > hl + 8) {	/* tiny */
			len = hl + 8;
			put16(p + 2, len);
		}
	}
	finish_l4(p, hl, len, proto, false);
	/* Zero UDP checksum, whole datagram or fragment. */
	if (proto == 17 && chance(10) && len >= hl + 8)
		p[hl + 6] = p[hl + 7] = 0;
	put16(p + 10, 0);
	put16(p + 10, ~csum_fold(csum_add(0, p, hl)));
	return len;
}

/* Checksum of TCP, UDP, ICMP, ICMPv6 in an unfragmented (or first
 * fragment) packet whose L4 header starts at l3len.
 */
static void finish_l4(uint8_t *ip, unsigned int l3len, unsigned int len,
		      uint8_t proto, bool v6)
{
	uint8_t *l4 = ip + l3len;
	unsigned int l4len = len - l3len, co;
	uint32_t sum;

	switch (proto) {
	case 6:
		co = 16;
		break;
	case 17:
		co = 6;
		break;
	case 1:
	case 58:
		co = 2;
		break;
	default:
		return;
	}
	if (l4len < co + 2)
		return;
	put16(l4 + co, 0);
	if (proto == 1)
		sum = 0;
	else
		sum = v6 ? pseudo6(ip, l4len, proto) :
			   pseudo4(ip, l4len, proto);
	sum = csum_add(sum, l4, l4len);
	put16(l4 + co, ~csum_fold(sum));
	if (proto == 17 && !get16(l4 + co))
		put16(l4 + co, 0xffff);
}

/* ---- IPv6 ---- */
/* Extension header chain at p, next header of the last one in *nh. */
static unsigned int build_v6_ext(uint8_t *p, uint8_t *first, uint8_t last,
				 bool *frag)
{
	static const uint8_t ext[] = { 0, 60, 43, 44, 60, 43, 0, 51 };
	unsigned int n = chance(85) ? 1 + rnd(3) : 1 + rnd(20), i, len = 0;
	uint8_t *nhp = first;

	for (i = 0; i < n && len < 600; i++) {
		uint8_t t = ext[rnd(8)], *h = p + len;
		unsigned int hl;

		if (i == 0 && chance(40))
			t = 0;
		*nhp = t;
		nhp = h;
		switch (t) {
		case 44:
			memset(h, 0, 8);
			if (chance(70)) {
				unsigned int off = chance(50) ? 0 : rnd(8192);

				put16(h + 2, off << 3 | (chance(60) ? 1 : 0));
			}
			rnd_bytes(h + 4, 4);
			*frag = true;
			hl = 8;
			break;
		case 43:	/* routing: type 0, 2, 3, 4; segments left */
			hl = 8 * (1 + (chance(50) ? 2 : rnd(4)));
			rnd_bytes(h, hl);
			h[1] = hl / 8 - 1;
			h[2] = (uint8_t[]){ 0, 2, 3, 4, 253 }[rnd(5)];
			h[3] = chance(60) ? 0 : rnd(5);
			break;
		case 51:	/* AH: length in 32-bit words minus 2 */
			hl = 12 + 4 * rnd(3);
			rnd_bytes(h, hl);
			h[1] = hl / 4 - 2;
			break;
		default:	/* HBH, DST: padding, router alert, junk */
			hl = 8 * (1 + rnd(3));
			memset(h, 0, hl);
			h[1] = hl / 8 - 1;
			if (chance(30)) {
				h[2] = 5;		/* router alert */
				h[3] = 2;
				h[6] = 1;		/* PadN rest */
				h[7] = hl - 8;
				if (hl == 8)
					h[6] = h[7] = 0;
			} else if (chance(30)) {
				rnd_bytes(h + 2, hl - 2);
			} else {
				h[2] = 1;
				h[3] = hl - 4;
			}
			break;
		}
		len += hl;
	}
	*nhp = last;
	return len;
}

static unsigned int build_v6(uint8_t *p, unsigned int room, int depth)
{
	unsigned int el = 0, len, kind = rnd(L4_MAX), l4len;
	bool frag = false;
	uint8_t proto, nh;

	if (room < 48)
		room = 48;
	memset(p, 0, 40);
	p[0] = 0x60;
	if (chance(20))
		rnd_bytes(p + 1, 3), p[0] = 0x60 | (p[1] >> 4);
	p[7] = depth ? 64 : pick_ttl();
	if (depth) {
		embed(p + 8, v4_dst);
		embed(p + 24, v4_src);
	} else {
		if (chance(95))
			embed(p + 8, v4_dst);
		else
			odd_v6(p + 8);
		if (chance(90))
			embed(p + 24, v4_src);
		else
			odd_v6(p + 24);
		/* Errors from routers outside the prefix. */
		if (kind == L4_ERR && chance(30))
			memcpy(p + 8, v6_rtr, 16), p[23] = rnd(4);
	}
	if (depth > 2 && kind == L4_ERR)
		kind = L4_UDP;
	switch (kind) {
	case L4_TCP:
		proto = 6;
		break;
	case L4_UDP:
		proto = 17;
		break;
	case L4_ECHO:
	case L4_ERR:
		proto = 58;
		break;
	default:
		proto = (uint8_t[]){ 59, 50, 132, 47, 4, 41, 1, 135,
				     253 }[rnd(9)];
		break;
	}
	if (chance(depth ? 10 : 35))
		el = build_v6_ext(p + 40, &nh, proto, &frag);
	else
		nh = proto;
	p[6] = nh;
	room -= 40 + el;
	if (room < 8)
		room = 8;
	switch (kind) {
	case L4_TCP:
		l4len = build_tcp(p + 40 + el, room);
		break;
	case L4_UDP:
		l4len = build_udp(p + 40 + el, room);
		break;
	case L4_ECHO:
	case L4_ERR:
		l4len = build_icmp6(p + 40 + el, room, kind, depth);
		break;
	default:
		l4len = rnd_len(room);
		rnd_bytes(p + 40 + el, l4len);
		break;
	}
	len = 40 + el + l4len;
	put16(p + 4, len - 40);
	/* A plain fragment header right before the payload. */
	if (!el && chance(12)) {
		unsigned int off = chance(40) ? 0 : (chance(50) ? 1 : rnd(8192));

		memmove(p + 48, p + 40, l4len);
		p[6] = 44;
		p[40] = proto;
		p[41] = 0;
		put16(p + 42, off << 3 | (chance(60) || !off ? 1 : 0));
		rnd_bytes(p + 44, 4);
		el = 8;
		len += 8;
		if (chance(30) && l4len > 8) {		/* tiny */
			len = 56;
			l4len = 8;
		}
		put16(p + 4, len - 40);
		frag = true;
	}
	finish_l4(p, 40 + el, len, proto, true);
	if (proto == 17 && chance(8) && l4len >= 8)	/* invalid in IPv6 */
		p[40 + el + 6] = p[40 + el + 7] = 0;
	(void)frag;
	return len;
}

/* ---- the sender's record of each packet's transport checksum ---- */
struct rec {
	uint64_t key;
	uint16_t err;		/* checksum residual */
	uint8_t flags;		/* REC_* */
};

#define REC_ULEN	1	/* UDP length not the IP payload length */
#define REC_DOFF	2	/* TCP data offset past the end */
/* Open addressing, REC_PROBE slots per key, a quarter full at a million
 * packets: a record is not overwritten before its packet comes back.
 */
#define REC_SLOTS	(1u << 22)
#define REC_PROBE	8
static struct rec *recs;

static uint64_t fnv(uint64_t h, const uint8_t *p, unsigned int n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The key of a transport segment: its addresses as IPv4, its length and
 * the bytes a translation does not change.
 */
static uint64_t l4_key(uint32_t s, uint32_t d, int cls,
		       const uint8_t *l4, unsigned int l4len)
{
	uint8_t hdr[13];
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int skip = cls == 6 ? 16 : cls == 17 ? 6 : 0;

	put_v4(hdr, s);
	put_v4(hdr + 4, d);
	put_v4(hdr + 8, l4len);
	hdr[12] = cls;
	h = fnv(h, hdr, sizeof(hdr));
	if (cls == 1) {			/* ICMP: type, code, csum change */
		return l4len > 4 ? fnv(h, l4 + 4, l4len - 4) : h;
	}
	h = fnv(h, l4, skip < l4len ? skip : l4len);
	if (skip + 2 < l4len)
		h = fnv(h, l4 + skip + 2, l4len - skip - 2);
	return h;
}

struct l4info {
	bool ok;		/* a whole, unfragmented transport segment */
	int cls;		/* 6, 17, 1 (ICMP or ICMPv6) */
	uint32_t s, d;		/* addresses as IPv4 */
	const uint8_t *l4;
	unsigned int l4len;
	uint16_t err;
	uint8_t flags;
	uint8_t type;		/* ICMP type */
};

/* Transport checks shared by the two families. */
static void l4_check(struct l4info *li, uint32_t psum_base, bool v6)
{
	const uint8_t *l4 = li->l4;
	unsigned int n = li->l4len, ulen;
	uint32_t sum;

	li->err = 0;
	li->flags = 0;
	switch (li->cls) {
	case 6:
		if (n < 20)
			return;
		if ((l4[12] >> 4) * 4 > n)
			li->flags |= REC_DOFF;
		sum = psum_base + n + 6;
		li->err = residual(csum_add(sum, l4, n));
		break;
	case 17:
		if (n < 8)
			return;
		ulen = get16(l4 + 4);
		if (ulen != n)
			li->flags |= REC_ULEN;
		if (ulen < 8 || ulen > n)
			return;		/* no checksum can be computed */
		if (!get16(l4 + 6) && !v6)
			return;		/* IPv4 UDP without checksum */
		sum = psum_base + ulen + 17;
		li->err = residual(csum_add(sum, l4, ulen));
		break;
	default:
		if (n < 4)
			return;
		sum = v6 ? psum_base + n + 58 : 0;
		li->err = residual(csum_add(sum, l4, n));
		break;
	}
}

/* Parse an IPv4 packet the way the translator does, for the record. */
static bool parse4(const uint8_t *p, unsigned int len, struct l4info *li)
{
	unsigned int hl, tl;

	memset(li, 0, sizeof(*li));
	if (len < 20 || p[0] >> 4 != 4)
		return false;
	hl = (p[0] & 15) * 4;
	tl = get16(p + 2);
	if (hl < 20 || tl < hl || tl > len)
		return false;
	if (get16(p + 6) & 0x3fff)
		return false;
	li->cls = p[9] == 1 ? 1 : p[9];
	if (li->cls != 6 && li->cls != 17 && li->cls != 1)
		return false;
	li->s = get_v4(p + 12);
	li->d = get_v4(p + 16);
	li->l4 = p + hl;
	li->l4len = tl - hl;
	li->type = li->l4len ? li->l4[0] : 0;
	l4_check(li, csum_add(0, p + 12, 8), false);
	li->ok = true;
	return true;
}

/* IPv6: walk HBH, DST, routing and fragment headers. */
static bool parse6(const uint8_t *p, unsigned int len, struct l4info *li,
		   bool *bad_chain)
{
	unsigned int off = 40, end, n;
	uint8_t nh;
	bool frag = false;

	memset(li, 0, sizeof(*li));
	*bad_chain = false;
	if (len < 40 || p[0] >> 4 != 6)
		return false;
	end = 40 + get16(p + 4);
	if (end > len)
		return false;
	nh = p[6];
	for (n = 0; n < 64; n++) {
		if (nh == 0 || nh == 60 || nh == 43) {
			if (nh == 0 && n)
				*bad_chain = true;
			if (off + 8 > end) {
				*bad_chain = true;
				return false;
			}
			nh = p[off];
			off += 8 * (p[off + 1] + 1);
			if (off > end) {
				*bad_chain = true;
				return false;
			}
		} else if (nh == 44) {
			if (off + 8 > end) {
				*bad_chain = true;
				return false;
			}
			if (get16(p + off + 2) & 0xfff9)
				frag = true;
			nh = p[off];
			off += 8;
			if (get16(p + off - 6) & 0xfff8)
				break;	/* past the first: payload */
		} else {
			break;
		}
	}
	if (frag)
		return false;
	li->cls = nh == 58 ? 1 : nh;
	if (li->cls != 6 && li->cls != 17 && li->cls != 1)
		return false;
	li->s = get_v4(p + 20);
	li->d = get_v4(p + 36);
	li->l4 = p + off;
	li->l4len = end - off;
	li->type = li->l4len ? li->l4[0] : 0;
	l4_check(li, csum_add(0, p + 8, 32), true);
	li->ok = true;
	return true;
}

static void record(const uint8_t *ip, unsigned int len)
{
	struct l4info li;
	unsigned int i;
	bool bc;
	struct rec *r;
	uint64_t k;

	if (mode_to ? !parse4(ip, len, &li) : !parse6(ip, len, &li, &bc))
		return;
	/* ICMP errors are rebuilt, not updated: no carried-over defect. */
	if (li.cls == 1 && !(li.type == 0 || li.type == 8 ||
			     li.type == 128 || li.type == 129))
		return;
	k = l4_key(li.s, li.d, li.cls, li.l4, li.l4len);
	for (i = 0; i < REC_PROBE; i++) {
		r = &recs[(k + i) & (REC_SLOTS - 1)];
		if (!r->key || (r->key == k && r->err == li.err &&
				r->flags == li.flags))
			break;
	}
	if (i == REC_PROBE)
		r = &recs[k & (REC_SLOTS - 1)];
	r->key = k;
	r->err = li.err;
	r->flags = li.flags;
	/* An IPv4 UDP datagram without checksum gets one computed. */
	if (mode_to && li.cls == 17 && li.l4len >= 8 && !get16(li.l4 + 6))
		r->err = 0;
}

/* ---- the packet generator ---- */
static uint64_t seed;

/* Frame N: Ethernet header (without addresses) and packet into f. */
static unsigned int gen_frame(uint64_t idx, uint8_t *f, bool *other)
{
	uint8_t *p = f + ETH_HLEN_;
	unsigned int len, hl, i, n, cap;
	bool v6;

	rng_state = seed ^ (idx * 0xd1342543de82ef95ULL);
	rnd64();
	*other = chance(1);
	v6 = mode_to == *other;
	/* No IPv4 packet gets the translator to fragment (above 1280 as
	 * IPv6); IPv6 ones stay below the IPv4 link MTU.
	 */
	cap = v6 ? 1400 : 1200;
	memset(p, 0, cap);
	len = v6 ? build_v6(p, cap, 0) : build_v4(p, cap, 0);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	if (*other) {
		/* A plain UDP packet of the other family, to an address rtr
		 * has no route for: it reaches neither the translator nor
		 * the far side, and no input error counter of rtr.
		 */
		hl = v6 ? 40 : 20;
		memset(p, 0, hl);
		len = hl + build_udp(p + hl, 64);
		if (v6) {
			p[0] = 0x60;
			put16(p + 4, len - 40);
			p[6] = 17;
			p[7] = 64;
			p[8] = p[24] = 0x3f;
			p[23] = p[39] = 1;
		} else {
			p[0] = 0x45;
			put16(p + 2, len);
			p[8] = 64;
			p[9] = 17;
			put_v4(p + 12, 0xcb007100 | rnd(256));
			put_v4(p + 16, 0xcb007100 | rnd(256));
			put16(p + 10, ~csum_fold(csum_add(0, p, 20)));
		}
		finish_l4(p, hl, len, 17, v6);
		return ETH_HLEN_ + len;
	}
	hl = v6 ? 40 : (p[0] & 15) * 4;

	/* Lying length fields, then maybe fixed checksums. */
	if (chance(8)) {
		unsigned int v = chance(50) ? len - hl + rnd(17) - 8 : rnd(65536);

		if (v6)
			put16(p + 4, v);
		else
			put16(p + 2, v + hl);
	}
	if (!v6 && chance(4))
		p[0] = 0x40 | rnd(16);
	if (chance(6)) {	/* transport length fields */
		unsigned int l4 = v6 ? 40 : hl;

		if (len > l4 + 13 && p[v6 ? 6 : 9] == 6)
			p[l4 + 12] = rnd(16) << 4;
		else if (len > l4 + 8 && p[v6 ? 6 : 9] == 17)
			put16(p + l4 + 4, chance(50) ? rnd(65536) :
					  get16(p + l4 + 4) + rnd(17) - 8);
		if (chance(50) && len >= l4)
			finish_l4(p, l4, len, p[v6 ? 6 : 9], v6);
	}
	if (chance(4) && len > hl + 8)	/* bad transport checksum */
		p[hl + (rnd(2) ? 2 : 6)] ^= 1 + rnd(255);
	/* Bit flips anywhere. */
	if (chance(25)) {
		n = 1 + rnd(4);
		for (i = 0; i < n && len; i++)
			p[rnd(len)] ^= 1 << rnd(8);
	}
	if (!v6 && len >= 20 && (p[0] & 15) >= 5 &&
	    (p[0] & 15) * 4u <= len && !chance(4)) {
		put16(p + 10, 0);
		put16(p + 10, ~csum_fold(csum_add(0, p, (p[0] & 15) * 4)));
	}
	/* Truncation at any offset, trailing bytes. */
	if (chance(12))
		len = rnd(len + 1);
	else if (chance(4)) {
		n = 1 + rnd(64);
		rnd_bytes(p + len, n);
		len += n;
	}
	return ETH_HLEN_ + len;
}

/* ---- the checker ---- */
struct stats {
	uint64_t sent, sent_other, rx, rx_ok, rx_inherited, rx_bad;
	uint64_t back, back_bad, rx_drops;
};

static struct stats st;
static int bad_shown;
static int bad_show_max = 5;

/* How often each defect was seen, by side. */
#define WHY_MAX	32
static struct {
	const char *side, *why;
	uint64_t n;
} whys[WHY_MAX];

static void count_why(const char *side, const char *why)
{
	int i;

	for (i = 0; i < WHY_MAX && whys[i].why; i++)
		if (whys[i].why == why && whys[i].side == side)
			break;
	if (i == WHY_MAX)
		return;
	whys[i].side = side;
	whys[i].why = why;
	whys[i].n++;
}

static void show_bad(const char *side, const char *why, const uint8_t *p,
		     unsigned int len)
{
	static int shown_back;
	unsigned int i;

	count_why(side, why);

	if (*side == 's' ? shown_back++ >= bad_show_max :
			   bad_shown++ >= bad_show_max)
		return;
	printf("# bad %s: %s, %u bytes:", side, why, len);
	for (i = 0; i < len && i < 160; i++)
		printf("%s%02x", i % 32 ? "" : "\n#   ", p[i]);
	printf("\n");
}

static bool addr4_bad(uint32_t a)
{
	/* Class E (240/4) is reserved, not invalid: not checked. */
	return !(a >> 24) || a >> 24 == 127 || (a >> 28) == 14;
}

/* Check a packet; return NULL if well-formed, else the defect.  *inh is
 * set when every defect found was carried over from the input.
 */
static const char *check(const uint8_t *p, unsigned int len, bool v6,
			 bool translated, bool *inh)
{
	struct l4info li;
	const struct rec *r;
	unsigned int hl, tl;
	bool bc;

	*inh = false;
	if (!v6) {
		if (len < 20)
			return "IPv4: shorter than a header";
		if (p[0] >> 4 != 4)
			return "IPv4: version";
		hl = (p[0] & 15) * 4;
		if (hl < 20 || hl > len)
			return "IPv4: ihl";
		if (translated && hl != 20)
			return "IPv4: options in a translated packet";
		if (csum_fold(csum_add(0, p, hl)) != 0xffff)
			return "IPv4: header checksum";
		tl = get16(p + 2);
		if (tl < hl || tl > len)
			return "IPv4: total length past the frame";
		if (tl < len && len > 46)
			return "IPv4: bytes past the total length";
		if (!p[8])
			return "IPv4: TTL 0";
		if (addr4_bad(get_v4(p + 12)) || get_v4(p + 12) == 0xffffffff)
			return "IPv4: source address";
		if (!(get_v4(p + 16) >> 24) || get_v4(p + 16) >> 24 == 127)
			return "IPv4: destination address";
		if (!parse4(p, tl, &li))
			return NULL;		/* fragment or other protocol */
	} else {
		if (len < 40)
			return "IPv6: shorter than a header";
		if (p[0] >> 4 != 6)
			return "IPv6: version";
		if (40u + get16(p + 4) != len)
			return "IPv6: payload length is not the frame's";
		if (!p[7])
			return "IPv6: hop limit 0";
		if (p[8] == 0xff)
			return "IPv6: multicast source";
		if (!memcmp(p + 8, (uint8_t[16]){ 0 }, 15) && p[23] <= 1)
			return "IPv6: unspecified or loopback source";
		if (!memcmp(p + 24, (uint8_t[16]){ 0 }, 15) && p[39] <= 1)
			return "IPv6: unspecified or loopback destination";
		/* RFC 7915 section 4.1: at most a fragment header.  AH (51)
		 * is an IPv4 protocol too and is copied like any other.
		 */
		if (translated && (p[6] == 0 || p[6] == 43 || p[6] == 60 ||
				   (p[6] == 44 && len >= 48 &&
				    (p[40] == 0 || p[40] == 43 || p[40] == 44 ||
				     p[40] == 60))))
			return "IPv6: extension header in a translated packet";
		if (!parse6(p, len, &li, &bc)) {
			if (bc)
				return "IPv6: extension header chain";
			return NULL;
		}
	}
	if (li.cls == 6 && li.l4len < 20)
		return "TCP: truncated header";
	if (li.cls == 17 && li.l4len < 8)
		return "UDP: truncated header";
	if (li.cls == 1 && li.l4len < 8)
		return "ICMP: truncated header";
	if (li.cls == 1) {
		static const uint8_t ok4[] = { 0, 8, 3, 11, 12 };
		static const uint8_t ok6[] = { 128, 129, 1, 2, 3, 4 };

		if (!memchr(v6 ? ok6 : ok4, li.type, v6 ? 6 : 5) &&
		    translated)
			return "ICMP: type a translator does not send";
	}
	if (v6 && li.cls == 17 && !get16(li.l4 + 6))
		return "UDP: zero checksum in IPv6";
	if (!li.err && !li.flags)
		return NULL;
	/* Carried over from the input? */
	if (translated) {
		uint64_t k = l4_key(li.s, li.d, li.cls, li.l4, li.l4len);
		unsigned int i;

		for (i = 0; i < REC_PROBE; i++) {
			r = &recs[(k + i) & (REC_SLOTS - 1)];
			if (!r->key)
				break;
			if (r->key == k && r->err == li.err &&
			    r->flags == li.flags) {
				*inh = true;
				return NULL;
			}
		}
	}
	if (li.flags & REC_DOFF)
		return "TCP: data offset past the end";
	if (li.flags & REC_ULEN)
		return "UDP: length is not the payload length";
	return li.cls == 6 ? "TCP: checksum" : li.cls == 17 ?
	       "UDP: checksum" : "ICMP: checksum";
}

/* ---- sockets ---- */
static int sock_in_ns(const char *ns, const char *dev, int *ifindex)
{
	char path[256];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, nsfd, self, sz = 64 << 20;

	self = open("/proc/self/ns/net", O_RDONLY);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY);
	if (self < 0 || nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
		perror(path);
		exit(2);
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	*ifindex = if_nametoindex(dev);
	if (!*ifindex) {
		perror(dev);
		exit(2);
	}
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = *ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("bind");
		exit(2);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (setns(self, CLONE_NEWNET)) {
		perror("setns back");
		exit(2);
	}
	close(self);
	close(nsfd);
	return fd;
}

static uint8_t rxbuf[BATCH][FRAME_MAX];

/* Read what is queued on fd; far: the far side, else the sending side. */
static unsigned int drain(int fd, bool far)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll from[BATCH];
	unsigned int total = 0;
	int n, i;

	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = rxbuf[i];
			iov[i].iov_len = FRAME_MAX;
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return total;
		total += n;
		for (i = 0; i < n; i++) {
			const uint8_t *f = rxbuf[i];
			unsigned int len = m[i].msg_len;
			uint16_t et;
			const char *why;
			bool v6, inh;

			if (from[i].sll_pkttype == PACKET_OUTGOING ||
			    len < ETH_HLEN_)
				continue;
			et = get16(f + 12);
			if (et != 0x0800 && et != 0x86dd)
				continue;
			v6 = et == 0x86dd;
			f += ETH_HLEN_;
			len -= ETH_HLEN_;
			if (far) {
				if (v6 != mode_to)
					continue;
				/* The router's own neighbour discovery (hop
				 * limit 255: never forwarded), e.g. for the
				 * other family's frames it routes: not a
				 * translation.
				 */
				if (v6 && len >= 41 && f[7] == 255 && f[6] == 58 &&
				    f[40] >= 133 && f[40] <= 137)
					continue;
				st.rx++;
				why = check(f, len, v6, true, &inh);
				if (why) {
					st.rx_bad++;
					show_bad("far side", why, f, len);
				} else if (inh) {
					st.rx_inherited++;
				} else {
					st.rx_ok++;
				}
				continue;
			}
			/* Back on the sending side: the router's own ICMP. */
			if (v6 ? len < 40 || memcmp(f + 8, v6_rtr, 16) ||
				 f[6] != 58 :
				 len < 20 || get_v4(f + 12) != v4_rtr ||
				 f[9] != 1)
				continue;
			st.back++;
			why = check(f, len, v6, false, &inh);
			if (why) {
				st.back_bad++;
				show_bad("sending side", why, f, len);
			}
		}
	}
}

static void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int m[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6) {
		fprintf(stderr, "bad MAC %s\n", s);
		exit(2);
	}
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xlat-fuzz -m to|from -s SEED -n COUNT -t TXNS:TXDEV:RTRMAC -r RXNS:RXDEV [-p PREFIX] [-q]\n"
		"       xlat-fuzz -m to|from -s SEED -x INDEX\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME_MAX];
	char *tx = NULL, *rx = NULL, *txdev, *rxdev, *mac;
	uint64_t count = 0, idx = 0, dump = UINT64_MAX, selftest = 0;
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	uint8_t rtr_mac[6], a6[16];
	struct tpacket_stats ps;
	socklen_t pl = sizeof(ps);
	int txfd, rxfd, txif, rxif, opt, i, n, done;
	const char *mode = NULL;
	double t0, t1;
	bool other;

	inet_pton(AF_INET6, "2001:db8:64::", a6);
	while ((opt = getopt(argc, argv, "m:s:n:t:r:p:x:d:T:")) != -1) {
		switch (opt) {
		case 'm':
			mode = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 't':
			tx = optarg;
			break;
		case 'r':
			rx = optarg;
			break;
		case 'p':
			if (inet_pton(AF_INET6, optarg, a6) != 1)
				usage();
			break;
		case 'x':
			dump = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			bad_show_max = atoi(optarg);
			break;
		case 'T':
			selftest = strtoull(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!mode || (strcmp(mode, "to") && strcmp(mode, "from")))
		usage();
	mode_to = !strcmp(mode, "to");
	memcpy(pfx, a6, 12);

	if (selftest) {
		/* The checker on the generated packets themselves. */
		uint64_t k, ok = 0, inh = 0;
		bool ih;

		recs = calloc(REC_SLOTS, sizeof(*recs));
		for (k = 0; k < selftest; k++) {
			unsigned int len = gen_frame(k, frames[0], &other);
			const char *why;

			if (other)
				continue;
			record(frames[0] + ETH_HLEN_, len - ETH_HLEN_);
			why = check(frames[0] + ETH_HLEN_, len - ETH_HLEN_,
				    !mode_to, true, &ih);
			if (!why)
				ih ? inh++ : ok++;
			else
				printf("%s\n", why);
		}
		printf("ok %llu inherited %llu\n", (unsigned long long)ok,
		       (unsigned long long)inh);
		return 0;
	}
	if (dump != UINT64_MAX) {
		unsigned int len = gen_frame(dump, frames[0], &other), j;

		printf("# seed %llu packet %llu%s, %u bytes from the IP header\n",
		       (unsigned long long)seed, (unsigned long long)dump,
		       other ? " (other family)" : "", len - ETH_HLEN_);
		for (j = ETH_HLEN_; j < len; j++)
			printf("%02x", frames[0][j]);
		printf("\n");
		return 0;
	}
	if (!tx || !rx || !count)
		usage();
	txdev = strchr(tx, ':');
	rxdev = strchr(rx, ':');
	if (!txdev || !rxdev)
		usage();
	*txdev++ = 0;
	*rxdev++ = 0;
	mac = strchr(txdev, ':');
	if (!mac)
		usage();
	*mac++ = 0;
	parse_mac(mac, rtr_mac);

	recs = calloc(REC_SLOTS, sizeof(*recs));
	if (!recs)
		return 2;
	rxfd = sock_in_ns(rx, rxdev, &rxif);
	txfd = sock_in_ns(tx, txdev, &txif);
	drain(rxfd, true);
	drain(txfd, false);
	memset(&st, 0, sizeof(st));

	printf("seed %llu\nmode %s\n", (unsigned long long)seed, mode);
	fflush(stdout);
	t0 = now();
	while (idx < count) {
		n = count - idx < BATCH ? count - idx : BATCH;
		for (i = 0; i < n; i++) {
			unsigned int len = gen_frame(idx + i, frames[i],
						     &other);

			memcpy(frames[i], rtr_mac, 6);
			memcpy(frames[i] + 6, gen_mac, 6);
			if (other)
				st.sent_other++;
			else
				record(frames[i] + ETH_HLEN_,
				       len - ETH_HLEN_);
			iov[i].iov_base = frames[i];
			iov[i].iov_len = len;
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		for (done = 0; done < n;) {
			int r = sendmmsg(txfd, m + done, n - done, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN) {
					drain(rxfd, true);
					usleep(1000);
					continue;
				}
				perror("sendmmsg");
				return 2;
			}
			done += r;
		}
		idx += n;
		st.sent += n;
		drain(rxfd, true);
		drain(txfd, false);
	}
	/* Let the last packets through. */
	for (i = 0; i < 20; i++) {
		struct pollfd pfd = { .fd = rxfd, .events = POLLIN };

		drain(txfd, false);
		if (poll(&pfd, 1, 100) <= 0 && i > 3)
			break;
		drain(rxfd, true);
	}
	t1 = now();
	if (!getsockopt(rxfd, SOL_PACKET, PACKET_STATISTICS, &ps, &pl))
		st.rx_drops = ps.tp_drops;

	printf("sent %llu\nsent_other_family %llu\n",
	       (unsigned long long)st.sent, (unsigned long long)st.sent_other);
	printf("far_received %llu\nfar_ok %llu\nfar_inherited %llu\nfar_bad %llu\n",
	       (unsigned long long)st.rx, (unsigned long long)st.rx_ok,
	       (unsigned long long)st.rx_inherited,
	       (unsigned long long)st.rx_bad);
	printf("far_socket_drops %llu\nback_icmp %llu\nback_bad %llu\n",
	       (unsigned long long)st.rx_drops, (unsigned long long)st.back,
	       (unsigned long long)st.back_bad);
	printf("seconds %.1f\npps %.0f\n", t1 - t0,
	       st.sent / (t1 - t0 > 0 ? t1 - t0 : 1));
	for (i = 0; i < WHY_MAX && whys[i].why; i++)
		printf("# %llu x %s: %s\n", (unsigned long long)whys[i].n,
		       whys[i].side, whys[i].why);
	printf("result %s\n", st.rx_bad || st.back_bad ? "bad" : "ok");
	return 0;
}
