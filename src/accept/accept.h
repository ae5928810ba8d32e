/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between accept.bpf.c and the user side of `tcplat accept`:
 * the per-connection event, the per-listener value of the cumulative
 * listener table (counters and two histograms, read by --hist, the summary
 * and the exporter), the filter limits and the stat slots. Fixed-width __u
 * types only.
 */
#ifndef TCPLAT_ACCEPT_H
#define TCPLAT_ACCEPT_H

#include "hist.h"

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

#define ACCEPT_MAX_LPORTS		8	/* --lport PORT[,PORT...] */
#define ACCEPT_DEFAULT_MAX_LISTENERS	512	/* listener table */
#define ACCEPT_DEFAULT_MAX_PENDING	16384	/* handshakes and queued children */
/* Handshake entries older than this are swept by user space: the kernel has
 * given up on the request (5 SYN-ACK retries take 63 s) or its SYN cookie
 * has expired (about 2 minutes). */
#define ACCEPT_HANDSHAKE_MAX_AGE_NS	(130ULL * 1000000000ULL)

/* What happened to a connection that reached the accept queue. */
enum accept_outcome {
	ACCEPT_OK,		/* accept() returned it */
	ACCEPT_RESET,		/* the client reset it while it was queued */
	ACCEPT_CLOSED,		/* closed while queued, without a reset */
	ACCEPT_LISTENER_CLOSED,	/* the listener was closed with it in the queue */
	ACCEPT_OUTCOME_MAX,
};

/* Per-CPU counters; user space sums them. */
enum accept_stat {
	ACCEPT_STAT_SEEN,		/* connections ended (accepted or failed), after filters */
	ACCEPT_STAT_BELOW_MIN,		/* accepted faster than MIN_MS: not sent */
	ACCEPT_STAT_FAILED_HIDDEN,	/* never accepted, and no --failed: not sent */
	ACCEPT_STAT_RINGBUF_DROPS,	/* ring buffer full: event lost */
	ACCEPT_STAT_PENDING_FULL,	/* handshake or queue table full: not traced */
	ACCEPT_STAT_LISTENERS_FULL,	/* listener table full: its counters lost */
	ACCEPT_STAT_NO_SYN,		/* child without a SYN seen: HS unknown */
	ACCEPT_STAT_ACCEPT_UNSEEN,	/* accepted by a path not hooked (io_uring,
					 * compat syscalls): no WAIT */
	ACCEPT_STAT_UNMATCHED_REQ,	/* request sock whose listener was not seen */
	ACCEPT_STAT_MAX,
};

/* The listener a connection came through: the listening socket itself
 * (two SO_REUSEPORT listeners on one port are two listeners). */
struct accept_listener_id {
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u64 netns;		/* the struct net; tells namespaces apart */
	__u32 owner_pid;	/* listen() caller, else the first accepter; 0 */
	char owner_comm[TASK_COMM_LEN];
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 lport;		/* host byte order */
	__u32 backlog;		/* sk_max_ack_backlog */
};

/* Counters of one listener, cumulative (only ever added to). */
enum accept_counter {
	ACC_SYNCOOKIES,		/* SYNs answered with a SYN cookie */
	ACC_SYN_QUEUED,		/* SYNs queued as a request sock */
	ACC_SYNACK_RETRANS,	/* SYN-ACK retransmits */
	ACC_OVERFLOWS,		/* accept queue full: SYN or final ACK dropped */
	ACC_DROPS,		/* SYN or final ACK dropped (overflows included) */
	ACC_ESTABLISHED,	/* handshakes completed: joined the accept queue */
	ACC_ACCEPTED,		/* returned by accept() */
	ACC_FAILED,		/* left the queue without accept() */
	ACC_COUNTER_MAX,
};

struct accept_listener {
	struct accept_listener_id id;
	__u64 counters[ACC_COUNTER_MAX];
	/* The longest accept queue a child joined since user space last
	 * moved epoch on: a gauge per interval, not a counter. */
	__u32 qlen_peak;
	__u32 qlen_peak_epoch;
	__u32 closed;		/* the listener closed: removed after its last view */
	__u32 pad;
	struct lat_hist hs;	/* SYN to final ACK, us */
	struct lat_hist wait;	/* final ACK to accept() return, us */
};

struct accept_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at accept() return or failure */
	__u64 hs_ns;		/* SYN to handshake completion; 0 if not known */
	__u64 wait_ns;		/* completion to accept() (or to the failure) */
	__u8 laddr[16];
	__u8 raddr[16];
	__u64 listener;		/* key of the listener table */
	__u32 pid;		/* accepting process; 0 for a failure */
	__u32 outcome;		/* enum accept_outcome */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 synack_retrans;
	char comm[TASK_COMM_LEN];
	__u8 hs_known;		/* the SYN was seen, hs_ns is valid */
	__u8 v4mapped;		/* an AF_INET6 child of an IPv4 client */
	__u8 pad[6];
};

/* A connection in the handshake, before it has a socket of its own: the
 * key of the handshake table (request socks and SYN cookies), as the
 * request sock, the packets and the child all give it. */
struct accept_flow {
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u64 netns;		/* the struct net */
	__u16 family;		/* of the packets: AF_INET for v4-mapped */
	__u16 lport;		/* host byte order */
	__u16 rport;
	__u16 pad;
};

struct accept_handshake {
	__u64 syn_ns;		/* the SYN reached the listener */
	__u64 listener;		/* key of the listener table */
	__u32 synack_retrans;
	__u16 cookie;		/* answered with a SYN cookie, no request sock */
	/* The child exists: kept until it is accepted or closed, as packets
	 * the kernel had already matched to the request sock (early demux)
	 * still go through it and the listener's overflow test. */
	__u16 child;
};

#endif /* TCPLAT_ACCEPT_H */
