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
 *   nft-xlat-rule save
 *   nft-xlat-rule restore [FILE]
 *
 *   OPTS: tclass copy|zero | udp-zero-checksum compute|drop |
 *         icmp-source A.B.C.D | mtu6 N | offload
 *
 * "save" prints every rule of the ruleset that holds "xlat" as an "add"
 * line; "restore" reads such lines (a file or standard input) and adds them
 * in one transaction: all of them or, on any error, none.  Together they
 * carry xlat rules across reboots beside a stock nft, whose "list ruleset"
 * drops them (nft-xlat.service, nft-xlat-rule(8)).
 *
 * The prefix length is sent as given, without RFC 6052 checks, so tests can
 * probe the kernel's own checks.  Errors are printed the way nft prints
 * them ("Could not process rule: <strerror>") and exit with status 1.
 */
#include <arpa/inet.h>
#include <ctype.h>
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
/* Where restore is reading, for its error messages. */
static const char *input_name;
static unsigned int input_line;

static void where(void)
{
	if (input_line)
		fprintf(stderr, "%s:%u: ", input_name, input_line);
}

static void __attribute__((noreturn)) usage(void)
{
	if (input_line) {
		where();
		fprintf(stderr, "not a rule %s can add (see %s(8))\n",
			prog, prog);
		exit(2);
	}
	fprintf(stderr,
		"usage: %s add FAMILY TABLE CHAIN [counter] xlat to|from PREFIX [OPTS]\n"
		"       %s add FAMILY TABLE CHAIN [counter] xlat to|from saddr PREFIX daddr PREFIX [OPTS]\n"
		"       %s list FAMILY TABLE CHAIN\n"
		"       %s save\n"
		"       %s restore [FILE]\n"
		"FAMILY: ip ip6 inet netdev\n"
		"OPTS: tclass copy|zero  udp-zero-checksum compute|drop\n"
		"      icmp-source ADDR4  mtu6 N  offload\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static const struct { const char *name; int family; } families[] = {
	{ "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 },
	{ "inet", NFPROTO_INET }, { "netdev", NFPROTO_NETDEV },
	{ "arp", NFPROTO_ARP }, { "bridge", NFPROTO_BRIDGE },
};

static const char *family_name(int family)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i].family == family)
			return families[i].name;
	return "?";
}

static int parse_family(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(s, families[i].name))
			return families[i].family;
	where();
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
	where();
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

