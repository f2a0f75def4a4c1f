#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""RFC 7915 conformance cases for a SIIT translator between c4 and c6.

One case per requirement, named by RFC section.  Each case is one or more
crafted packets, unique by a marker ({4:NNNN} or {6:NNNN}, repeated through
every payload so that each fragment and each quoted packet carries it); the
expected result comes from the byte-level reference in
tests/selftests/xlat_ref.py (x46/x64, written from the RFC text).

  rfc7915.py send DIR 4to6|6to4 IFACE DSTMAC RTRPID PREFIX SUBSET LABEL
      build the cases of SUBSET (full, addr or short) for one direction,
      send them as Ethernet frames on IFACE (the sender's namespace), and
      around each case that names a counter read /proc/RTRPID/net/stat/
      nft_xlat (the translator's namespace); writes DIR/sent-DIRECTION.json
  rfc7915.py verify DIR...
      compare DIR/got4.pcap and DIR/got6.pcap (tcpdump -Q in at c4 and c6)
      with the cases; one PASS:/FAIL:/SKIP: line per check

Packets are built with struct, sent through an AF_PACKET socket and pcaps
are read here, without scapy: importing it costs ~20 s per process under
TCG, and the bytes are what the RFC and the comparison are about.
"""
import json
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'selftests'))
# pylint: disable=wrong-import-position
from xlat_ref import (Cfg, Out, a4, apply_masks, csum, embed, frag6,  # noqa
                      hexdiff, ip4, ip6, l4_csum, pseudo4, pseudo6, x46, x64)

C4_V4 = '192.0.2.2'          # c4
C6_V4 = '198.51.100.6'       # c6 as IPv4 sees it
ROUTER4 = '192.0.2.99'       # an IPv4 router beside c4
C6_OTHER = '2001:db8:6::2'   # c6's address outside the prefix
COUNTER_FILE = 'net/stat/nft_xlat'
SETTLE = 0.1                 # seconds for a sent case to reach the counters


def fill(mark, n):
    return (mark * (n // len(mark) + 1))[:n]


def udp(sport, dport, data):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


def tcp_syn(sport, dport, data):
    # data offset 6 words: the MSS option; SYN with data carries the marker
    return struct.pack('!HHIIBBHHH', sport, dport, 1000, 0, 6 << 4, 0x02,
                       65535, 0, 0) + b'\x02\x04\x05\xb4' + data


def echo(t, ident, seq, data):
    return struct.pack('!BBHHH', t, 0, 0, ident, seq) + data


def icmp_msg(t, c, rest, body):
    return struct.pack('!BBH', t, c, 0) + rest + body


def p4(src, dst, proto, l4, opts=b'', csum4=True, **kw):
    """IPv4 packet; the transport checksum is computed unless csum4 is
    False (kept as the l4 bytes have it)."""
    if csum4 and proto in (6, 17):
        l4 = l4_csum(proto, l4, pseudo4(src, dst, proto, len(l4)))
    elif csum4 and proto == 1:
        l4 = l4_csum(1, l4)
    return ip4(src, dst, proto, 20 + len(opts) + len(l4), opts=opts,
               **kw) + l4


def p6(src, dst, nh, l4, ext=b'', ext_nh=None, csum6=True, **kw):
    """IPv6 packet; ext: extension headers between, ext_nh: the first."""
    if csum6 and nh in (6, 17, 58):
        l4 = l4_csum(nh, l4, pseudo6(src, dst, nh, len(l4)))
    return ip6(src, dst, ext_nh if ext else nh, len(ext) + len(l4),
               **kw) + ext + l4


def frags4(pkt, cuts):
    """IPv4 fragments of pkt (no options) at byte offsets cuts."""
    hdr = pkt[:20]
    data = pkt[20:]
    _, tos, _, ident, _, ttl, proto = struct.unpack('!BBHHHBB', hdr[:10])
    src, dst = socket.inet_ntoa(hdr[12:16]), socket.inet_ntoa(hdr[16:20])
    bounds = list(cuts) + [len(data)]
    out = []
    for i, off in enumerate(bounds[:-1]):
        part = data[off:bounds[i + 1]]
        out.append(ip4(src, dst, proto, 20 + len(part), tos, ident, 0,
                       int(i < len(bounds) - 2), off, ttl) + part)
    return out


def frags6(pkt, cuts, ident):
    """IPv6 fragments of pkt (no extension headers) at offsets cuts."""
    nh = pkt[6]
    data = pkt[40:]
    bounds = list(cuts) + [len(data)]
    out = []
    for i, off in enumerate(bounds[:-1]):
        part = frag6(nh, off, int(i < len(bounds) - 2), ident) + \
            data[off:bounds[i + 1]]
        out.append(pkt[:4] + struct.pack('!HB', len(part), 44) + pkt[7:40] +
                   part)
    return out


def opt_hdr(nh, length=8):
    """Hop-by-hop or destination options header padded with PadN."""
    return bytes([nh, length // 8 - 1, 1, length - 4]) + b'\0' * (length - 4)


def rt_hdr(nh, segleft, addrs=()):
    body = b''.join(socket.inet_pton(socket.AF_INET6, a) for a in addrs)
    return bytes([nh, 2 * len(addrs), 0, segleft]) + b'\0' * 4 + body


class Case:
    """One requirement: packets to send and what the reference makes of
    them.  fields: (section, what, bit offset, bits) of the first expected
    packet checked one by one; names: one label per sent packet."""

    def __init__(self, idx, sec, what, pkts, outs, fields=(), names=None):
        self.idx, self.sec, self.what = idx, sec, what
        self.pkts, self.outs = pkts, outs
        self.fields, self.names = list(fields), names

    def counters(self):
        """{counter: (n, exact)} that the case must move."""
        want = {}
        for o in self.outs:
            if o.drop:
                n, _ = want.get(o.drop, (0, True))
                want[o.drop] = (n + 1, o.drop.startswith('drop_'))
            if o.back:
                want['icmp_sent'] = (want.get('icmp_sent', (0, 0))[0] + 1,
                                     False)
            if o.fragment:
                want['frags_out'] = (1, False)
        return want


FIELDS_46 = [('rfc7915-4.1', 'version 6', 0, 4),
             ('rfc7915-4.1', 'traffic class copied from TOS', 4, 8),
             ('rfc7915-4.1', 'flow label 0', 12, 20),
             ('rfc7915-4.1', 'payload length', 32, 16),
             ('rfc7915-4.1', 'next header copied from protocol', 48, 8),
             ('rfc7915-4.1', 'hop limit = TTL - 1', 56, 8),
             ('rfc7915-4.1', 'source address (RFC 6052)', 64, 128),
             ('rfc7915-4.1', 'destination address (RFC 6052)', 192, 128),
             ('rfc7915-4.5', 'UDP checksum updated', 46 * 8, 16)]
FIELDS_64 = [('rfc7915-5.1', 'version 4, IHL 5', 0, 8),
             ('rfc7915-5.1', 'TOS copied from traffic class', 8, 8),
             ('rfc7915-5.1', 'total length', 16, 16),
             ('rfc7915-5.1', 'DF=0 MF=0 offset 0 (RFC 8021, <= 1260 bytes)',
              48, 16),
             ('rfc7915-5.1', 'TTL = hop limit - 1', 64, 8),
             ('rfc7915-5.1', 'protocol copied from next header', 72, 8),
             ('rfc7915-5.1', 'header checksum', 80, 16),
             ('rfc7915-5.1', 'source address (RFC 6052)', 96, 32),
             ('rfc7915-5.1', 'destination address (RFC 6052)', 128, 32),
             ('rfc7915-5.5', 'UDP checksum updated', 26 * 8, 16)]
ADDR_46 = [('rfc6052-2.2', 'IPv4-embedded source address, u-octet 0',
            64, 128),
           ('rfc6052-2.2', 'IPv4-embedded destination address, u-octet 0',
            192, 128)]
ADDR_64 = [('rfc6052-2.2', 'IPv4 source extracted', 96, 32),
           ('rfc6052-2.2', 'IPv4 destination extracted', 128, 32)]


class Gen:
    """Builds the cases of one direction."""

    def __init__(self, direction, pfx):
        self.d, self.pfx = direction, pfx
        self.cfg = Cfg(pfx)
        self.c6 = embed(pfx, C6_V4)
        self.c4 = embed(pfx, C4_V4)
        self.cases = []

    def mark(self):
        return ('{%s:%04d}' % (self.d[0], len(self.cases))).encode()

    def port(self):
        return 20000 + len(self.cases)

    def add(self, sec, what, pkts, fields=(), names=None):
        if isinstance(pkts, bytes):
            pkts = [pkts]
        x = x46 if self.d == '4to6' else x64
        outs = [x(p, self.cfg) for p in pkts]
        self.cases.append(Case(len(self.cases), sec, what, pkts, outs,
                               fields, names))

    # -- 4to6: c4 (192.0.2.2) sends to c6 (198.51.100.6) -----------------

    def u4(self, n=100, src=C4_V4, **kw):
        m = self.mark()
        return p4(src, C6_V4, 17, udp(self.port(), 5000, fill(m, n)), **kw)

    def inner4(self, n=60, proto=17, **kw):
        """What c6 sent to c4, as IPv4 had it, quoted by an ICMPv4 error."""
        m, sp = self.mark(), self.port()
        if proto == 17:
            l4 = udp(sp, 53, fill(m, n))
        elif proto == 6:
            l4 = tcp_syn(sp, 80, fill(m, n))
        else:
            l4 = echo(8, sp, 1, fill(m, n))
        kw.setdefault('ttl', 63)
        kw.setdefault('ident', 0x1000 + len(self.cases))
        return p4(C6_V4, C4_V4, proto, l4, **kw)

    def err4(self, t, c, rest=b'\0' * 4, inner=None, src=C4_V4, quote=None):
        inner = self.inner4() if inner is None else inner
        body = inner if quote is None else inner[:quote]
        return p4(src, C6_V4, 1, icmp_msg(t, c, rest, body), ttl=64)

    def cases_4to6(self, subset):
        a = self.add
        m = self.mark
        if subset == 'addr':
            a('rfc6052-2.2', 'UDP 4->6', self.u4(tos=0x10), ADDR_46)
            a('rfc6052-2.2', 'echo request 4->6',
              p4(C4_V4, C6_V4, 1, echo(8, self.port(), 1, fill(m(), 56))))
            return
        a('rfc7915-4.1', 'UDP translated',
          self.u4(tos=0xb8, df=1, ident=0x4101),
          FIELDS_46 if subset == 'full' else ())
        if subset == 'short':
            a('rfc7915-4.3', 'time exceeded with inner UDP translated',
              self.err4(11, 0, src=ROUTER4))
            return
        a('rfc7915-4.5', 'TCP SYN translated, checksum updated',
          p4(C4_V4, C6_V4, 6, tcp_syn(self.port(), 80, fill(m(), 16)),
             df=1))
        a('rfc7915-4.2', 'echo request -> ICMPv6 128',
          p4(C4_V4, C6_V4, 1, echo(8, self.port(), 7, fill(m(), 56)),
             tos=0x02, ttl=9))
        a('rfc7915-4.2', 'echo reply -> ICMPv6 129',
          p4(C4_V4, C6_V4, 1, echo(0, self.port(), 8, fill(m(), 56))))
        a('rfc7915-4.1', 'hop limit = TTL - 1 (TTL 2)', self.u4(ttl=2))
        rr = b'\x07\x0b\x04' + b'\0' * 8 + b'\x00'
        a('rfc7915-4.1', 'IPv4 options (record route) ignored',
          self.u4(opts=rr))
        lsrr = b'\x83\x0b\x04' + a4('198.51.100.7') + a4(C6_V4) + b'\x00'
        a('rfc7915-4.1', 'unexpired LSRR dropped, source route failed sent',
          self.u4(opts=lsrr))
        ssrr = b'\x89\x0b\x04' + a4('198.51.100.7') + a4(C6_V4) + b'\x00'
        a('rfc7915-4.1', 'unexpired SSRR dropped, source route failed sent',
          self.u4(opts=ssrr))
        done = b'\x83\x0b\x0c' + a4('192.0.2.7') + a4('192.0.2.8') + b'\x00'
        a('rfc7915-4.1', 'expired LSRR ignored, packet translated',
          self.u4(opts=done))
        a('rfc7915-4.1', 'DF=1 1400-byte packet: no fragment header',
          self.u4(n=1372, df=1))
        a('rfc7915-4.1', 'DF=0 small packet: no fragment header (RFC 8021)',
          self.u4(n=200, df=0))
        a('rfc7915-4.1', 'DF=0 1400-byte packet fragmented to 1280',
          self.u4(n=1372, df=0, ident=0x4242))
        whole = self.u4(n=1000, ident=0x5151)
        a('rfc7915-4.1', 'IPv4 fragments -> IPv6 fragments',
          frags4(whole, [0, 400, 800]),
          names=['first fragment, checksum updated', 'middle fragment',
                 'last fragment'])
        a('rfc7915-4.1', 'unknown protocol 253: only the IP header translated',
          p4(C4_V4, C6_V4, 253, fill(m(), 40)))
        a('rfc7915-4.5', 'UDP zero checksum computed',
          p4(C4_V4, C6_V4, 17, udp(self.port(), 5000, fill(m(), 64)),
             csum4=False))
        zero = p4(C4_V4, C6_V4, 17, udp(self.port(), 5000, fill(m(), 400)),
                  csum4=False, ident=0x5252)
        a('rfc7915-4.5', 'UDP zero checksum first fragment dropped',
          frags4(zero, [0, 200])[:1])
        a('rfc7915-4.2', 'IGMP dropped',
          p4(C4_V4, C6_V4, 2, l4_csum(1, b'\x16\0\0\0' + a4('239.1.1.1') +
                                      fill(m(), 16))))
        # 4.2: ICMPv4 errors, c4 answering what c6 sent
        want = {0: 'type 1 code 0', 1: 'type 1 code 0',
                2: 'parameter problem code 1 pointer 6', 3: 'type 1 code 4',
                4: 'packet too big MTU 1420', 5: 'type 1 code 0',
                6: 'type 1 code 0', 7: 'type 1 code 0', 8: 'type 1 code 0',
                9: 'type 1 code 1', 10: 'type 1 code 1',
                11: 'type 1 code 0', 12: 'type 1 code 0',
                13: 'type 1 code 1', 14: 'dropped', 15: 'type 1 code 1',
                16: 'dropped'}
        for code in range(17):
            rest = struct.pack('!HH', 0, 1400) if code == 4 else b'\0' * 4
            a('rfc7915-4.2', 'dest unreachable code %d -> %s' %
              (code, want[code]), self.err4(3, code, rest))
        a('rfc7915-4.2', 'frag needed MTU 1250 -> packet too big MTU 1280',
          self.err4(3, 4, struct.pack('!HH', 0, 1250)))
        a('rfc7915-4.2', 'frag needed MTU 0 -> plateau 1492 + 20, at most '
          'the IPv6 next-hop MTU 1500',
          self.err4(3, 4, inner=self.inner4(n=1472, df=1), quote=128))
        for code in (0, 1):
            a('rfc7915-4.2', 'time exceeded code %d -> type 3 code %d' %
              (code, code), self.err4(11, code, src=ROUTER4))
        for ptr, res in ((0, 0), (1, 1), (2, 4), (8, 7), (9, 6), (12, 8),
                         (16, 24), (4, None), (10, None)):
            a('rfc7915-4.2', 'parameter problem pointer %d -> %s' %
              (ptr, 'pointer %d' % res if res is not None else 'dropped'),
              self.err4(12, 0, bytes([ptr, 0, 0, 0])))
        a('rfc7915-4.2', 'parameter problem code 1 (missing option) dropped',
          self.err4(12, 1))
        a('rfc7915-4.2', 'parameter problem code 2 (bad length) pointer 2 '
          '-> code 0 pointer 4', self.err4(12, 2, b'\x02\0\0\0'))
        for t, what in ((4, 'source quench'), (5, 'redirect'),
                        (6, 'alternate host address')):
            a('rfc7915-4.2', '%s (type %d) dropped' % (what, t),
              self.err4(t, 0, a4('192.0.2.1') if t == 5 else b'\0' * 4))
        for t, what in ((9, 'router advertisement'),
                        (10, 'router solicitation'), (13, 'timestamp'),
                        (14, 'timestamp reply'), (15, 'information request'),
                        (16, 'information reply'),
                        (17, 'address mask request'),
                        (18, 'address mask reply'), (200, 'unknown type')):
            a('rfc7915-4.2', '%s (type %d) dropped' % (what, t),
              p4(C4_V4, C6_V4, 1, icmp_msg(t, 0, struct.pack(
                  '!HH', self.port(), 1), fill(m(), 24))))
        # 4.3: the packet in error
        a('rfc7915-4.3', 'inner TCP translated, checksum updated',
          self.err4(3, 3, inner=self.inner4(n=20, proto=6)))
        a('rfc7915-4.3', 'inner echo request -> ICMPv6 echo request',
          self.err4(11, 0, inner=self.inner4(n=32, proto=1), src=ROUTER4))
        first = frags4(self.inner4(n=600, ident=0x6161), [0, 304])[0]
        a('rfc7915-4.3', 'inner fragment gets a fragment header',
          self.err4(11, 0, inner=first, src=ROUTER4, quote=128))
        a('rfc7915-4.3', 'ICMPv6 error truncated to 1280 bytes',
          self.err4(3, 3, inner=self.inner4(n=1372)))
        ext = struct.pack('!BBH', 0x20, 0, 0) + struct.pack(
            '!HBB', 8, 1, 1) + b'\0\0\0\x2a'
        ext = ext[:2] + struct.pack('!H', csum(ext)) + ext[4:]
        quoted = self.inner4(n=100)
        a('rfc7915-4.3', 'RFC 4884 length attribute 32->64-bit words, '
          'extension kept',
          p4(ROUTER4, C6_V4, 1, icmp_msg(11, 0, b'\0\x20\0\0',
                                         quoted + ext)))
        nested = self.err4(3, 3, inner=self.inner4(n=16))
        a('rfc7915-4.3', 'error inside an error dropped',
          self.err4(3, 1, inner=nested))

    # -- 6to4: c6 (PFX::198.51.100.6) sends to c4 (PFX::192.0.2.2) -------

    def u6(self, n=100, src=None, ext=b'', ext_nh=None, **kw):
        m = self.mark()
        return p6(src or self.c6, self.c4, 17,
                  udp(self.port(), 5000, fill(m, n)), ext, ext_nh, **kw)

    def inner6(self, n=60, nh=17):
        """What c4 sent to c6, as IPv6 had it, quoted by an ICMPv6 error."""
        m, sp = self.mark(), self.port()
        if nh == 17:
            l4 = udp(sp, 53, fill(m, n))
        elif nh == 6:
            l4 = tcp_syn(sp, 80, fill(m, n))
        else:
            l4 = echo(128, sp, 1, fill(m, n))
        return p6(self.c4, self.c6, nh, l4, hlim=63)

    def err6(self, t, c, rest=b'\0' * 4, inner=None, src=None, quote=None):
        inner = self.inner6() if inner is None else inner
        body = inner if quote is None else inner[:quote]
        return p6(src or self.c6, self.c4, 58, icmp_msg(t, c, rest, body))

    def cases_6to4(self, subset):
        a = self.add
        m = self.mark
        if subset == 'addr':
            a('rfc6052-2.2', 'UDP 6->4', self.u6(tc=0x10), ADDR_64)
            a('rfc6052-2.2', 'echo request 6->4',
              p6(self.c6, self.c4, 58, echo(128, self.port(), 1,
                                            fill(m(), 56))))
            a('rfc6052-2.2', 'source outside the prefix: not translated',
              self.u6(src=C6_OTHER))
            return
        a('rfc7915-5.1', 'UDP translated',
          self.u6(tc=0xb8, fl=0x12345),
          FIELDS_64 if subset == 'full' else ())
        if subset == 'short':
            a('rfc7915-5.3', 'time exceeded with inner UDP translated',
              self.err6(3, 0))
            return
        a('rfc7915-5.5', 'TCP SYN translated, checksum updated',
          p6(self.c6, self.c4, 6, tcp_syn(self.port(), 80, fill(m(), 16))))
        a('rfc7915-5.2', 'echo request -> ICMPv4 8',
          p6(self.c6, self.c4, 58, echo(128, self.port(), 7, fill(m(), 56)),
             tc=0x02, hlim=17))
        a('rfc7915-5.2', 'echo reply -> ICMPv4 0',
          p6(self.c6, self.c4, 58, echo(129, self.port(), 8, fill(m(), 56))))
        a('rfc7915-5.1', 'TTL = hop limit - 1 (hop limit 2)', self.u6(hlim=2))
        a('rfc7915-5.1', '1268-byte IPv4 result: DF=1 (RFC 8021)',
          self.u6(n=1240))
        a('rfc7915-5.1', '1260-byte IPv4 result: DF=0 (RFC 8021)',
          self.u6(n=1232))
        a('rfc7915-5.1', 'hop-by-hop options header skipped',
          self.u6(ext=opt_hdr(17), ext_nh=0))
        a('rfc7915-5.1', 'destination options header skipped',
          self.u6(ext=opt_hdr(17, 16), ext_nh=60))
        a('rfc7915-5.1', 'routing header with segments left 0 skipped',
          self.u6(ext=rt_hdr(17, 0, [self.c4]), ext_nh=43))
        a('rfc7915-5.1', 'hop-by-hop + destination + routing (0) skipped',
          self.u6(ext=opt_hdr(60) + opt_hdr(43) + rt_hdr(17, 0), ext_nh=0))
        a('rfc7915-5.1', 'routing header segments left 1: dropped, '
          'parameter problem pointer 43 sent',
          self.u6(ext=rt_hdr(17, 1, [self.c4]), ext_nh=43))
        whole = self.u6(n=1000)
        a('rfc7915-5.1.1', 'IPv6 fragments -> IPv4 fragments',
          frags6(whole, [0, 400, 800], 0x5a5a0000 + len(self.cases)),
          names=['first fragment, checksum updated', 'middle fragment',
                 'last fragment'])
        ping = p6(self.c6, self.c4, 58, echo(128, self.port(), 9,
                                             fill(m(), 600)))
        a('rfc7915-5.1.1', 'fragmented ICMPv6 dropped',
          frags6(ping, [0, 304], 0x77)[:1])
        a('rfc7915-5.1', 'unknown next header 253: only the IP header '
          'translated', p6(self.c6, self.c4, 253, fill(m(), 40)))
        a('rfc7915-5.1', 'source outside the prefix: not translated',
          self.u6(src=C6_OTHER))
        # 5.2: ICMPv6 errors, c6 answering what c4 sent
        want = {0: 'type 3 code 1', 1: 'type 3 code 10', 2: 'type 3 code 1',
                3: 'type 3 code 1', 4: 'type 3 code 3', 5: 'dropped',
                6: 'dropped', 7: 'dropped'}
        for code in range(8):
            a('rfc7915-5.2', 'dest unreachable code %d -> %s' %
              (code, want[code]), self.err6(1, code))
        a('rfc7915-5.2', 'packet too big MTU 1400 -> frag needed MTU 1380',
          self.err6(2, 0, struct.pack('!I', 1400)))
        inner = self.inner6(n=600)
        a('rfc7915-5.2', 'packet too big on a fragment -> MTU 1372',
          self.err6(2, 0, struct.pack('!I', 1400),
                    inner=frags6(inner, [0, 304], 0x99)[0]))
        for code in (0, 1):
            a('rfc7915-5.2', 'time exceeded code %d -> type 11 code %d' %
              (code, code), self.err6(3, code))
        for ptr, res in ((0, 0), (1, 1), (4, 2), (6, 9), (7, 8), (8, 12),
                         (24, 16), (2, None), (40, None)):
            a('rfc7915-5.2', 'parameter problem pointer %d -> %s' %
              (ptr, 'pointer %d' % res if res is not None else 'dropped'),
              self.err6(4, 0, struct.pack('!I', ptr)))
        a('rfc7915-5.2', 'parameter problem code 1 -> protocol unreachable',
          self.err6(4, 1, struct.pack('!I', 6)))
        a('rfc7915-5.2', 'parameter problem code 2 dropped',
          self.err6(4, 2, struct.pack('!I', 40)))
        a('rfc7915-5.2', 'unknown error type 50 dropped', self.err6(50, 0))
        for t, what in ((130, 'MLD query'), (131, 'MLD report'),
                        (132, 'MLD done'), (133, 'router solicitation'),
                        (134, 'router advertisement'),
                        (135, 'neighbor solicitation'),
                        (136, 'neighbor advertisement'), (137, 'redirect'),
                        (200, 'unknown informational')):
            a('rfc7915-5.2', '%s (type %d) dropped' % (what, t),
              p6(self.c6, self.c4, 58, icmp_msg(t, 0, struct.pack(
                  '!HH', self.port(), 1), fill(m(), 24)), hlim=255))
        # 5.3: the packet in error
        a('rfc7915-5.3', 'inner TCP translated, checksum updated',
          self.err6(1, 4, inner=self.inner6(n=20, nh=6)))
        a('rfc7915-5.3', 'inner echo request -> ICMPv4 echo request',
          self.err6(3, 0, inner=self.inner6(n=32, nh=58)))
        a('rfc7915-5.3', 'ICMPv4 error truncated to 576 bytes',
          self.err6(1, 4, inner=self.inner6(n=952)))
        a('rfc6791', 'error from a non-translatable source gets 192.0.0.8',
          self.err6(3, 0, src=C6_OTHER))
        ext = struct.pack('!BBH', 0x20, 0, 0) + struct.pack(
            '!HBB', 8, 1, 1) + b'\0\0\0\x2a'
        ext = ext[:2] + struct.pack('!H', csum(ext)) + ext[4:]
        quoted = self.inner6(n=80)
        a('rfc7915-5.3', 'RFC 4884 length attribute 64->32-bit words, '
          'extension kept',
          p6(self.c6, self.c4, 58, icmp_msg(3, 0, b'\x10\0\0\0',
                                            quoted + ext)))
        nested = self.err6(1, 4, inner=self.inner6(n=16))
        a('rfc7915-5.3', 'error inside an error dropped',
          self.err6(1, 0, inner=nested))


def generate(direction, pfx, subset):
    g = Gen(direction, pfx)
    for sub in (subset, 'addr') if subset == 'full' else (subset,):
        if direction == '4to6':
            g.cases_4to6(sub)
        else:
            g.cases_6to4(sub)
    return g.cases


# --- sending ---------------------------------------------------------------

def read_counters(pid):
    try:
        with open('/proc/%s/%s' % (pid, COUNTER_FILE)) as f:
            return dict((ln.split()[0], int(ln.split()[1]))
                        for ln in f if len(ln.split()) == 2)
    except (OSError, ValueError, IndexError):
        return None


def send(outdir, direction, iface, dstmac, rtrpid, pfx, subset, label):
    cases = generate(direction, pfx, subset)
    with open('/sys/class/net/%s/address' % iface) as f:
        srcmac = bytes.fromhex(f.read().strip().replace(':', ''))
    eth = bytes.fromhex(dstmac.replace(':', '')) + srcmac + \
        (b'\x86\xdd' if direction == '6to4' else b'\x08\x00')
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    deltas = {}
    avail = read_counters(rtrpid) is not None
    for c in cases:
        watch = avail and c.counters()
        if watch:
            time.sleep(SETTLE)
            before = read_counters(rtrpid)
        for p in c.pkts:
            s.send(eth + p)
            time.sleep(0.002)
        if watch:
            time.sleep(SETTLE)
            after = read_counters(rtrpid) or {}
            deltas[c.idx] = dict((k, after.get(k, 0) - (before or {}).get(k, 0))
                                 for k in after)
    with open(os.path.join(outdir, 'sent-%s.json' % direction), 'w') as f:
        json.dump({'pfx': pfx, 'subset': subset, 'label': label,
                   'counters': avail, 'deltas': deltas}, f)


# --- verifying -------------------------------------------------------------

MARK = re.compile(rb'\{([46]):(\d{4})\}')


def read_pcap(path):
    """[(ethertype, L3 bytes trimmed to the IP length)] of an Ethernet
    pcap."""
    out = []
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return out
    if len(data) < 24:
        return out
    magic = data[:4]
    end = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + 'I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14:
            continue
        et = struct.unpack('!H', frame[12:14])[0]
        l3 = frame[14:]
        if et == 0x0800 and len(l3) >= 20:
            l3 = l3[:struct.unpack('!H', l3[2:4])[0]]
        elif et == 0x86dd and len(l3) >= 40:
            l3 = l3[:40 + struct.unpack('!H', l3[4:6])[0]]
        else:
            continue
        out.append((et, l3))
    return out


def by_case(pkts, dchar):
    got = {}
    for et, p in pkts:
        mo = MARK.search(p)
        if mo and mo.group(1).decode() == dchar:
            got.setdefault(int(mo.group(2)), []).append(p)
    return got


def bits(b, off, n):
    v = int.from_bytes(b, 'big')
    return (v >> (len(b) * 8 - off - n)) & ((1 << n) - 1)


class Report:
    def __init__(self):
        self.failed = 0
        self.counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}

    def line(self, verdict, name, detail=''):
        self.counts[verdict] += 1
        if verdict == 'FAIL':
            self.failed += 1
        print('%s: %s%s' % (verdict, name, (': ' + detail) if detail else ''))


def v4_hdr_ok(p):
    ihl = (p[0] & 15) * 4
    return csum(p[:ihl]) == 0


def icmp_back_check(rep, name, c, out, sent, near, direction, pfx):
    """The error the translator must send back to the sender."""
    t, code, ptr = out.back
    for p in near:
        if direction == '4to6':
            if p[9] != 1 or len(p) < 28:
                continue
            ihl = (p[0] & 15) * 4
            icmp = p[ihl:]
            if (icmp[0], icmp[1]) != (t, code):
                continue
            quoted = icmp[8:]
            ok_dst = p[16:20] == sent[12:16]
            ok_sum = csum(icmp) == 0
            n = min(len(quoted), len(sent))
            mask = lambda b: b[:8] + b[9:10] + b[12:]   # noqa: E731
            ok_q = n >= 28 and mask(quoted[:n]) == mask(sent[:n])
        else:
            if p[6] != 58 or len(p) < 48:
                continue
            icmp = p[40:]
            if (icmp[0], icmp[1]) != (t, code):
                continue
            quoted = icmp[8:]
            ok_dst = p[24:40] == sent[8:24]
            ok_sum = csum(pseudo6(socket.inet_ntop(socket.AF_INET6, p[8:24]),
                                  socket.inet_ntop(socket.AF_INET6, p[24:40]),
                                  58, len(icmp)) + icmp) == 0
            n = min(len(quoted), len(sent))
            ok_q = n >= 48 and quoted[:7] + quoted[8:n] == \
                sent[:7] + sent[8:n]
            if struct.unpack('!I', icmp[4:8])[0] != ptr:
                rep.line('FAIL', name, 'pointer %d, want %d' % (
                    struct.unpack('!I', icmp[4:8])[0], ptr))
                return
        if ok_dst and ok_sum and ok_q:
            rep.line('PASS', name)
        else:
            rep.line('FAIL', name, 'destination %s, checksum %s, quoted '
                     'packet %s' % ('ok' if ok_dst else 'wrong',
                                    'ok' if ok_sum else 'wrong',
                                    'ok' if ok_q else 'differs'))
        return
    rep.line('FAIL', name, 'no ICMP type %d code %d came back' % (t, code))


def frag_check(rep, name, out, got):
    """4.1: a DF=0 packet too big for the lowest IPv6 MTU arrives as
    fragments of at most 1280 bytes whose reassembly is the translated
    packet."""
    exp = out.pkt
    if not got:
        rep.line('FAIL', name + ': fragments <= 1280 bytes',
                 'nothing captured')
        return
    if len(got) == 1 and got[0] == exp:
        rep.line('FAIL', name + ': fragments <= 1280 bytes',
                 'arrived whole, %d bytes' % len(exp))
        return
    big = [len(p) for p in got if len(p) > 1280]
    rep.line('FAIL' if big else 'PASS', name + ': fragments <= 1280 bytes',
             'sizes %s' % [len(p) for p in got])
    bad, parts = [], []
    for p in got:
        if p[6] != 44 or len(p) < 48:
            bad.append('no fragment header')
            continue
        fnh, _, fo, fid = struct.unpack('!BBHI', p[40:48])
        if fid != out.ident:
            bad.append('identification %#x, want %#x' % (fid, out.ident))
        if fnh != exp[6]:
            bad.append('next header %d, want %d' % (fnh, exp[6]))
        hdr = p[:4] + p[7:40]
        if hdr != exp[:4] + exp[7:40]:
            bad.append('IPv6 header ' + hexdiff(exp[:4] + exp[7:40], hdr))
        parts.append((fo & 0xfff8, fo & 1, p[48:]))
    rep.line('FAIL' if bad else 'PASS',
             name + ': fragment header (ID = IPv4 ID, next header) and '
             'IPv6 header', '; '.join(sorted(set(bad))))
    parts.sort()
    data, ok = b'', True
    for i, (off, m, d) in enumerate(parts):
        ok = ok and off == len(data) and m == int(i < len(parts) - 1)
        data += d
    if ok and data == exp[40:]:
        rep.line('PASS', name + ': offsets, M flags, reassembly equals '
                 'the translated packet')
    else:
        rep.line('FAIL', name + ': offsets, M flags, reassembly equals '
                 'the translated packet',
                 'offsets/M %s, %s' % ([(o, m) for o, m, _ in parts],
                                       hexdiff(exp[40:], data)))


def verify_dir(rep, d):
    g4 = read_pcap(os.path.join(d, 'got4.pcap'))
    g6 = read_pcap(os.path.join(d, 'got6.pcap'))
    for direction in ('4to6', '6to4'):
        path = os.path.join(d, 'sent-%s.json' % direction)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            meta = json.load(f)
        label = ' [%s]' % meta['label']
        far, near = (g6, g4) if direction == '4to6' else (g4, g6)
        got = by_case(far, direction[0])
        back = by_case(near, direction[0])
        for c in generate(direction, meta['pfx'], meta['subset']):
            verify_case(rep, c, got.get(c.idx, []), back.get(c.idx, []),
                        meta, direction, label)


def verify_case(rep, c, got, near, meta, direction, label):
    name = '%s %s' % (c.sec, c.what)
    exp_pkts = [o for o in c.outs if o.pkt is not None]
    if not exp_pkts:
        rep.line('FAIL' if got else 'PASS', name + label,
                 '%d packet(s) came through' % len(got) if got else '')
    elif len(c.outs) == 1 and c.outs[0].fragment:
        frag_check(rep, name + label, c.outs[0], got)
    else:
        rest = list(got)
        for i, o in enumerate(c.outs):
            sub = (': ' + c.names[i]) if c.names else ''
            if o.pkt is None:
                continue
            if not rest:
                rep.line('FAIL', name + sub + label, 'nothing captured')
                for f in (c.fields if i == 0 else ()):
                    rep.line('FAIL', '%s %s%s' % (f[0], f[1], label),
                             'nothing captured')
                continue
            raw = rest.pop(0)
            exp = apply_masks(o.pkt, raw, o.masks)
            if exp == raw:
                rep.line('PASS', name + sub + label)
            else:
                rep.line('FAIL', name + sub + label, hexdiff(exp, raw))
                print('  expected %s' % exp.hex())
                print('  got      %s' % raw.hex())
            if i == 0:
                for sec, what, off, n in c.fields:
                    if what == 'header checksum':
                        ok = v4_hdr_ok(raw)
                    else:
                        ok = len(raw) * 8 >= off + n and \
                            bits(exp, off, n) == bits(raw, off, n)
                    rep.line('PASS' if ok else 'FAIL',
                             '%s %s%s' % (sec, what, label),
                             '' if ok else 'expected %#x, got %#x' % (
                                 bits(exp, off, n),
                                 bits(raw, off, n) if len(raw) * 8 >=
                                 off + n else -1))
        if rest:
            rep.line('FAIL', name + ': no extra packets' + label,
                     '%d more than expected' % len(rest))
    for o, p in zip(c.outs, c.pkts):
        if o.back:
            icmp_back_check(rep, '%s: error returned to the sender%s' %
                            (name, label), c, o, p, near, direction,
                            meta['pfx'])
    for cname, (n, exact) in sorted(c.counters().items()):
        cn = '%s: counter %s %s%d%s' % (name, cname, '+' if exact else '>= +',
                                         n, label)
        if not meta['counters']:
            rep.line('SKIP', cn, '/proc/net/stat/nft_xlat absent')
            continue
        delta = meta['deltas'].get(str(c.idx), {}).get(cname)
        if delta is None:
            rep.line('FAIL', cn, 'no counter of that name')
        elif delta == n or (not exact and delta >= n):
            rep.line('PASS', cn)
        else:
            rep.line('FAIL', cn, 'moved by %d' % delta)


def main():
    if len(sys.argv) >= 10 and sys.argv[1] == 'send':
        send(*sys.argv[2:10])
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == 'verify':
        rep = Report()
        for d in sys.argv[2:]:
            verify_dir(rep, d)
        sys.stderr.write('# conformance: %(PASS)d passed, %(FAIL)d failed, '
                         '%(SKIP)d skipped\n' % rep.counts)
        return 1 if rep.failed else 0
    if len(sys.argv) >= 4 and sys.argv[1] == 'list':
        for c in generate(sys.argv[2], sys.argv[3], sys.argv[4]
                          if len(sys.argv) > 4 else 'full'):
            outs = ['drop:%s' % o.drop if o.pkt is None else
                    ('frag' if o.fragment else '%dB' % len(o.pkt))
                    for o in c.outs]
            print('%4d %s %s -> %s' % (c.idx, c.sec, c.what, ' '.join(outs)))
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
