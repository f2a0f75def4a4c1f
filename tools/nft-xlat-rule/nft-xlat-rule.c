// SPDX-License-Identifier: GPL-2.0
/*
 * nft-xlat-rule - add and list nf_tables rules holding an "xlat" expression
 * without a patched nft.  Stock nft neither parses "xlat" nor shows rules
 * that hold one (it lists such chains as empty), so the project's tests and
 * operators without the libnftnl/nftables series use this tool on chains
 * created by stock nft.  The argument syntax is nft's:
 *
 *   nft-xlat-rule add FAMILY TABLE CHAIN [counter] xlat to|from PREFIX [OPTS]
 *   nft-xlat-rule add FAMILY TABLE CHAIN [counter] xlat to|from \
 *           saddr PREFIX daddr PREFIX [OPTS]
 *   nft-xlat-rule list FAMILY TABLE CHAIN
 *
 *   OPTS: tclass copy|zero | udp-zero-checksum compute|drop |
 *         icmp-source A.B.C.D | mtu6 N | offload
 *
 * The prefix length is sent as given, without RFC 6052 checks, so tests can
 * probe the kernel's own checks.  Errors are printed the way nft prints
 * them ("Could not process rule: <strerror>") and exit with status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "uapi/linux/netfilter/nf_tables_xlat.h"

struct xlat_prefix {
	struct in6_addr addr;
	unsigned int len;
};

struct xlat_rule {
	bool counter;
	uint32_t mode;
	struct xlat_prefix dst, src;
	bool has_src;
	uint32_t flags;
	bool has_icmp_src, has_mtu6;
	struct in_addr icmp_src;
	uint32_t mtu6;
};

static const char *prog = "nft-xlat-rule";

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: %s add FAMILY TABLE CHAIN [counter] xlat to|from PREFIX [OPTS]\n"
		"       %s add FAMILY TABLE CHAIN [counter] xlat to|from saddr PREFIX daddr PREFIX [OPTS]\n"
		"       %s list FAMILY TABLE CHAIN\n"
		"FAMILY: ip ip6 inet netdev\n"
		"OPTS: tclass copy|zero  udp-zero-checksum compute|drop\n"
		"      icmp-source ADDR4  mtu6 N  offload\n",
		prog, prog, prog);
	exit(2);
}

static int parse_family(const char *s)
{
	static const struct { const char *name; int family; } families[] = {
		{ "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 },
		{ "inet", NFPROTO_INET }, { "netdev", NFPROTO_NETDEV },
	};
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(s, families[i].name))
			return families[i].family;
	fprintf(stderr, "%s: unknown family '%s'\n", prog, s);
	exit(2);
}

static void parse_prefix(const char *s, struct xlat_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len = 96;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		len = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len > 255)
			goto bad;
	}
	if (inet_pton(AF_INET6, buf, &p->addr) != 1)
		goto bad;
	p->len = len;
	return;
bad:
	fprintf(stderr, "%s: bad IPv6 prefix '%s'\n", prog, s);
	exit(2);
}

static void parse_xlat(int argc, char **argv, struct xlat_rule *r)
{
	int i = 0;

	memset(r, 0, sizeof(*r));
	if (i < argc && !strcmp(argv[i], "counter")) {
		r->counter = true;
		i++;
	}
	if (argc - i < 3 || strcmp(argv[i], "xlat"))
		usage();
	if (!strcmp(argv[i + 1], "to"))
		r->mode = NFT_XLAT_4TO6;
	else if (!strcmp(argv[i + 1], "from"))
		r->mode = NFT_XLAT_6TO4;
	else
		usage();
	i += 2;
	if (!strcmp(argv[i], "saddr")) {
		if (argc - i < 4 || strcmp(argv[i + 2], "daddr"))
			usage();
		parse_prefix(argv[i + 1], &r->src);
		parse_prefix(argv[i + 3], &r->dst);
		r->has_src = true;
		i += 4;
	} else {
		parse_prefix(argv[i++], &r->dst);
	}
	while (i < argc) {
		if (!strcmp(argv[i], "offload")) {
			r->flags |= NFT_XLAT_F_OFFLOAD;
			i++;
			continue;
		}
		if (argc - i < 2)
			usage();
		if (!strcmp(argv[i], "tclass") && !strcmp(argv[i + 1], "zero")) {
			r->flags |= NFT_XLAT_F_TCLASS_ZERO;
		} else if (!strcmp(argv[i], "tclass") &&
			   !strcmp(argv[i + 1], "copy")) {
			r->flags &= ~NFT_XLAT_F_TCLASS_ZERO;
		} else if (!strcmp(argv[i], "udp-zero-checksum") &&
			   !strcmp(argv[i + 1], "drop")) {
			r->flags |= NFT_XLAT_F_UDP_ZERO_CSUM_DROP;
		} else if (!strcmp(argv[i], "udp-zero-checksum") &&
			   !strcmp(argv[i + 1], "compute")) {
			r->flags &= ~NFT_XLAT_F_UDP_ZERO_CSUM_DROP;
		} else if (!strcmp(argv[i], "icmp-source")) {
			if (inet_pton(AF_INET, argv[i + 1], &r->icmp_src) != 1)
				usage();
			r->has_icmp_src = true;
		} else if (!strcmp(argv[i], "mtu6")) {
			r->mtu6 = strtoul(argv[i + 1], NULL, 0);
			r->has_mtu6 = true;
		} else {
			usage();
		}
		i += 2;
	}
}

static struct nlmsghdr *put_msg(char *buf, uint16_t type, uint16_t flags,
				int family, uint32_t seq, uint16_t res_id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(res_id);
	return nlh;
}

static void put_expr_counter(struct nlmsghdr *nlh)
{
	struct nlattr *elem, *data;

	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "counter");
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u64(nlh, NFTA_COUNTER_BYTES, 0);
	mnl_attr_put_u64(nlh, NFTA_COUNTER_PACKETS, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
}

static void put_expr_xlat(struct nlmsghdr *nlh, const struct xlat_rule *r)
{
	struct nlattr *elem, *data;

	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "xlat");
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_XLAT_MODE, htonl(r->mode));
	mnl_attr_put(nlh, NFTA_XLAT_DADDR_PREFIX, sizeof(r->dst.addr),
		     &r->dst.addr);
	mnl_attr_put_u8(nlh, NFTA_XLAT_DADDR_PLEN, r->dst.len);
	if (r->has_src) {
		mnl_attr_put(nlh, NFTA_XLAT_SADDR_PREFIX, sizeof(r->src.addr),
			     &r->src.addr);
		mnl_attr_put_u8(nlh, NFTA_XLAT_SADDR_PLEN, r->src.len);
	}
	if (r->flags)
		mnl_attr_put_u32(nlh, NFTA_XLAT_FLAGS, htonl(r->flags));
	if (r->has_icmp_src)
		mnl_attr_put_u32(nlh, NFTA_XLAT_ICMP_SRC, r->icmp_src.s_addr);
	if (r->has_mtu6)
		mnl_attr_put_u32(nlh, NFTA_XLAT_MTU6, htonl(r->mtu6));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
}

static struct mnl_socket *open_nl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		exit(1);
	}
	return nl;
}

/* Send a buffer and read answers until the last request is acked. */
static int talk(struct mnl_socket *nl, const void *req, size_t len,
		uint32_t seq, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, req, len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int cmd_add(int family, const char *table, const char *chain,
		   int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = time(NULL);
	struct mnl_nlmsg_batch *b;
	struct nlattr *exprs;
	struct nlmsghdr *nlh;
	struct mnl_socket *nl;
	struct xlat_rule r;
	int err;

	parse_xlat(argc, argv, &r);
	b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	put_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_BEGIN, 0,
		AF_UNSPEC, seq, NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);
	nlh = put_msg(mnl_nlmsg_batch_current(b),
		      (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE,
		      NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, family, seq + 1, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	if (r.counter)
		put_expr_counter(nlh);
	put_expr_xlat(nlh, &r);
	mnl_attr_nest_end(nlh, exprs);
	mnl_nlmsg_batch_next(b);
	put_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_END, 0,
		AF_UNSPEC, seq + 2, NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);

	nl = open_nl();
	err = talk(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b),
		   seq + 1, NULL, NULL);
	mnl_socket_close(nl);
	if (err) {
		fprintf(stderr, "Error: Could not process rule: %s\n",
			strerror(-err));
		return 1;
	}
	return 0;
}