/* One NEWRULE message: [counter] xlat, appended to TABLE CHAIN. */
static void put_rule(struct mnl_nlmsg_batch *b, uint32_t seq, int family,
		     const char *table, const char *chain,
		     const struct xlat_rule *r)
{
	struct nlattr *exprs;
	struct nlmsghdr *nlh;

	nlh = put_msg(mnl_nlmsg_batch_current(b),
		      (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE,
		      NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, family, seq, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	if (r->counter)
		put_expr_counter(nlh);
	put_expr_xlat(nlh, r);
	mnl_attr_nest_end(nlh, exprs);
	mnl_nlmsg_batch_next(b);
}

struct batch_ctx {
	uint32_t first_seq;
	unsigned int rules, answers;
	uint32_t err_seq;
	int err;
};

/* Every NEWRULE is answered (NLM_F_ACK): an ack or its error. */
static int batch_err_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct batch_ctx *ctx = data;

	ctx->answers++;
	/* An error about the batch itself (ENOMEM): nothing else comes. */
	if (nlh->nlmsg_seq - ctx->first_seq >= ctx->rules)
		ctx->answers = ctx->rules;
	if (e->error && !ctx->err) {
		ctx->err = e->error;
		ctx->err_seq = nlh->nlmsg_seq;
	}
	return MNL_CB_OK;
}

/* A rule that restore replaces: deleted in the same transaction. */
struct old_rule {
	int family;
	char *table, *chain;
	uint64_t handle;
};

static void put_delrule(struct mnl_nlmsg_batch *b, uint32_t seq,
			const struct old_rule *o)
{
	struct nlmsghdr *nlh;

	nlh = put_msg(mnl_nlmsg_batch_current(b),
		      (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELRULE,
		      NLM_F_ACK, o->family, seq, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, o->table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, o->chain);
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(o->handle));
	mnl_nlmsg_batch_next(b);
}

/*
 * Delete NDEL rules and add N as one nf_tables transaction, and wait for
 * every answer.  Returns 0, or the first error with *failed set to the
 * index of the added rule it belongs to (-1: not an added rule).
 */
static int send_rules(int ndel, const struct old_rule *del,
		      int n, const int *family, char *const *table,
		      char *const *chain, const struct xlat_rule *r,
		      int *failed)
{
	mnl_cb_t cbs[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = batch_err_cb };
	size_t size = (size_t)(ndel + n + 2) * 1024 + MNL_SOCKET_BUFFER_SIZE;
	struct batch_ctx ctx = { .first_seq = time(NULL), .rules = ndel + n };
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *b;
	struct mnl_socket *nl;
	char *buf;
	int i, ret = 0;

	buf = malloc(size);
	if (!buf) {
		perror(prog);
		exit(1);
	}
	b = mnl_nlmsg_batch_start(buf, size);
	put_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_BEGIN, 0,
		AF_UNSPEC, ctx.first_seq - 1, NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);
	for (i = 0; i < ndel; i++)
		put_delrule(b, ctx.first_seq + i, &del[i]);
	for (i = 0; i < n; i++)
		put_rule(b, ctx.first_seq + ndel + i, family[i], table[i],
			 chain[i], &r[i]);
	put_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_END, 0,
		AF_UNSPEC, ctx.first_seq + ndel + n, NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);

	nl = open_nl();
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b),
			      mnl_nlmsg_batch_size(b)) < 0)
		ret = -errno;
	while (!ret && ctx.answers < ctx.rules) {
		ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (ret < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run2(rbuf, ret, 0, mnl_socket_get_portid(nl),
				  NULL, &ctx, cbs, NLMSG_MIN_TYPE);
		ret = ret < 0 ? -errno : 0;
	}
	mnl_socket_close(nl);
	free(buf);
	*failed = -1;
	if (!ret && ctx.err) {
		ret = ctx.err;
		if (ctx.err_seq - ctx.first_seq < ctx.rules &&
		    ctx.err_seq - ctx.first_seq >= (uint32_t)ndel)
			*failed = ctx.err_seq - ctx.first_seq - ndel;
	}
	return ret;
}

static int cmd_add(int family, char *table, char *chain,
		   int argc, char **argv)
{
	struct xlat_rule r;
	int err, failed;

	parse_xlat(argc, argv, &r);
	err = send_rules(0, NULL, 1, &family, &table, &chain, &r, &failed);
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
	bool save;
	int rules, unsaved;
	/* restore: the chains its file names, and their xlat rules */
	int nchains;
	const int *fams;
	char *const *tables, *const *chains;
	struct old_rule *old;
	int nold;
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

/* restore: an xlat rule in a chain the file names is replaced. */
static void remember_old(const struct nlmsghdr *nlh, const struct nlattr **tb,
			 struct list_ctx *ctx)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const char *table = mnl_attr_get_str(tb[NFTA_RULE_TABLE]);
	const char *chain = mnl_attr_get_str(tb[NFTA_RULE_CHAIN]);
	struct old_rule *o;
	int i;

	if (!tb[NFTA_RULE_HANDLE])
		return;
	for (i = 0; i < ctx->nchains; i++)
		if (ctx->fams[i] == nfg->nfgen_family &&
		    !strcmp(ctx->tables[i], table) &&
		    !strcmp(ctx->chains[i], chain))
			break;
	if (i == ctx->nchains)
		return;
	ctx->old = realloc(ctx->old, (ctx->nold + 1) * sizeof(*ctx->old));
	if (!ctx->old) {
		perror(prog);
		exit(1);
	}
	o = &ctx->old[ctx->nold++];
	o->family = nfg->nfgen_family;
	o->table = strdup(table);
	o->chain = strdup(chain);
	o->handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	if (!o->table || !o->chain) {
		perror(prog);
		exit(1);
	}
}

