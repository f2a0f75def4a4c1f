// SPDX-License-Identifier: GPL-2.0-only
/* Per-netns counters of nft_xlat, shown in /proc/net/stat/nft_xlat as one
 * "name value" line per counter, like /proc/net/snmp6.
 *
 * The counters are per-cpu unsigned longs, as the SNMP MIBs of
 * <net/snmp.h>: this_cpu_inc() is safe from any context without locks,
 * and a reader sums the CPUs.  On 32-bit they wrap at 2^32, as the SNMP
 * MIBs do.
 */
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/init.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_xlat.h>

struct nf_xlat_mib {
	unsigned long	mibs[NF_XLAT_STAT_MAX];
};

struct nf_xlat_net {
	struct nf_xlat_mib __percpu	*mib;
};

static unsigned int nf_xlat_net_id __read_mostly;

/* The enum names, lowercased, without their prefix. */
static const char * const nf_xlat_stat_names[] = {
	[NF_XLAT_STAT_4TO6]		= "4to6",
	[NF_XLAT_STAT_6TO4]		= "6to4",
	[NF_XLAT_STAT_ICMP_ERR_4TO6]	= "icmp_err_4to6",
	[NF_XLAT_STAT_ICMP_ERR_6TO4]	= "icmp_err_6to4",
	[NF_XLAT_STAT_FRAGS_OUT]	= "frags_out",
	[NF_XLAT_STAT_ICMP_SENT]	= "icmp_sent",
	[NF_XLAT_STAT_PASS_NOMAP]	= "pass_nomap",
	[NF_XLAT_STAT_PASS_LOOP]	= "pass_loop",
	[NF_XLAT_STAT_PASS_UNSUPP]	= "pass_unsupp",
	[NF_XLAT_DROP_MALFORMED]	= "drop_malformed",
	[NF_XLAT_DROP_CSUM]		= "drop_csum",
	[NF_XLAT_DROP_ICMP_TYPE]	= "drop_icmp_type",
	[NF_XLAT_DROP_ICMP_INNER]	= "drop_icmp_inner",
	[NF_XLAT_DROP_ICMP_FRAG]	= "drop_icmp_frag",
	[NF_XLAT_DROP_UDP_ZERO_CSUM]	= "drop_udp_zero_csum",
	[NF_XLAT_DROP_SRC_ROUTE]	= "drop_src_route",
	[NF_XLAT_DROP_ROUTING_HDR]	= "drop_routing_hdr",
	[NF_XLAT_DROP_EXT_HDR]		= "drop_ext_hdr",
	[NF_XLAT_DROP_TOO_BIG]		= "drop_too_big",
	[NF_XLAT_DROP_NO_ROUTE]		= "drop_no_route",
	[NF_XLAT_DROP_NOMEM]		= "drop_nomem",
	[NF_XLAT_DROP_GSO]		= "drop_gso",
	[NF_XLAT_DROP_TTL]		= "drop_ttl",
	[NF_XLAT_STAT_FLOW_ADD]		= "flow_add",
	[NF_XLAT_STAT_FLOW_FAST]	= "flow_fast",
	[NF_XLAT_STAT_BIND]		= "bind",
	[NF_XLAT_DROP_BIND]		= "drop_bind",
};

static_assert(ARRAY_SIZE(nf_xlat_stat_names) == NF_XLAT_STAT_MAX);

/* Only the data path of an xlat expression counts, and it runs for a
 * netns only while a packet is in that netns: cleanup_net() unregisters
 * every device of the netns and then waits for an RCU grace period before
 * it calls any ->exit(), so no packet is left there that could reach
 * nf_xlat_stat_add() with it once nf_xlat_net_exit() frees the counters.
 * On module unload no expression of the type is left (each holds a
 * module reference) and nf_tables frees the last one after a grace period.
 */
void nf_xlat_stat_add(struct net *net, enum nf_xlat_stat stat, unsigned int n)
{
	struct nf_xlat_net *xn = net_generic(net, nf_xlat_net_id);

	if (WARN_ON_ONCE(stat >= NF_XLAT_STAT_MAX))
		return;
	this_cpu_add(xn->mib->mibs[stat], n);
}

void nf_xlat_stat_inc(struct net *net, enum nf_xlat_stat stat)
{
	nf_xlat_stat_add(net, stat, 1);
}

#ifdef CONFIG_PROC_FS
static int nf_xlat_stats_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct nf_xlat_net *xn = net_generic(net, nf_xlat_net_id);
	unsigned long sum[NF_XLAT_STAT_MAX] = {};
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct nf_xlat_mib *mib = per_cpu_ptr(xn->mib, cpu);

		for (i = 0; i < NF_XLAT_STAT_MAX; i++)
			sum[i] += READ_ONCE(mib->mibs[i]);
	}
	for (i = 0; i < NF_XLAT_STAT_MAX; i++)
		seq_printf(seq, "%s %lu\n", nf_xlat_stat_names[i], sum[i]);
	return 0;
}

/* The file holds a reference on its netns while it is open, and
 * remove_proc_entry() waits for readers, so the counters outlive them.
 */
static int nf_xlat_proc_init(struct net *net)
{
	if (!proc_create_net_single("nft_xlat", 0444, net->proc_net_stat,
				    nf_xlat_stats_show, NULL))
		return -ENOMEM;
	return 0;
}

static void nf_xlat_proc_exit(struct net *net)
{
	remove_proc_entry("nft_xlat", net->proc_net_stat);
}
#else
static int nf_xlat_proc_init(struct net *net)
{
	return 0;
}

static void nf_xlat_proc_exit(struct net *net)
{
}
#endif /* CONFIG_PROC_FS */

static int __net_init nf_xlat_net_init(struct net *net)
{
	struct nf_xlat_net *xn = net_generic(net, nf_xlat_net_id);
	int err;

	xn->mib = alloc_percpu(struct nf_xlat_mib);
	if (!xn->mib)
		return -ENOMEM;

	err = nf_xlat_proc_init(net);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	free_percpu(xn->mib);
	return err;
}

static void __net_exit nf_xlat_net_exit(struct net *net)
{
	struct nf_xlat_net *xn = net_generic(net, nf_xlat_net_id);

	nf_xlat_proc_exit(net);
	free_percpu(xn->mib);
}

static struct pernet_operations nf_xlat_net_ops = {
	.init	= nf_xlat_net_init,
	.exit	= nf_xlat_net_exit,
	.id	= &nf_xlat_net_id,
	.size	= sizeof(struct nf_xlat_net),
};

int __init nf_xlat_stats_init(void)
{
	return register_pernet_subsys(&nf_xlat_net_ops);
}

void nf_xlat_stats_exit(void)
{
	unregister_pernet_subsys(&nf_xlat_net_ops);
}