/* ---- list: decode rules as nft would print them ---- */

struct list_ctx {
	const char *table, *chain;
	int rules;
};

static void print_prefix(const struct nlattr *addr, const struct nlattr *len)
{
	char s[INET6_ADDRSTRLEN];

	if (!addr || mnl_attr_get_payload_len(addr) != 16) {
		printf("?");
		return;
	}
	inet_ntop(AF_INET6, mnl_attr_get_payload(addr), s, sizeof(s));
	printf("%s/%u", s, len ? mnl_attr_get_u8(len) : 0);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void print_xlat(const struct nlattr *nest)
{
	const struct nlattr *tb[NFTA_XLAT_MAX + 1] = {};
	const struct nlattr *sp, *sl, *dp, *dl;
	uint32_t mode = 0, flags = 0;
	char s[INET_ADDRSTRLEN];

	mnl_attr_parse_nested(nest, attr_cb, tb);
	if (tb[NFTA_XLAT_MODE])
		mode = ntohl(mnl_attr_get_u32(tb[NFTA_XLAT_MODE]));
	printf("xlat %s ", mode == NFT_XLAT_4TO6 ? "to" :
			   mode == NFT_XLAT_6TO4 ? "from" : "?");
	dp = tb[NFTA_XLAT_DADDR_PREFIX];
	dl = tb[NFTA_XLAT_DADDR_PLEN];
	sp = tb[NFTA_XLAT_SADDR_PREFIX] ?: dp;
	sl = tb[NFTA_XLAT_SADDR_PLEN] ?: dl;
	if (sp && dp && sl && dl &&
	    !memcmp(mnl_attr_get_payload(sp), mnl_attr_get_payload(dp), 16) &&
	    mnl_attr_get_u8(sl) == mnl_attr_get_u8(dl)) {
		print_prefix(dp, dl);
	} else {
		printf("saddr ");
		print_prefix(sp, sl);
		printf(" daddr ");
		print_prefix(dp, dl);
	}
	if (tb[NFTA_XLAT_FLAGS])
		flags = ntohl(mnl_attr_get_u32(tb[NFTA_XLAT_FLAGS]));
	if (flags & NFT_XLAT_F_TCLASS_ZERO)
		printf(" tclass zero");
	if (flags & NFT_XLAT_F_UDP_ZERO_CSUM_DROP)
		printf(" udp-zero-checksum drop");
	if (tb[NFTA_XLAT_ICMP_SRC]) {
		uint32_t a = mnl_attr_get_u32(tb[NFTA_XLAT_ICMP_SRC]);

		inet_ntop(AF_INET, &a, s, sizeof(s));
		if (strcmp(s, "192.0.0.8"))
			printf(" icmp-source %s", s);
	}
	if (tb[NFTA_XLAT_MTU6] &&
	    ntohl(mnl_attr_get_u32(tb[NFTA_XLAT_MTU6])) != 1280)
		printf(" mtu6 %u", ntohl(mnl_attr_get_u32(tb[NFTA_XLAT_MTU6])));
	if (flags & NFT_XLAT_F_OFFLOAD)
		printf(" offload");
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = {};
	struct list_ctx *ctx = data;
	const struct nlattr *elem;
	bool first = true;

	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
	if (!tb[NFTA_RULE_TABLE] || !tb[NFTA_RULE_CHAIN] ||
	    strcmp(mnl_attr_get_str(tb[NFTA_RULE_TABLE]), ctx->table) ||
	    strcmp(mnl_attr_get_str(tb[NFTA_RULE_CHAIN]), ctx->chain))
		return MNL_CB_OK;
	ctx->rules++;
	if (!tb[NFTA_RULE_EXPRESSIONS])
		return MNL_CB_OK;
	printf("\t");
	mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS]) {
		const struct nlattr *etb[NFTA_EXPR_MAX + 1] = {};
		const char *name;

		mnl_attr_parse_nested(elem, attr_cb, etb);
		if (!etb[NFTA_EXPR_NAME])
			continue;
		name = mnl_attr_get_str(etb[NFTA_EXPR_NAME]);
		printf("%s", first ? "" : " ");
		first = false;
		if (!strcmp(name, "counter") && etb[NFTA_EXPR_DATA]) {
			const struct nlattr *ctb[NFTA_COUNTER_MAX + 1] = {};

			mnl_attr_parse_nested(etb[NFTA_EXPR_DATA], attr_cb, ctb);
			printf("counter packets %" PRIu64 " bytes %" PRIu64,
			       ctb[NFTA_COUNTER_PACKETS] ?
			       be64toh(mnl_attr_get_u64(ctb[NFTA_COUNTER_PACKETS])) : 0,
			       ctb[NFTA_COUNTER_BYTES] ?
			       be64toh(mnl_attr_get_u64(ctb[NFTA_COUNTER_BYTES])) : 0);
		} else if (!strcmp(name, "xlat") && etb[NFTA_EXPR_DATA]) {
			print_xlat(etb[NFTA_EXPR_DATA]);
		} else {
			printf("[%s]", name);
		}
	}
	if (tb[NFTA_RULE_HANDLE])
		printf(" # handle %" PRIu64,
		       be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE])));
	printf("\n");
	return MNL_CB_OK;
}

static int cmd_list(int family, const char *table, const char *chain)
{
	struct list_ctx ctx = { .table = table, .chain = chain };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = time(NULL);
	struct nlmsghdr *nlh;
	struct mnl_socket *nl;
	int err;

	nlh = put_msg(buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE,
		      NLM_F_DUMP, family, seq, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	nl = open_nl();
	err = talk(nl, nlh, nlh->nlmsg_len, seq, rule_cb, &ctx);
	mnl_socket_close(nl);
	if (err) {
		fprintf(stderr, "Error: Could not list rules: %s\n",
			strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int family;

	if (argc < 5)
		usage();
	family = parse_family(argv[2]);
	if (!strcmp(argv[1], "add"))
		return cmd_add(family, argv[3], argv[4], argc - 5, argv + 5);
	if (!strcmp(argv[1], "list") && argc == 5)
		return cmd_list(family, argv[3], argv[4]);
	usage();
}