/*
 * save: a rule of [counter] xlat as the "add" line that recreates it.  A rule
 * that also holds other expressions cannot be written in this syntax; it is
 * named on standard error and save fails rather than lose it silently.
 */
static void save_rule(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      struct list_ctx *ctx)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *elem, *xlat = NULL;
	bool counter = false, other = false;

	mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS]) {
		const struct nlattr *etb[NFTA_EXPR_MAX + 1] = {};
		const char *name;

		mnl_attr_parse_nested(elem, attr_cb, etb);
		name = etb[NFTA_EXPR_NAME] ?
		       mnl_attr_get_str(etb[NFTA_EXPR_NAME]) : "";
		if (!strcmp(name, "xlat") && etb[NFTA_EXPR_DATA] && !xlat)
			xlat = etb[NFTA_EXPR_DATA];
		else if (!strcmp(name, "counter") && !xlat && !counter)
			counter = true;
		else
			other = true;
	}
	if (!xlat)
		return;
	if (ctx->tables) {
		/* Only what a file can hold is replaced. */
		if (!other)
			remember_old(nlh, tb, ctx);
		return;
	}
	if (other) {
		fprintf(stderr,
			"%s: cannot save the rule with handle %" PRIu64
			" in %s %s %s: it holds more than \"counter xlat\";"
			" match in the base chain and jump to a chain that"
			" holds the xlat rule\n", prog,
			tb[NFTA_RULE_HANDLE] ?
			be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE])) : 0,
			family_name(nfg->nfgen_family),
			mnl_attr_get_str(tb[NFTA_RULE_TABLE]),
			mnl_attr_get_str(tb[NFTA_RULE_CHAIN]));
		ctx->unsaved++;
		return;
	}
	printf("add %s %s %s %s", family_name(nfg->nfgen_family),
	       mnl_attr_get_str(tb[NFTA_RULE_TABLE]),
	       mnl_attr_get_str(tb[NFTA_RULE_CHAIN]),
	       counter ? "counter " : "");
	print_xlat(xlat);
	printf("\n");
	ctx->rules++;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = {};
	struct list_ctx *ctx = data;
	const struct nlattr *elem;
	bool first = true;

	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
	if (ctx->save) {
		if (tb[NFTA_RULE_TABLE] && tb[NFTA_RULE_CHAIN] &&
		    tb[NFTA_RULE_EXPRESSIONS])
			save_rule(nlh, tb, ctx);
		return MNL_CB_OK;
	}
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

/* Every rule of every family through rule_cb in save mode. */
static int dump_xlat_rules(struct list_ctx *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = time(NULL);
	struct nlmsghdr *nlh;
	struct mnl_socket *nl;
	int err;

	ctx->save = true;
	nlh = put_msg(buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE,
		      NLM_F_DUMP, NFPROTO_UNSPEC, seq, 0);
	nl = open_nl();
	err = talk(nl, nlh, nlh->nlmsg_len, seq, rule_cb, ctx);
	mnl_socket_close(nl);
	if (err)
		fprintf(stderr, "Error: Could not list rules: %s\n",
			strerror(-err));
	return err;
}

static int cmd_save(void)
{
	struct list_ctx ctx = {};

	printf("# xlat rules, written by \"%s save\"; \"%s restore\" adds\n"
	       "# them to the chains named, which must exist (nft -f creates\n"
	       "# them; stock nft's \"list ruleset\" keeps the chains but not\n"
	       "# these rules).\n", prog, prog);
	if (dump_xlat_rules(&ctx))
		return 1;
	return ctx.unsaved ? 1 : 0;
}

