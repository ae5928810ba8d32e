/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between rtt.bpf.c and the user side of `tcplat rtt`: the
 * keys of the --by tables, the --detail event and the stat slots; the
 * histogram every map holds is common/hist.h. Fixed-width __u types only.
 */
#ifndef TCPLAT_RTT_H
#define TCPLAT_RTT_H

#include "hist.h"

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

#define RTT_DEFAULT_MAX_KEYS	1024	/* --by tables */
#define RTT_DEFAULT_MAX_OWNERS	16384	/* sockets whose owner we know */

enum rtt_mode {
	RTT_MODE_HIST,		/* one histogram */
	RTT_MODE_BY_RADDR,
	RTT_MODE_BY_RPORT,
	RTT_MODE_BY_FLOW,
	RTT_MODE_DETAIL,	/* one event per sample, ring buffer */
	RTT_MODE_KEYED,		/* serve: key fields by targ_key_fields, never deleted */
};

/* RTT_MODE_KEYED: the fields of struct rtt_key filled besides family. */
enum rtt_key_field {
	RTT_KEY_RADDR	= 1 << 0,
	RTT_KEY_RPORT	= 1 << 1,
	RTT_KEY_CGROUP	= 1 << 2,
};

/* Key of the --by tables; fields the mode does not use stay zero. */
struct rtt_key {
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 lport;		/* host byte order */
	__u16 rport;
	/* An AF_INET6 socket with an IPv4-mapped peer, shown as the IPv4
	 * connection it is (family AF_INET, plain IPv4 addresses). Only in
	 * keys that describe one socket (--by flow, --detail); 0 otherwise. */
	__u8 v4mapped;
	__u8 pad;
	__u64 cgroup_id;	/* RTT_MODE_KEYED with RTT_KEY_CGROUP only */
};

/*
 * The connection filters, the same in every program that decides whether
 * a socket is traced (rtt.bpf.c's samples, rtt_iter.bpf.c's walk of the
 * sockets that existed before the start): one read-only struct per object.
 */
struct rtt_conn_filter {
	__u8 laddr[16];
	__u8 raddr[16];
	__u64 cg_id;		/* --cgroup: cgroup v2 id (inode) */
	__u32 cg_level;		/* its depth below the root */
	__u32 tgid;		/* -p */
	__u16 family;		/* -4/-6 */
	__u16 laddr_family;	/* --laddr, 0 = any */
	__u16 raddr_family;
	__u16 lport;
	__u16 rport;
	__u8 filter_cgroup;	/* --cgroup given */
	__u8 pad;
};

/* What one walk of the TCP sockets (rtt_iter.bpf.c) found, per call. */
struct rtt_iter_result {
	__u32 matched;		/* sockets that pass the connection filters */
	__u32 busy;		/* of those, with data in flight */
	__u32 enrolled;		/* RTT callback enabled by bpf_setsockopt */
	__u32 already;		/* had the RTT callback on already */
	__u32 standin;		/* followed through tcp_probe's srtt instead */
	__u32 standin_full;	/* found the stand-in table full */
	__u32 owners_full;	/* -p: owner table full */
	__s32 setsockopt_err;	/* first error bpf_setsockopt returned */
};

enum rtt_iter_op {
	RTT_ITER_COUNT,		/* count matching sockets only */
	RTT_ITER_ENROL,		/* also enrol them (tracepoint backend) */
};

/* A socket from before the start that the kernel cannot enrol in the RTT
 * callback: its last rtt_seq, to see when the estimator takes a sample. */
struct rtt_standin {
	__u32 rtt_seq;
	__u32 pad;
};

/* Who owns a socket: the process that connected it (or, for a socket from
 * before the start, the -p process that holds it). */
struct rtt_owner {
	__u32 pid;
	char comm[TASK_COMM_LEN];
};

/* RTT_MODE_KEYED: the key a sample goes to, in `hists_overflow`, when the
 * table is full (family, and this cgroup_id, which no cgroup v2 id is). */
#define RTT_KEY_OVERFLOW_CGROUP	(~0ULL)

struct rtt_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() of the sample */
	struct rtt_key flow;
	__u32 rtt_us;		/* the sample fed to the estimator */
	__u32 srtt_us;		/* smoothed RTT after this sample */
	__u32 min_rtt_us;	/* the kernel's windowed minimum RTT */
	__u32 pid;		/* socket owner, 0 if not known */
	char comm[TASK_COMM_LEN];
};

/* Per-CPU counters; user space sums them. */
enum rtt_stat {
	RTT_STAT_SAMPLES,	/* samples seen, before filters */
	RTT_STAT_FILTERED,	/* samples the filters dropped */
	RTT_STAT_KEYS_FULL,	/* --by: table full, sample lost */
	RTT_STAT_RINGBUF_DROPS,	/* --detail: ring buffer full, sample lost */
	RTT_STAT_OWNERS_FULL,	/* owner table full: owner unknown */
	RTT_STAT_NO_SAMPLE,	/* kernel gave no RTT sample: srtt used */
	RTT_STAT_KEYS_FOLDED,	/* RTT_MODE_KEYED: of KEYS_FULL, in the overflow key */
	RTT_STAT_PREEXISTING_SRTT, /* srtt from tcp_probe, for an unenrolled old socket */
	RTT_STAT_MAX,
};

#endif /* TCPLAT_RTT_H */
