#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Reference translator and packet comparison for the nft_xlat selftests.

Builds, with scapy and independently of the kernel code, the packet that
RFC 7915 (with RFC 6052 addressing) prescribes for a given input packet,
and compares it byte for byte with what was captured behind the translator.
Only fields the RFC leaves to the translator are masked: the IPv4
Identification (and so the IPv4 header checksum, recomputed over it).

  xlat_ref.py send 6to4|4to6 IFACE DSTMAC OUT.pcap ...   craft and send
  xlat_ref.py verify 6to4|4to6 SENT.pcap GOT.pcap SPFX DPFX HOPS
"""
import ipaddress
import struct
import sys

SCAPY_NAMES = ('ICMP', 'IP', 'TCP', 'UDP', 'Ether', 'ICMPv6EchoReply',
               'ICMPv6EchoRequest', 'IPv6', 'Raw', 'rdpcap', 'sendp', 'wrpcap')


def _scapy():
    """Import scapy on first use: it takes ~20 s under TCG, and the address
    helpers and the byte-level reference below do not need it."""
    g = globals()
    if 'IP' not in g:
        from scapy import all as sa
        for n in SCAPY_NAMES:
            g[n] = getattr(sa, n)

# --- RFC 6052 section 2.2 ----------------------------------------------------


def embed(prefix, v4):
    """IPv4-embedded IPv6 address: the IPv4 bits skip the u-octet (64-71)."""
    net = ipaddress.IPv6Network(prefix)
    p = bytearray(net.network_address.packed)
    a = ipaddress.IPv4Address(v4).packed
    n = net.prefixlen // 8
    pos = n
    for b in a:
        if pos == 8:
            pos = 9          # u-octet stays zero
        p[pos] = b
        pos += 1
    return str(ipaddress.IPv6Address(bytes(p)))


def extract(prefix, v6):
    net = ipaddress.IPv6Network(prefix)
    b = ipaddress.IPv6Address(v6).packed
    assert ipaddress.IPv6Address(v6) in net, (v6, prefix)
    out, pos = [], net.prefixlen // 8
    while len(out) < 4:
        if pos == 8:
            pos = 9
        out.append(b[pos])
        pos += 1
    return str(ipaddress.IPv4Address(bytes(out)))


# --- RFC 7915 section 5 (IPv6 -> IPv4) and section 4 (IPv4 -> IPv6) --------

ICMP6_TO_4 = {128: 8, 129: 0}
ICMP4_TO_6 = {8: 128, 0: 129}


def l4_rebuilt(l4):
    """Same transport header and payload, checksum left for scapy to fill."""
    l4 = l4.copy()
    if hasattr(l4, 'chksum'):
        l4.chksum = None
    return l4


def expect_6to4(p6, spfx, dpfx, hops):
    _scapy()
    ip6 = p6[IPv6]
    l4 = ip6.payload
    if isinstance(l4, (ICMPv6EchoRequest, ICMPv6EchoReply)):
        l4 = ICMP(type=ICMP6_TO_4[l4.type], code=0, id=l4.id,
                  seq=l4.seq) / Raw(bytes(l4.data))
        proto = 1
    else:
        l4 = l4_rebuilt(l4)
        proto = ip6.nh
    total = 20 + len(bytes(l4))
    # RFC 7915 section 5.1 as updated by RFC 8021: DF only above 1260 bytes
    flags = 'DF' if total > 1260 else 0
    return IP(version=4, ihl=5, tos=ip6.tc, len=total, flags=flags, frag=0,
              ttl=ip6.hlim - hops, proto=proto,
              src=extract(spfx, ip6.src), dst=extract(dpfx, ip6.dst)) / l4


def expect_4to6(p4, spfx, dpfx, hops):
    _scapy()
    ip4 = p4[IP]
    l4 = ip4.payload
    if isinstance(l4, ICMP):
        echo = ICMPv6EchoRequest if ICMP4_TO_6[l4.type] == 128 \
            else ICMPv6EchoReply
        l4 = echo(id=l4.id, seq=l4.seq, data=bytes(l4.payload))
        nh = 58
    else:
        l4 = l4_rebuilt(l4)
        nh = ip4.proto
    return IPv6(version=6, tc=ip4.tos, fl=0, nh=nh, hlim=ip4.ttl - hops,
                src=embed(spfx, ip4.src), dst=embed(dpfx, ip4.dst)) / l4


def key(pkt):
    """What identifies a probe across translation: protocol, ports or id."""
    _scapy()
    l3 = pkt[IPv6] if IPv6 in pkt else pkt[IP]
    l4 = l3.payload
    if isinstance(l4, (TCP, UDP)):
        return (l4.name, l4.sport, l4.dport, len(l4.payload))
    if hasattr(l4, 'id') and hasattr(l4, 'seq'):
        # a request and its reply share id and seq
        request = l4.type in (8, 128)
        return ('echo-request' if request else 'echo-reply', l4.id, l4.seq)
    return None


def hexdiff(a, b):
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x != y:
            return 'first difference at byte %d: expected %s, got %s' % (
                i, 'end' if x is None else '%02x' % x,
                'end' if y is None else '%02x' % y)
    return 'identical'


def verify(direction, sent_pcap, got_pcap, spfx, dpfx, hops):
    _scapy()
    sent = [p for p in rdpcap(sent_pcap)]
    got = {}
    for p in rdpcap(got_pcap):
        want = IP if direction == '6to4' else IPv6
        if want in p and key(p) is not None:
            got.setdefault(key(p), bytes(p[want]))
    failures = 0
    for p in sent:
        if direction == '6to4':
            exp = expect_6to4(p, spfx, dpfx, hops)
        else:
            exp = expect_4to6(p, spfx, dpfx, hops)
        k = key(exp)
        name = '%s %s' % (direction, ' '.join(str(x) for x in k))
        raw = got.get(k)
        if raw is None:
            print('FAIL: %s: no translated packet captured' % name)
            failures += 1
            continue
        if direction == '6to4':
            # the Identification is the translator's to choose
            exp[IP].id = IP(raw).id
        exp = bytes(exp)
        if exp == raw:
            print('PASS: %s: %d bytes as RFC 7915 prescribes' %
                  (name, len(raw)))
        else:
            failures += 1
            print('FAIL: %s: %s' % (name, hexdiff(exp, raw)))
            print('  expected %s' % exp.hex())
            print('  got      %s' % raw.hex())
    return failures


# --- byte-level reference: RFC 7915 sections 4 and 5, from the RFC text ------
#
# x46() and x64() take one packet (bytes, from the IP header on) and return
# an Out: the packet RFC 7915 prescribes, or why there is none.  They are
# written from the RFC text alone (RFC 7915 with RFC 8021, RFC 6052 section
# 2.2, RFC 6791/7600, RFC 4884) and share nothing with the kernel code.
#
# Choices where the RFC leaves room, so that tests can name them:
# - IPv4 Identification of an unfragmented 6->4 packet (outer or inner
#   header of an ICMP error) is the translator's: Out.masks lists the
#   offsets of those headers; apply_masks() copies the captured value.
# - Frag Needed with MTU 0 (section 4.2): the RFC 1191 plateau below the
#   quoted Total Length then goes through the same formula as a real MTU,
#   max(1280, min(MTU + 20, MTU of the IPv6 next hop, MTU of the IPv4 next
#   hop + 20)).
# - The source of an ICMPv6 error that has no IPv4 form: 192.0.0.8 (RFC 7600
#   as the RFC 6791 address, the project's default).

PLATEAUS = (65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68)


class Cfg:
    """One translator: its prefix and the figures RFC 7915 lets it know."""

    def __init__(self, pfx, hops=1, lowest_mtu6=1280, mtu4_out=1500,
                 mtu6_out=1500, icmp_src4='192.0.0.8', max_icmp4=576):
        self.pfx = pfx
        self.hops = hops              # routers the packet crosses (TTL - 1)
        self.lowest_mtu6 = lowest_mtu6
        self.mtu4_out = mtu4_out      # MTU of the IPv4 next hop
        self.mtu6_out = mtu6_out      # MTU of the IPv6 next hop
        self.icmp_src4 = icmp_src4
        self.max_icmp4 = max_icmp4


class Out:
    """What the translator must do with one packet.

    pkt: the packet it must send, or None; drop: the counter that says why
    it sends none ('' when the RFC leaves the reason unnamed); back: (type,
    code, pointer) of the error the translator must return to the sender;
    masks: offsets of IPv4 headers whose Identification is the translator's;
    fragment: pkt is too big for the lowest IPv6 MTU and must arrive as
    fragments of it; ident: the fragment identification they must carry.
    """

    def __init__(self, pkt=None, drop=None, back=None, masks=(),
                 fragment=False, ident=None):
        self.pkt, self.drop, self.back = pkt, drop, back
        self.masks, self.fragment, self.ident = list(masks), fragment, ident


def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def csum_update(hc, old, new):
    """RFC 1624 incremental update: HC' = ~(~HC + ~m + m')."""
    s = ~hc & 0xffff
    for i in range(0, len(old), 2):
        s += ~struct.unpack('!H', old[i:i + 2])[0] & 0xffff
    for i in range(0, len(new), 2):
        s += struct.unpack('!H', new[i:i + 2])[0]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a4(a):
    return ipaddress.IPv4Address(a).packed


def a6(a):
    return ipaddress.IPv6Address(a).packed


def ip4(src, dst, proto, tot, tos=0, ident=0, df=0, mf=0, off=0, ttl=64,
        opts=b''):
    """IPv4 header with a valid checksum; off in bytes."""
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | (5 + len(opts) // 4), tos, tot,
                    ident, (df << 14) | (mf << 13) | (off >> 3), ttl, proto,
                    0, a4(src), a4(dst)) + opts
    return h[:10] + struct.pack('!H', csum(h)) + h[12:]


def ip6(src, dst, nh, plen, tc=0, fl=0, hlim=64):
    return struct.pack('!IHBB16s16s', (6 << 28) | (tc << 20) | fl, plen, nh,
                       hlim, a6(src), a6(dst))


def frag6(nh, off, m, ident):
    return struct.pack('!BBHI', nh, 0, off | m, ident)


def pseudo4(src, dst, proto, length):
    return a4(src) + a4(dst) + struct.pack('!BBH', 0, proto, length)


def pseudo6(src, dst, nh, length):
    return a6(src) + a6(dst) + struct.pack('!I3xB', length, nh)


CSUM_AT = {6: 16, 17: 6, 58: 2, 1: 2}


def l4_csum(proto, l4, pseudo=b''):
    """l4 with its checksum computed over pseudo + l4."""
    o = CSUM_AT[proto]
    b = bytearray(l4)
    b[o:o + 2] = b'\0\0'
    c = csum(pseudo + bytes(b))
    if proto == 17 and c == 0:
        c = 0xffff
    b[o:o + 2] = struct.pack('!H', c)
    return bytes(b)


def l4_csum_update(proto, l4, old, new):
    """l4 with its checksum updated for old -> new words, if it holds one."""
    o = CSUM_AT[proto]
    if len(l4) < o + 2:
        return l4
    c = csum_update(struct.unpack('!H', l4[o:o + 2])[0], old, new)
    return l4[:o] + struct.pack('!H', c) + l4[o + 2:]


def in_prefix(pfx, v6):
    return ipaddress.IPv6Address(v6) in ipaddress.IPv6Network(pfx)


def s4(b):
    return str(ipaddress.IPv4Address(b))


def s6(b):
    return str(ipaddress.IPv6Address(b))


def source_route_unexpired(opts):
    """RFC 7915 4.1: an LSRR (131) or SSRR (137) whose pointer still points
    into the option."""
    i = 0
    while i < len(opts):
        t = opts[i]
        if t == 0:
            break
        if t == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        ln = opts[i + 1]
        if t in (131, 137) and i + 2 < len(opts) and opts[i + 2] <= ln:
            return True
        i += ln
    return False


# RFC 7915 4.2: Destination Unreachable codes -> (type, code); Figure 3.
DU4_TO_6 = {0: (1, 0), 1: (1, 0), 2: (4, 1), 3: (1, 4), 4: (2, 0),
            5: (1, 0), 6: (1, 0), 7: (1, 0), 8: (1, 0), 9: (1, 1),
            10: (1, 1), 11: (1, 0), 12: (1, 0), 13: (1, 1), 15: (1, 1)}
PTR4_TO_6 = {0: 0, 1: 1, 2: 4, 3: 4, 8: 7, 9: 6, 12: 8, 13: 8, 14: 8, 15: 8,
             16: 24, 17: 24, 18: 24, 19: 24}
# RFC 7915 5.2: Destination Unreachable codes; Figure 6.
DU6_TO_4 = {0: 1, 1: 10, 2: 1, 3: 1, 4: 3}
PTR6_TO_4 = dict([(0, 0), (1, 1), (4, 2), (5, 2), (6, 9), (7, 8)] +
                 [(i, 12) for i in range(8, 24)] +
                 [(i, 16) for i in range(24, 40)])


def pad(b, unit):
    """RFC 4884: the original datagram padded to unit, 128 octets at least."""
    n = max(128, -(-len(b) // unit) * unit)
    return b + b'\0' * (n - len(b))


def x46(p, cfg, inner=False):
    """RFC 7915 section 4: the IPv6 form of IPv4 packet p."""
    vihl, tos, tot, ident, fo, ttl, proto, _, src, dst = \
        struct.unpack('!BBHHHBBH4s4s', p[:20])
    ihl = (vihl & 15) * 4
    df, mf, off = fo >> 14 & 1, fo >> 13 & 1, (fo & 0x1fff) * 8
    data = p[ihl:] if inner else p[ihl:tot]
    l4len = tot - ihl
    if not inner and source_route_unexpired(p[20:ihl]):
        return Out(drop='drop_src_route', back=(3, 5, None))
    frag = bool(mf or off)
    src6, dst6 = embed(cfg.pfx, s4(src)), embed(cfg.pfx, s4(dst))
    hlim = ttl if inner else ttl - cfg.hops
    nh = proto
    if proto == 1:
        if frag:
            return Out(drop='drop_icmp_frag')
        r = x46_icmp(data, l4len, src6, dst6, cfg, inner)
        if isinstance(r, Out):
            return r
        data, nh = r, 58
        if not inner:
            l4len = len(data)
    elif proto == 2:
        return Out(drop='drop_icmp_type')  # IGMP: single-hop, dropped
    elif proto in (6, 17) and off == 0:
        zero = proto == 17 and len(data) >= 8 and data[6:8] == b'\0\0'
        if zero and (frag or not inner):
            if frag:               # 4.5: cannot be computed, drop
                return Out(drop='drop_udp_zero_csum')
            data = l4_csum(17, data, pseudo6(src6, dst6, 17, l4len))
        elif not zero:
            if inner or frag:      # what is there: update incrementally
                data = l4_csum_update(proto, data, src + dst,
                                      a6(src6) + a6(dst6))
            else:
                data = l4_csum(proto, data, pseudo6(src6, dst6, proto, l4len))
    if frag:
        return Out(ip6(src6, dst6, 44, 8 + l4len, tos, 0, hlim) +
                   frag6(nh, off, mf, ident) + data)
    pkt = ip6(src6, dst6, nh, l4len, tos, 0, hlim) + data
    if not inner and not df and len(pkt) > cfg.lowest_mtu6:
        return Out(pkt, fragment=True, ident=ident)
    return Out(pkt)


def x46_icmp(msg, l4len, src6, dst6, cfg, inner):
    """RFC 7915 4.2/4.3: the ICMPv6 form of ICMPv4 message msg (its
    checksum done), or an Out saying why there is none."""
    t, c, rest, body = msg[0], msg[1], msg[4:8], msg[8:]
    if t in (0, 8):
        new = bytes([129 if t == 0 else 128, 0]) + msg[2:]
        if inner and len(msg) < l4len:
            return l4_csum_update(58, new, msg[:2],
                                  new[:2] + pseudo6(src6, dst6, 58, l4len))
        return l4_csum(58, new, pseudo6(src6, dst6, 58, len(new)))
    if t not in (3, 11, 12):
        return Out(drop='drop_icmp_type')
    if inner:
        return Out(drop='drop_icmp_inner')
    ln = msg[5]
    orig, ext = (body[:ln * 4], body[ln * 4:]) if ln else (body, b'')
    rest6 = b'\0' * 4
    if t == 3:
        if c not in DU4_TO_6:
            return Out(drop='drop_icmp_type')
        nt, nc = DU4_TO_6[c]
        if c == 2:
            rest6 = struct.pack('!I', 6)     # pointer to Next Header
        elif c == 4:
            mtu = struct.unpack('!H', msg[6:8])[0]
            if mtu == 0:
                tl = struct.unpack('!H', orig[2:4])[0]
                mtu = max([x for x in PLATEAUS if x < tl] + [1280])
            mtu = max(1280, min(mtu + 20, cfg.mtu6_out, cfg.mtu4_out + 20))
            rest6 = struct.pack('!I', mtu)
    elif t == 11:
        nt, nc = 3, c
    else:
        if c not in (0, 2) or msg[4] not in PTR4_TO_6:
            return Out(drop='drop_icmp_type')
        nt, nc = 4, 0
        rest6 = struct.pack('!I', PTR4_TO_6[msg[4]])
    r = x46(orig, cfg, inner=True)
    if r.pkt is None:
        return Out(drop='drop_icmp_inner')
    body6 = r.pkt
    if ext and nt in (1, 3):
        body6 = pad(body6, 8)
        rest6 = bytes([len(body6) // 8]) + b'\0\0\0'
        body6 += ext
    new = (bytes([nt, nc, 0, 0]) + rest6 + body6)[:cfg.lowest_mtu6 - 40]
    return l4_csum(58, new, pseudo6(src6, dst6, 58, len(new)))


def ext_headers(p):
    """Walk the IPv6 extension headers RFC 7915 5.1 skips: (upper-layer
    protocol, its offset, fragment (offset, M, id) or None, offset of the
    Segments Left of a routing header with segments left, or None)."""
    nh, off, frag, segleft = p[6], 40, None, None
    while nh in (0, 43, 44, 60) and off + 8 <= len(p):
        if nh == 44:
            fnh, _, fo, fid = struct.unpack('!BBHI', p[off:off + 8])
            frag = (fo & 0xfff8, fo & 1, fid)
            nh, off = fnh, off + 8
            continue
        if nh == 43 and p[off + 3] and segleft is None:
            segleft = off + 3
        nh, off = p[off], off + (p[off + 1] + 1) * 8
    return nh, off, frag, segleft


def x64(p, cfg, inner=False):
    """RFC 7915 section 5: the IPv4 form of IPv6 packet p."""
    vtf, plen, _, hlim = struct.unpack('!IHBB', p[:8])
    src, dst = s6(p[8:24]), s6(p[24:40])
    tc = vtf >> 20 & 0xff
    nh, off, frag, segleft = ext_headers(p)
    if segleft is not None and not inner:
        return Out(drop='drop_routing_hdr', back=(4, 0, segleft))
    data = p[off:] if inner else p[off:40 + plen]
    l4len = plen - (off - 40)
    err = nh == 58 and len(data) > 0 and data[0] < 128 and not frag
    if in_prefix(cfg.pfx, src):
        src4 = extract(cfg.pfx, src)
    elif err and not inner:
        src4 = cfg.icmp_src4           # RFC 6791
    else:
        return Out(drop='drop_icmp_inner' if inner else 'pass_nomap')
    if not in_prefix(cfg.pfx, dst):
        return Out(drop='drop_icmp_inner' if inner else 'pass_nomap')
    dst4 = extract(cfg.pfx, dst)
    ttl = hlim if inner else hlim - cfg.hops
    masks = []
    proto = nh
    if nh == 58:
        if frag:
            return Out(drop='drop_icmp_frag')
        r = x64_icmp(data, l4len, src, dst, cfg, inner)
        if isinstance(r, Out):
            return r
        data, masks, proto = r[0], r[1], 1
        if not inner:
            l4len = len(data)
    elif nh in (6, 17) and (frag is None or frag[0] == 0):
        if inner or frag:
            data = l4_csum_update(nh, data, a6(src) + a6(dst),
                                  a4(src4) + a4(dst4))
        else:
            data = l4_csum(nh, data, pseudo4(src4, dst4, nh, l4len))
    tot = 20 + l4len
    if frag:                           # 5.1.1
        hdr = ip4(src4, dst4, proto, tot, tc, frag[2] & 0xffff, 0, frag[1],
                  frag[0], ttl)
    else:                              # 5.1 with RFC 8021
        hdr = ip4(src4, dst4, proto, tot, tc, 0, int(tot > 1260), 0, 0, ttl)
        masks = [0] + masks
    return Out(hdr + data, masks=masks)


def x64_icmp(msg, l4len, src, dst, cfg, inner):
    """RFC 7915 5.2/5.3: (ICMPv4 form of ICMPv6 message msg, offsets of the
    inner IPv4 headers whose Identification is free), or an Out."""
    t, c, rest, body = msg[0], msg[1], msg[4:8], msg[8:]
    if t in (128, 129):
        new = bytes([8 if t == 128 else 0, 0]) + msg[2:]
        if inner and len(msg) < l4len:
            return l4_csum_update(1, new, msg[:2] +
                                  pseudo6(src, dst, 58, l4len), new[:2]), []
        return l4_csum(1, new), []
    if t >= 128 or t not in (1, 2, 3, 4):
        return Out(drop='drop_icmp_type')
    if inner:
        return Out(drop='drop_icmp_inner')
    ln = msg[4] if t in (1, 3) else 0
    orig, ext = (body[:ln * 8], body[ln * 8:]) if ln else (body, b'')
    rest4 = b'\0' * 4
    if t == 1:
        if c not in DU6_TO_4:
            return Out(drop='drop_icmp_type')
        nt, nc = 3, DU6_TO_4[c]
    elif t == 2:
        nt, nc = 3, 4
        fh = 8 if len(orig) >= 40 and ext_headers(orig)[2] else 0
        mtu = min(struct.unpack('!I', rest)[0] - 20 - fh, cfg.mtu4_out,
                  cfg.mtu6_out - 20)
        rest4 = struct.pack('!HH', 0, mtu)
    elif t == 3:
        nt, nc = 11, c
    elif c == 0:
        ptr = struct.unpack('!I', rest)[0]
        if ptr not in PTR6_TO_4:
            return Out(drop='drop_icmp_type')
        nt, nc = 12, 0
        rest4 = bytes([PTR6_TO_4[ptr], 0, 0, 0])
    elif c == 1:
        nt, nc = 3, 2
    else:
        return Out(drop='drop_icmp_type')
    r = x64(orig, cfg, inner=True)
    if r.pkt is None:
        return Out(drop='drop_icmp_inner')
    body4 = r.pkt
    if ext and nt in (3, 11):
        body4 = pad(body4, 4)
        rest4 = rest4[:1] + bytes([len(body4) // 4]) + rest4[2:]
        body4 += ext
    new = (bytes([nt, nc, 0, 0]) + rest4 + body4)[:cfg.max_icmp4 - 20]
    return l4_csum(1, new), [8 + m for m in r.masks]


def apply_masks(exp, got, masks):
    """Take from got the Identification of each IPv4 header at offsets
    masks in exp (0: the outer header; others: inner headers of an ICMPv4
    error, offsets from the ICMP header), then redo the checksums that
    cover it."""
    exp = bytearray(exp)
    inner = sorted((m for m in masks if m), reverse=True)
    for m in inner:
        o = 20 + m
        if len(got) >= o + 20 and len(exp) >= o + 20:
            exp[o + 4:o + 6] = got[o + 4:o + 6]
            ihl = (exp[o] & 15) * 4
            exp[o + 10:o + 12] = b'\0\0'
            exp[o + 10:o + 12] = struct.pack('!H', csum(bytes(exp[o:o + ihl])))
    if inner:
        exp[22:24] = b'\0\0'
        exp[22:24] = struct.pack('!H', csum(bytes(exp[20:])))
    if 0 in masks and len(got) >= 20:
        exp[4:6] = got[4:6]
        exp[10:12] = b'\0\0'
        exp[10:12] = struct.pack('!H', csum(bytes(exp[:20])))
    return bytes(exp)


# --- probes ----------------------------------------------------------------

def probes_6to4(src, dst):
    _scapy()
    base = IPv6(src=src, dst=dst, hlim=64)
    return [
        IPv6(src=src, dst=dst, hlim=64, tc=0xb8, fl=0x12345) /
        UDP(sport=4000, dport=5000) / Raw(b'u' * 100),
        base / TCP(sport=4001, dport=5001, flags='S', seq=1000,
                   options=[('MSS', 1440)]),
        IPv6(src=src, dst=dst, hlim=17, tc=0x02) /
        ICMPv6EchoRequest(id=0x4242, seq=7, data=b'ping' * 14),
        # 1240 + 8 + 20 = 1268 bytes of IPv4: above 1260, so DF=1
        base / UDP(sport=4002, dport=5002) / Raw(b'L' * 1240),
        # 1232 + 8 + 20 = 1260 bytes of IPv4: DF=0
        base / UDP(sport=4003, dport=5003) / Raw(b'S' * 1232),
    ]


def probes_4to6(src, dst):
    _scapy()
    return [
        IP(src=src, dst=dst, ttl=64, tos=0xb8, flags='DF') /
        UDP(sport=4000, dport=5000) / Raw(b'u' * 100),
        IP(src=src, dst=dst, ttl=64) /
        TCP(sport=4001, dport=5001, flags='S', seq=1000),
        IP(src=src, dst=dst, ttl=9, tos=0x02) /
        ICMP(type=8, id=0x4242, seq=7) / Raw(b'ping' * 14),
    ]


def send(direction, iface, dstmac, out, src, dst):
    _scapy()
    probes = probes_6to4(src, dst) if direction == '6to4' \
        else probes_4to6(src, dst)
    frames = [Ether(dst=dstmac) / p for p in probes]
    frames = [Ether(bytes(f)) for f in frames]     # fill in checksums
    wrpcap(out, frames)
    sendp(frames, iface=iface, verbose=False)


def main():
    if sys.argv[1] == 'send':
        send(*sys.argv[2:8])
        return 0
    if sys.argv[1] == 'verify':
        d, sent, got, spfx, dpfx, hops = sys.argv[2:8]
        return 1 if verify(d, sent, got, spfx, dpfx, int(hops)) else 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