#define RESTORE_MAX_ARGS 32

/*
 * restore: the "add" lines of FILE in one transaction, which also deletes
 * the xlat rules already in the chains the file names.  Restoring twice
 * (a reload of nftables.service that did not flush) thus leaves the rules
 * of the file once, and a failure leaves the old ones in place.
 */
static int cmd_restore(const char *file)
{
	char line[1024], *argv[RESTORE_MAX_ARGS], **tables = NULL;
	char **chains = NULL;
	unsigned int *lines = NULL;
	struct xlat_rule *rules = NULL;
	struct list_ctx ctx = {};
	int n = 0, cap = 0, argc, err, failed, *fams = NULL;
	FILE *f = stdin;

	input_name = file ? file : "<stdin>";
	if (file && strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f) {
			fprintf(stderr, "%s: %s: %s\n", prog, file,
				strerror(errno));
			return 1;
		}
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '#'), *tok;

		input_line++;
		if (!strchr(line, '\n') && !feof(f)) {
			where();
			fprintf(stderr, "line too long\n");
			exit(2);
		}
		if (p)
			*p = '\0';
		argc = 0;
		for (tok = strtok(line, " \t\r\n"); tok;
		     tok = strtok(NULL, " \t\r\n")) {
			if (argc == RESTORE_MAX_ARGS)
				usage();
			argv[argc++] = tok;
		}
		if (!argc)
			continue;
		if (argc < 5 || strcmp(argv[0], "add"))
			usage();
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			fams = realloc(fams, cap * sizeof(*fams));
			tables = realloc(tables, cap * sizeof(*tables));
			chains = realloc(chains, cap * sizeof(*chains));
			rules = realloc(rules, cap * sizeof(*rules));
			lines = realloc(lines, cap * sizeof(*lines));
			if (!fams || !tables || !chains || !rules || !lines) {
				perror(prog);
				exit(1);
			}
		}
		fams[n] = parse_family(argv[1]);
		tables[n] = strdup(argv[2]);
		chains[n] = strdup(argv[3]);
		if (!tables[n] || !chains[n]) {
			perror(prog);
			exit(1);
		}
		parse_xlat(argc - 4, argv + 4, &rules[n]);
		lines[n++] = input_line;
	}
	if (f != stdin)
		fclose(f);
	input_line = 0;
	if (!n)
		return 0;
	ctx.nchains = n;
	ctx.fams = fams;
	ctx.tables = tables;
	ctx.chains = chains;
	if (dump_xlat_rules(&ctx))
		return 1;
	err = send_rules(ctx.nold, ctx.old, n, fams, tables, chains, rules,
			 &failed);
	if (err) {
		if (failed >= 0)
			fprintf(stderr, "%s:%u: ", input_name, lines[failed]);
		fprintf(stderr, "Error: Could not process rule: %s\n"
			"%s: nothing restored\n", strerror(-err), prog);
	}
	while (n--) {
		free(tables[n]);
		free(chains[n]);
	}
	while (ctx.nold--) {
		free(ctx.old[ctx.nold].table);
		free(ctx.old[ctx.nold].chain);
	}
	free(ctx.old);
	free(fams);
	free(tables);
	free(chains);
	free(rules);
	free(lines);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	int family;

	if (argc == 2 && !strcmp(argv[1], "save"))
		return cmd_save();
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "restore"))
		return cmd_restore(argc == 3 ? argv[2] : NULL);
	if (argc < 5)
		usage();
	family = parse_family(argv[2]);
	if (!strcmp(argv[1], "add"))
		return cmd_add(family, argv[3], argv[4], argc - 5, argv + 5);
	if (!strcmp(argv[1], "list") && argc == 5)
		return cmd_list(family, argv[3], argv[4]);
	usage();
}
