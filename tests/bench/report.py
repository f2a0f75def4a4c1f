#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUTDIR - turn a benchmark run (raw.csv, meta.env, host.env,
skipped.txt, profile-*.txt written by tests/bench/bench.sh and
tests/rig/bench.sh) into results.md and gnuplot plots, in OUTDIR.

Every figure is the median over the rounds with its min-max range.  Ratios
are computed per round (a case against its baseline measured in the same
round, so drift of the machine cancels) and then summarised the same way.
Runs anywhere with python3; the plots need gnuplot."""

import csv
import os
import shlex
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

# test id -> (description, plain-forwarding baseline, Jool baseline)
PPS = [
    ("fwd6", "plain IPv6 forwarding", None, None),
    ("fwd4", "plain IPv4 forwarding", None, None),
    ("fwd6-ct", "IPv6 forwarding, conntrack", "fwd6", None),
    ("fwd4-ct", "IPv4 forwarding, conntrack", "fwd4", None),
    ("fwd6-ct-masq", "IPv6 forwarding, conntrack + masquerade", "fwd6", None),
    ("fwd6-ct-ft", "IPv6 forwarding, conntrack + flowtable", "fwd6", None),
    ("xlat-in-64", "nft_xlat SIIT 6→4, netdev ingress", "fwd6", "jool-siit-64"),
    ("xlat-pre-64", "nft_xlat SIIT 6→4, prerouting -450", "fwd6", "jool-siit-64"),
    ("xlat-post-64", "nft_xlat SIIT 6→4, postrouting", "fwd6", "jool-siit-64"),
    ("xlat-nat-64", "nft_xlat SIIT 6→4, nat chain (bound at prerouting)", "fwd6-ct", "jool-siit-64"),
    ("xlat-lab-64", "nft_xlat SIIT 6→4, lab ruleset (ingress + conntrack)", "fwd6-ct", "jool-siit-64"),
    ("xlat-in-46", "nft_xlat SIIT 4→6, netdev ingress", "fwd4", "jool-siit-46"),
    ("xlat-pre-46", "nft_xlat SIIT 4→6, prerouting -450", "fwd4", "jool-siit-46"),
    ("xlat-post-46", "nft_xlat SIIT 4→6, postrouting", "fwd4", "jool-siit-46"),
    ("xlat-nat-46", "nft_xlat SIIT 4→6, nat chain (bound at postrouting)", "fwd4-ct", "jool-siit-46"),
    ("xlat-lab-46", "nft_xlat SIIT 4→6, lab ruleset (answers to an open session)", "fwd4-ct", "jool-siit-46"),
    ("xlat-lab-ft-64", "nft_xlat SIIT 6→4, lab ruleset, offload", "fwd6-ct", "jool-siit-64"),
    ("xlat-lab-ft-46", "nft_xlat SIIT 4→6, lab ruleset, offload", "fwd4-ct", "jool-siit-46"),
    ("xlat-nat64-64", "nft_xlat NAT64 6→4", "fwd6-ct-masq", "jool-nat64-64"),
    ("xlat-nat64-46", "nft_xlat NAT64 4→6 (return path)", "fwd4-ct", "jool-nat64-46"),
    ("xlat-nat64-ft-64", "nft_xlat NAT64 6→4, offload", "fwd6-ct-masq", "jool-nat64-64"),
    ("xlat-nat64-ft-46", "nft_xlat NAT64 4→6, offload", "fwd4-ct", "jool-nat64-46"),
    ("jool-siit-64", "Jool SIIT 6→4", "fwd6", "jool-siit-64"),
    ("jool-siit-46", "Jool SIIT 4→6", "fwd4", "jool-siit-46"),
    ("jool-nat64-64", "Jool NAT64 6→4", "fwd6-ct-masq", "jool-nat64-64"),
    ("jool-nat64-46", "Jool NAT64 4→6 (static BIB)", "fwd4-ct", "jool-nat64-46"),
    ("tayga-64", "Tayga 6→4 + NAT44 masquerade", "fwd6", "jool-nat64-64"),
]
TCP = [
    ("fwd6", "plain IPv6 forwarding", None, None),
    ("fwd4", "plain IPv4 forwarding", None, None),
    ("fwd6-ct", "IPv6 forwarding, conntrack", "fwd6", None),
    ("fwd4-ct", "IPv4 forwarding, conntrack", "fwd4", None),
    ("fwd6-ct-masq", "IPv6 forwarding, conntrack + masquerade", "fwd6", None),
    ("fwd6-ct-ft", "IPv6 forwarding, conntrack + flowtable", "fwd6", None),
    ("xlat-in", "nft_xlat SIIT, both ways at ingress", "fwd6", "jool-siit"),
    ("xlat-pre", "nft_xlat SIIT, both ways at prerouting -450", "fwd6", "jool-siit"),
    ("xlat-post", "nft_xlat SIIT, both ways at postrouting", "fwd6", "jool-siit"),
    ("xlat-nat", "nft_xlat SIIT, nat chains (bound connections)", "fwd6-ct", "jool-siit"),
    ("xlat-lab", "nft_xlat SIIT, lab ruleset (conntrack)", "fwd6-ct", "jool-siit"),
    ("xlat-lab-ft", "nft_xlat SIIT, lab ruleset, offload", "fwd6", "jool-siit"),
    ("xlat-nat64", "nft_xlat NAT64", "fwd6-ct-masq", "jool-nat64"),
    ("xlat-nat64-ft", "nft_xlat NAT64, offload", "fwd6-ct-masq", "jool-nat64"),
    ("jool-siit", "Jool SIIT", "fwd6", "jool-siit"),
    ("jool-nat64", "Jool NAT64", "fwd6", "jool-nat64"),
    ("tayga", "Tayga + NAT44 masquerade", "fwd6", "jool-nat64"),
]
TARGET_SIIT = 0.85
TARGET_NAT64 = 0.8
TARGET_FLAT = 0.9       # 100k sessions' capacity at least 0.9 of 1k's
TARGET_FT = 1.3         # issue 6: fast path / slow path

# The fast path against the slow path (issue 6): (kind, fast, slow, plain
# forwarding on the slow path, description).
FT = [
    ("pps", "fwd6-ct-ft", "fwd6-ct", "fwd6", "plain IPv6 forwarding, kernel flowtable"),
    ("pps", "xlat-lab-ft-64", "xlat-lab-64", "fwd6-ct", "nft_xlat SIIT 6→4 (lab ruleset)"),
    ("pps", "xlat-lab-ft-46", "xlat-lab-46", "fwd4-ct", "nft_xlat SIIT 4→6 (lab ruleset)"),
    ("pps", "xlat-nat64-ft-64", "xlat-nat64-64", "fwd6-ct-masq", "nft_xlat NAT64 6→4"),
    ("pps", "xlat-nat64-ft-46", "xlat-nat64-46", "fwd4-ct", "nft_xlat NAT64 4→6"),
    ("tcp1", "fwd6-ct-ft", "fwd6-ct", "fwd6", "plain IPv6 forwarding, kernel flowtable"),
    ("tcp1", "xlat-lab-ft", "xlat-lab", "fwd6", "nft_xlat SIIT (lab ruleset)"),
    ("tcp1", "xlat-nat64-ft", "xlat-nat64", "fwd6-ct-masq", "nft_xlat NAT64"),
]
# NAT64 scale: translator -> description
SCALE = [("xlat-nat64", "nft_xlat NAT64"), ("jool-nat64", "Jool NAT64")]
SCALE_SIZES = ["1k", "10k", "100k"]


def read_env(path):
    env = {}
    if not os.path.exists(path):
        return env
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for tok in shlex.split(line):
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    env[k] = v
    return env


def stats(vals):
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def fmt(s, digits=0, scale=1.0):
    if s is None:
        return "–"
    med, lo, hi = (x * scale for x in s)
    f = "{:.%df}" % digits
    return f"{f.format(med)} ({f.format(lo)}–{f.format(hi)})"


def cell(text):
    """Text for a markdown table cell: a | would end the cell."""
    return text.replace("|", "\\|")


def short(why):
    """The reason a test was not measured, in a few words for a table cell."""
    if not why:
        return "not in this run"
    if why.startswith("nft_xlat.ko is not loaded"):
        return "nft_xlat.ko not loaded, see below"
    return why.split(":")[0]


def fmt_ratio(s):
    if s is None:
        return "–"
    med, lo, hi = s
    return f"**{med:.2f}** ({lo:.2f}–{hi:.2f})"


def main():
    out = sys.argv[1]
    meta = read_env(os.path.join(out, "meta.env"))
    host = read_env(os.path.join(out, "host.env"))
    rows = []
    with open(os.path.join(out, "raw.csv")) as f:
        for r in csv.DictReader(f):
            if not r["round"].isdigit():
                continue
            rows.append(r)
    skipped = {}
    sp = os.path.join(out, "skipped.txt")
    if os.path.exists(sp):
        with open(sp) as f:
            for line in f:
                if "\t" in line:
                    k, v = line.rstrip("\n").split("\t", 1)
                    skipped[k] = v

    # data[kind][test][round] = row
    data = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        data[r["kind"]][r["test"]][int(r["round"])] = r

    def col(kind, test, field):
        return [float(r[field]) for r in data[kind][test].values()]

    def ratio(kind, test, base, field, invert):
        """Per-round ratio of test to base; invert for costs (lower is
        better), so that > 1 always means 'better than the baseline'."""
        if base is None or test not in data[kind] or base not in data[kind]:
            return None
        vals = []
        for rnd, r in data[kind][test].items():
            b = data[kind][base].get(rnd)
            if b is None:
                continue
            x, y = float(r[field]), float(b[field])
            if x <= 0 or y <= 0:
                continue
            vals.append(y / x if invert else x / y)
        return stats(vals)

    md = []
    w = md.append
    kernel = meta.get("kernel", "?")
    w("# nft_xlat benchmark results")
    w("")
    w("Generated by the benchmark itself (`tests/bench/report.py`); do not edit. "
      "Method: [README.md](README.md). Raw per-run numbers: [raw.csv](raw.csv).")
    w("")
    w("> **All absolute figures are TCG-emulated** (QEMU without KVM, on a shared "
      "2-CPU host): they are not comparable across runs or machines. Compare "
      "the ratios, which are taken between cases measured in the same round "
      "of the same run.")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| command | `{cell(host.get('command', '?'))}` |")
    w(f"| in the VM | `{cell(host.get('guest_command', '?'))}` |")
    w(f"| date | {meta.get('start', '?')} – {meta.get('end', '?')} "
      f"({meta.get('duration_s', '?')} s of measurement) |")
    w(f"| kernel | {kernel} (Debian {host.get('release', '?')}) |")
    w(f"| VM | QEMU {host.get('qemu', '?')} TCG (`-accel tcg,thread=multi -cpu max,-cx16`), "
      f"{meta.get('cpus', '?')} vCPUs, {host.get('vm_mem_mb', '?')} MiB; vCPU 0: traffic "
      f"generators and receivers, vCPU 1: the router (RPS) |")
    w(f"| host | {host.get('host_cpu', '?')}, {host.get('host_cpus', '?')} CPUs, "
      f"load average at start {host.get('host_load', '?')} |")
    w(f"| rounds | {meta.get('rounds', '?')} interleaved rounds; packet rate: "
      f"{meta.get('warm_secs', '?')} s warm-up + {meta.get('pps_secs', '?')} s window; "
      f"TCP: {meta.get('tcp_secs', '?')} s per run, 1 and {meta.get('streams', '?')} streams |")
    w(f"| prefix | `{meta.get('prefix', '?')}` |")
    xl = ("loaded, rules installed with "
          + ("nft" if meta.get("xlat_rule_path") == "nft" else "nft-xlat-rule")
          if meta.get("xlat_loaded") == "1"
          else f"**not loaded**: {host.get('xlat_skip', 'did not build')}")
    w(f"| nft_xlat | {host.get('xlat_version', '?')}, {xl} |")
    w(f"| peers | Jool {meta.get('jool') or 'not installed'}, "
      f"Tayga {meta.get('tayga') or 'not installed'}; {meta.get('nftables', '')}, "
      f"{meta.get('iperf3', '')} |")
    if meta.get("cases", "all") != "all":
        w(f"| subset | BENCH_CASES=`{meta['cases']}` (not a full run) |")
    w("")

    # ---------------------------------------------------------- packet rate
    w("## Packet rate: 64-byte UDP payload, pktgen, one flow")
    w("")
    w("Sender `c6` (or `c4` for 4→6) → router `rtr` → receiver, counted by an nft "
      "counter at the receiver's ingress. *ns/pkt* is the router vCPU's busy "
      "time (`/proc/stat`) per delivered packet; *capacity* = 1/(ns/pkt), the rate "
      "the router's CPU could sustain. Ratios > 1 are better than the baseline: "
      "*vs plain* against forwarding of the sender's family (with conntrack "
      "where the case has it), *vs Jool* against Jool in the same direction.")
    w("")
    w("| test | case | delivered kpps | router ns/pkt | router CPU % | loss % "
      "| capacity vs plain | capacity vs Jool | delivered vs plain |")
    w("|---|---|---|---|---|---|---|---|---|")
    pps_plot = []
    for test, desc, plain, jool in PPS:
        if test not in data["pps"]:
            w(f"| {test} | {desc} | *not measured* ({short(skipped.get(test))}) | | | | | | |")
            continue
        kp = stats(col("pps", test, "rate"))
        ns = stats(col("pps", test, "rtr_cost"))
        cpu = stats(col("pps", test, "rtr_cpu_pct"))
        loss = stats(col("pps", test, "loss_pct"))
        rp = ratio("pps", test, plain, "rtr_cost", True)
        rj = ratio("pps", test, jool, "rtr_cost", True) if jool != test else None
        dp = ratio("pps", test, plain, "rate", False)
        w(f"| {test} | {desc} | {fmt(kp, 1, 1e-3)} | {fmt(ns)} | {fmt(cpu)} | "
          f"{fmt(loss, 1)} | {fmt_ratio(rp)} | "
          f"{'(baseline)' if jool == test else fmt_ratio(rj)} | {fmt_ratio(dp)} |")
        pps_plot.append((test, ns, kp))
    w("")

    # ------------------------------------------------------------------ TCP
    w("## TCP throughput: iperf3 c6 → c4, GRO on")
    w("")
    w("The client sends, so data crosses the router 6→4 (translated cases) and "
      "ACKs 4→6. *ns/KB* is the router vCPU's busy time per KiB received; the "
      "ends (client and server) share vCPU 0 and usually limit the rate, so "
      "*cost vs plain* (inverse ns/KB, > 1 = cheaper) is the router's figure.")
    w("")
    w("| test | case | streams | Mbit/s | router ns/KB | router CPU % "
      "| Mbit/s vs plain | cost vs plain | Mbit/s vs Jool | cost vs Jool |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    streams = meta.get("streams", "4")
    tcp_plot = []
    for test, desc, plain, jool in TCP:
        got = False
        plotrow = [test]
        for kind in ("tcp1", f"tcp{streams}"):
            if test not in data[kind]:
                plotrow.append(None)
                continue
            got = True
            mb = stats(col(kind, test, "rate"))
            cost = stats(col(kind, test, "rtr_cost"))
            cpu = stats(col(kind, test, "rtr_cpu_pct"))
            bp = ratio(kind, test, plain, "rate", False)
            cp = ratio(kind, test, plain, "rtr_cost", True)
            bj = ratio(kind, test, jool, "rate", False) if jool != test else None
            cj = ratio(kind, test, jool, "rtr_cost", True) if jool != test else None
            base = "(baseline)" if jool == test else None
            w(f"| {test} | {desc} | {kind[3:]} | {fmt(mb)} | {fmt(cost)} | {fmt(cpu)} | "
              f"{fmt_ratio(bp)} | {fmt_ratio(cp)} | {base or fmt_ratio(bj)} | "
              f"{base or fmt_ratio(cj)} |")
            plotrow.append(mb)
        if not got:
            w(f"| {test} | {desc} | | *not measured* ({short(skipped.get(test))}) | | | | | | |")
        else:
            tcp_plot.append(plotrow)
    w("")

    # ------------------------------------------------------------ flowtable
    w("## Fast path: flowtable and `xlat ... offload` (issue 6)")
    w("")
    w("Each case with its fast path against the same case without it, measured in "
      "the same rounds: the kernel's flowtable (`flow add @ft`) for plain IPv6 "
      "forwarding (slow path: `fwd6-ct`), nft_xlat's own fast path (`xlat from "
      "... offload` on the rule that translates at postrouting) for SIIT and NAT64. "
      "*fast/slow* > 1 means the fast path is faster (capacity: inverse router "
      "ns per packet or per KiB; rate: delivered kpps or Mbit/s). *vs plain slow* "
      f"is the fast path against plain forwarding without one. Issue 6's targets: "
      f"translated fast/slow ≥ {TARGET_FT} and fast ≥ plain forwarding (capacity).")
    w("")
    w("| case | test | fast path | slow path | fast/slow capacity | fast/slow rate "
      "| vs plain slow (capacity) | plain | met? |")
    w("|---|---|---|---|---|---|---|---|---|")
    ft_results = []
    for kind, fast, slow, plain, desc in FT:
        unit = "pps" if kind == "pps" else "TCP 1 stream"
        if fast not in data[kind]:
            w(f"| {desc}, {unit} | {fast} | *not measured* ({short(skipped.get(fast))}) "
              f"| | | | | {plain} | – |")
            ft_results.append((fast, None, None))
            continue
        if kind == "pps":
            fv = fmt(stats(col(kind, fast, "rate")), 1, 1e-3) + " kpps"
            sv = (fmt(stats(col(kind, slow, "rate")), 1, 1e-3) + " kpps"
                  if slow in data[kind] else "–")
        else:
            fv = fmt(stats(col(kind, fast, "rate"))) + " Mbit/s"
            sv = (fmt(stats(col(kind, slow, "rate"))) + " Mbit/s"
                  if slow in data[kind] else "–")
        cap = ratio(kind, fast, slow, "rtr_cost", True)
        rate = ratio(kind, fast, slow, "rate", False)
        vp = ratio(kind, fast, plain, "rtr_cost", True)
        if fast.startswith("xlat-"):
            ok = (cap is not None and cap[0] >= TARGET_FT and
                  vp is not None and vp[0] >= 1.0)
            met = "yes" if ok else "no"
        else:
            met = "(reference)"
        ft_results.append((fast, cap, vp))
        w(f"| {desc}, {unit} | {fast} | {fv} | {sv} | {fmt_ratio(cap)} | "
          f"{fmt_ratio(rate)} | {fmt_ratio(vp)} | {plain} | {met} |")
    w("")

    # ---------------------------------------------------------- NAT64 scale
    w("## NAT64 scale (RFC 9693 ideas)")
    w("")
    w("**Session-setup rate.** pktgen sends one UDP packet per fresh (source "
      "port, destination port) pair from `2001:db8:6::2` to c4, as fast as it "
      "can; every packet the receiver gets opened one session (a conntrack "
      "entry for nft_xlat, a BIB entry and session for Jool). The rate is taken "
      "over a burst of up to 30 000 new sessions while the table grows from "
      "10 k towards 100 k. *ns/session* is the router vCPU's busy time per "
      "session; *vs Jool* > 1 is better.")
    w("")
    w("| test | case | sessions/s | router ns/session | router CPU % | loss % "
      "| new sessions in the burst | rate vs Jool | capacity vs Jool |")
    w("|---|---|---|---|---|---|---|---|---|")
    for pfx, desc in SCALE:
        test = f"{pfx}-setup"
        if test not in data["setup"]:
            w(f"| {test} | {desc} | *not measured* ({short(skipped.get(test))}) | | | | | | |")
            continue
        base = "jool-nat64-setup"
        own = test == base
        w(f"| {test} | {desc} | {fmt(stats(col('setup', test, 'rate')))} | "
          f"{fmt(stats(col('setup', test, 'rtr_cost')))} | "
          f"{fmt(stats(col('setup', test, 'rtr_cpu_pct')))} | "
          f"{fmt(stats(col('setup', test, 'loss_pct')), 1)} | "
          f"{fmt(stats(col('setup', test, 'sessions')))} | "
          f"{'(baseline)' if own else fmt_ratio(ratio('setup', test, base, 'rate', False))} | "
          f"{'(baseline)' if own else fmt_ratio(ratio('setup', test, base, 'rtr_cost', True))} |")
    w("")
    w("**Cost per packet with live sessions.** The packet rate of one existing "
      "flow (as `*-nat64-64`) once the table holds 1 k, 10 k and 100 k sessions "
      "(opened as above, UDP timeouts longer than the run; *sessions*: "
      "`conntrack -C` for nft_xlat, the packets the receiver got for Jool). Conntrack table: "
      f"{meta.get('ct_buckets', '?')} "
      f"buckets, at most {meta.get('ct_max', '?')} entries. *vs 1k* is the "
      "capacity (inverse router ns/pkt) and the delivered rate against the same "
      f"translator at 1 k sessions in the same round; target: ≥ {TARGET_FLAT} at 100 k "
      "(flat within 10 %).")
    w("")
    w("| test | case | sessions | delivered kpps | router ns/pkt | router CPU % "
      "| capacity vs 1k | delivered vs 1k | capacity vs Jool |")
    w("|---|---|---|---|---|---|---|---|---|")
    scale_plot = []
    for pfx, desc in SCALE:
        for size in SCALE_SIZES:
            test = f"{pfx}-{size}"
            if test not in data["pps"]:
                w(f"| {test} | {desc}, {size} sessions | *not measured* "
                  f"({short(skipped.get(test))}) | | | | | | |")
                continue
            one = f"{pfx}-1k"
            jool = f"jool-nat64-{size}"
            ses = [float(r["sessions"]) for r in data["pps"][test].values()
                   if r.get("sessions")]
            ns = stats(col("pps", test, "rtr_cost"))
            w(f"| {test} | {desc}, {size} sessions | {fmt(stats(ses))} | "
              f"{fmt(stats(col('pps', test, 'rate')), 1, 1e-3)} | {fmt(ns)} | "
              f"{fmt(stats(col('pps', test, 'rtr_cpu_pct')))} | "
              f"{'–' if test == one else fmt_ratio(ratio('pps', test, one, 'rtr_cost', True))} | "
              f"{'–' if test == one else fmt_ratio(ratio('pps', test, one, 'rate', False))} | "
              f"{'(baseline)' if test == jool else fmt_ratio(ratio('pps', test, jool, 'rtr_cost', True))} |")
            scale_plot.append((test, ns))
    w("")

    # -------------------------------------------------------------- targets
    w("## Targets (issue 7)")
    w("")
    w("| target | test | result | met? |")
    w("|---|---|---|---|")
    for test, desc, plain, jool in PPS:
        if not test.startswith("xlat-") or "nat64" in test:
            continue
        if test not in data["pps"]:
            w(f"| SIIT ≥ {TARGET_SIIT} × plain, ahead of Jool | {test} | "
              f"not measured ({short(skipped.get(test))}) | – |")
            continue
        rp = ratio("pps", test, plain, "rtr_cost", True)
        rj = ratio("pps", test, jool, "rtr_cost", True)
        ok_p = rp is not None and rp[0] >= TARGET_SIIT
        ok_j = rj is not None and rj[0] > 1.0
        res = (f"{rp[0]:.2f} × {plain}" if rp else f"no {plain}") + ", " + \
              (f"{rj[0]:.2f} × Jool" if rj else "no Jool figure")
        w(f"| SIIT ≥ {TARGET_SIIT} × plain, ahead of Jool | {test} | {res} | "
          f"{'yes' if ok_p and ok_j else 'no'} |")
    for test in ("xlat-nat64-64", "xlat-nat64-ft-64"):
        name = f"NAT64 ≥ {TARGET_NAT64} × IPv6 fwd + conntrack + masquerade, ahead of Jool NAT64"
        if test not in data["pps"]:
            w(f"| {name} | {test} | not measured ({short(skipped.get(test))}) | – |")
            continue
        rp = ratio("pps", test, "fwd6-ct-masq", "rtr_cost", True)
        rj = ratio("pps", test, "jool-nat64-64", "rtr_cost", True)
        ok = rp is not None and rp[0] >= TARGET_NAT64 and rj is not None and rj[0] > 1.0
        res = (f"{rp[0]:.2f} × fwd6-ct-masq" if rp else "no fwd6-ct-masq") + ", " + \
              (f"{rj[0]:.2f} × Jool" if rj else "no Jool figure")
        w(f"| {name} | {test} | {res} | {'yes' if ok else 'no'} |")
    test = "xlat-nat64-setup"
    if test in data["setup"]:
        rj = ratio("setup", test, "jool-nat64-setup", "rate", False)
        res = f"{rj[0]:.2f} × Jool" if rj else "no Jool figure"
        w(f"| NAT64 session-setup rate ahead of Jool's | {test} | {res} | "
          f"{'yes' if rj and rj[0] > 1.0 else 'no'} |")
    else:
        w(f"| NAT64 session-setup rate ahead of Jool's | {test} | "
          f"not measured ({short(skipped.get(test))}) | – |")
    for pfx, _ in SCALE:
        test = f"{pfx}-100k"
        name = f"cost per packet flat (≥ {TARGET_FLAT} × 1k) up to 100 k sessions"
        if test not in data["pps"]:
            w(f"| {name} | {test} | not measured ({short(skipped.get(test))}) | – |")
            continue
        r = ratio("pps", test, f"{pfx}-1k", "rtr_cost", True)
        w(f"| {name} | {test} | {f'{r[0]:.2f} × 1k' if r else 'no 1k figure'} | "
          f"{('yes' if r and r[0] >= TARGET_FLAT else 'no') if pfx.startswith('xlat') else '(peer)'} |")
    for fast, cap, vp in ft_results:
        if not fast.startswith("xlat-"):
            continue
        name = f"fast path ≥ {TARGET_FT} × slow path, ≥ plain forwarding (issue 6)"
        if cap is None:
            w(f"| {name} | {fast} | not measured ({short(skipped.get(fast))}) | – |")
            continue
        ok = cap[0] >= TARGET_FT and vp is not None and vp[0] >= 1.0
        w(f"| {name} | {fast} | {cap[0]:.2f} × slow, "
          f"{f'{vp[0]:.2f}' if vp else '–'} × plain | {'yes' if ok else 'no'} |")
    w("")

    # -------------------------------------------------------------- skipped
    if skipped:
        w("## Not measured in this run")
        w("")
        w("| tests | why |")
        w("|---|---|")
        byreason = defaultdict(list)
        for k, v in skipped.items():
            byreason[v].append(k)
        for v, ks in byreason.items():
            w(f"| {', '.join(ks)} | {v} |")
        w("")

    # -------------------------------------------------------------- plots
    plots = make_plots(out, pps_plot, tcp_plot, streams, kernel, scale_plot)
    if plots:
        w("## Plots")
        w("")
        for p, alt in plots:
            w(f"![{alt}]({p})")
            w("")

    profs = sorted(p for p in os.listdir(out) if p.startswith("profile-"))
    if profs:
        w("## Profiles")
        w("")
        w("Where the router's vCPU spends its time in each translator's packet-rate "
          "test (`perf record -e cpu-clock -C 1`, a separate run after the rounds; "
          "top symbols):")
        w("")
        for p in profs:
            objs, syms, section = [], [], None
            with open(os.path.join(out, p)) as f:
                for line in f:
                    if line.startswith("# by object"):
                        section = objs
                    elif line.startswith("# top symbols"):
                        section = syms
                    elif not line.startswith("#") and section is not None:
                        f2 = line.split()
                        if len(f2) >= 2:
                            section.append((f2[0], f2[-1]))
            w(f"- [{p}]({p}): by object " +
              ", ".join(f"{o} {pc}" for pc, o in objs[:3]) +
              "; top symbols " + ", ".join(f"`{s}` {pc}" for pc, s in syms[:4]))
        w("")

    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(md))


def make_plots(out, pps_plot, tcp_plot, streams, kernel, scale_plot=()):
    """Write the plot data and gnuplot scripts, and run gnuplot when there
    is one (it is in the guest; a host without it keeps the plots that
    are there, drawn from the same raw.csv)."""
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: no gnuplot here: plots not redrawn", file=sys.stderr)
    made = []

    def draw(name, alt):
        if gp:
            subprocess.run([gp, f"{name}.gp"], cwd=out, check=False)
        if os.path.exists(os.path.join(out, f"{name}.svg")):
            made.append((f"{name}.svg", alt))

    common = (
        "set terminal svg size 900,480 dynamic enhanced font 'sans,11'\n"
        "set style data histogram\n"
        "set style histogram errorbars gap 1 lw 1\n"
        "set style fill solid 0.6 border -1\n"
        "set xtics rotate by -35 left nomirror\n"
        "set grid ytics\n"
        "set yrange [0:*]\n"
        "set key top left\n"
        "set bmargin 7\n"
    )
    if pps_plot:
        with open(os.path.join(out, "pps.dat"), "w") as f:
            f.write("# test ns_med ns_min ns_max kpps_med kpps_min kpps_max\n")
            for test, ns, kp in pps_plot:
                f.write(f"{test} {ns[0]} {ns[1]} {ns[2]} "
                        f"{kp[0] / 1e3} {kp[1] / 1e3} {kp[2] / 1e3}\n")
        script = common + (
            "set output 'pps.svg'\n"
            "set title \"Router vCPU time per delivered 64 B UDP packet (lower is better)\\n"
            f"{kernel}, TCG; median and min-max over the rounds\"\n"
            "set ylabel 'ns per packet (router vCPU), log scale'\n"
            "set logscale y\n"
            "set yrange [1000:*]\n"
            "plot 'pps.dat' using 2:3:4:xtic(1) title 'ns/pkt' lc rgb '#4477aa'\n"
        )
        with open(os.path.join(out, "pps.gp"), "w") as f:
            f.write(script)
        draw("pps", "router ns per packet")
    if tcp_plot:
        with open(os.path.join(out, "tcp.dat"), "w") as f:
            f.write(f"# test x1_med x1_min x1_max x{streams}_med x{streams}_min x{streams}_max\n")
            for row in tcp_plot:
                vals = []
                for s in row[1:]:
                    vals += list(s) if s else ["NaN"] * 3
                f.write(row[0] + " " + " ".join(str(v) for v in vals) + "\n")
        script = common + (
            "set output 'tcp.svg'\n"
            "set title \"TCP throughput through the router (iperf3, GRO on)\\n"
            f"{kernel}, TCG; median and min-max over the rounds\"\n"
            "set ylabel 'Mbit/s'\n"
            "plot 'tcp.dat' using 2:3:4:xtic(1) title '1 stream' lc rgb '#4477aa', "
            f"'' using 5:6:7 title '{streams} streams' lc rgb '#ee6677'\n"
        )
        with open(os.path.join(out, "tcp.gp"), "w") as f:
            f.write(script)
        draw("tcp", "TCP throughput")
    if scale_plot:
        with open(os.path.join(out, "scale.dat"), "w") as f:
            f.write("# test ns_med ns_min ns_max\n")
            for test, ns in scale_plot:
                f.write(f"{test} {ns[0]} {ns[1]} {ns[2]}\n")
        script = common + (
            "set output 'scale.svg'\n"
            "set title \"NAT64: router vCPU time per packet of one flow with 1k, 10k, 100k "
            "live sessions (lower is better)\\n"
            f"{kernel}, TCG; median and min-max over the rounds\"\n"
            "set ylabel 'ns per packet (router vCPU)'\n"
            "plot 'scale.dat' using 2:3:4:xtic(1) title 'ns/pkt' lc rgb '#228833'\n"
        )
        with open(os.path.join(out, "scale.gp"), "w") as f:
            f.write(script)
        draw("scale", "NAT64 cost per packet against live sessions")
    return made


if __name__ == "__main__":
    main()
