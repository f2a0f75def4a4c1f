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
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6EchoReply,
                       ICMPv6EchoRequest, IPv6, Raw, rdpcap, sendp, wrpcap)

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


# --- probes ----------------------------------------------------------------

def probes_6to4(src, dst):
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
    return [
        IP(src=src, dst=dst, ttl=64, tos=0xb8, flags='DF') /
        UDP(sport=4000, dport=5000) / Raw(b'u' * 100),
        IP(src=src, dst=dst, ttl=64) /
        TCP(sport=4001, dport=5001, flags='S', seq=1000),
        IP(src=src, dst=dst, ttl=9, tos=0x02) /
        ICMP(type=8, id=0x4242, seq=7) / Raw(b'ping' * 14),
    ]


def send(direction, iface, dstmac, out, src, dst):
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
