/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between connect.bpf.c and connect.c: the event the kernel side
 * sends for every finished connect, the filter limits and the stat slots.
 * Fixed-width __u types only, so both sides agree on the layout.
 */
#ifndef TCPLAT_CONNECT_H
#define TCPLAT_CONNECT_H

#include "hist.h"

#define TASK_COMM_LEN		16
#define MAX_DPORTS		8	/* --dport PORT[,PORT...] */
#define DEFAULT_MAX_INFLIGHT	16384	/* connects awaiting their answer */
#define CONNECT_DEFAULT_MAX_KEYS 1024	/* --hist and serve: aggregation keys */
#define CONNECT_MAX_KEYS	65536	/* --max-keys upper bound: 4 KiB a key */

/* What the kernel side does with a finished connect. */
enum connect_mode {
	CONNECT_MODE_EVENTS,	/* one ring buffer record per connect */
	CONNECT_MODE_HIST,	/* added to the per-key table, nothing sent */
};

/* How a connect ended: 0 is success, a positive value is the errno the
 * kernel left in sk_err; CONNECT_ABORTED means no error was recorded, the
 * socket was closed before the handshake finished. */
#define CONNECT_ESTABLISHED	0
#define CONNECT_ABORTED		(-1)

/* Per-CPU counters; user space sums them. */
enum connect_stat {
	STAT_SEEN,		/* traced connects that ended (after filters) */
	STAT_BELOW_MIN,		/* ended faster than MIN_MS: not sent */
	STAT_FAILED_HIDDEN,	/* failed, and --failed was not given: not sent */
	STAT_RINGBUF_DROPS,	/* ring buffer full: event lost */
	STAT_INFLIGHT_FULL,	/* in-flight table full: connect not traced */
	STAT_KEYS_FULL,		/* aggregation table full: key not inserted */
	STAT_KEYS_FOLDED,	/* of those, counted in the overflow key (serve) */
	STAT_MAX,
};

struct connect_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() when the outcome was known */
	__u64 latency_ns;	/* connect start to outcome */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u32 pid;		/* thread group id of the connecting process */
	__s32 outcome;		/* CONNECT_ESTABLISHED, CONNECT_ABORTED or an errno */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 lport;		/* host byte order */
	__u16 dport;		/* host byte order */
	__u16 syn_retrans;	/* SYNs retransmitted (not counting the first) */
	char comm[TASK_COMM_LEN];
	__u8 v4mapped;		/* an AF_INET6 socket with an IPv4-mapped peer:
				 * family is AF_INET, addresses the IPv4 ones */
	__u8 pad[7];
};

/*
 * Aggregation in the kernel (--hist, and the exporter): which fields of
 * struct connect_key a connect fills, besides outcome and family, which it
 * always fills. The others stay zero.
 */
enum connect_key_field {
	CONNECT_KEY_DPORT	= 1 << 0,
	CONNECT_KEY_DADDR	= 1 << 1,
	CONNECT_KEY_COMM	= 1 << 2,
	CONNECT_KEY_CGROUP	= 1 << 3,
};

/* One aggregation key. Outcome is part of it, so that every outcome has its
 * own histogram of time to that outcome (the exporter's outcome label);
 * --hist shows the established one as the latency and counts the rest. */
struct connect_key {
	__u8 daddr[16];		/* IPv4 in the first 4 bytes */
	__u64 cgroup_id;	/* cgroup v2 id of the connecting task */
	char comm[TASK_COMM_LEN];
	__s32 outcome;		/* CONNECT_ESTABLISHED, CONNECT_ABORTED or an errno */
	__u16 family;		/* AF_INET or AF_INET6, as sock_family() gives it */
	__u16 dport;		/* host byte order */
};

/*
 * The overflow key (serve only, rodata targ_fold_full): a connect whose key
 * finds the table full is counted in the table `hists_overflow` under its
 * family and outcome, every other field zero and cgroup_id this marker (no
 * cgroup v2 id, an inode number, is ever all ones), so that a full table
 * loses no count.
 */
#define CONNECT_OVERFLOW_KEYS		256
#define CONNECT_KEY_OVERFLOW_CGROUP	(~0ULL)

struct connect_hist_value {
	struct lat_hist hist;	/* time from the connect to its outcome, us */
	__u64 syn_retrans;	/* SYN retransmits, summed over its connects */
};

#endif /* TCPLAT_CONNECT_H */
