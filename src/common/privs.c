// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "privs.h"

/* Older headers may not know the 5.8 split of CAP_SYS_ADMIN. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define HAS(mask, cap) (((mask) >> (cap)) & 1)

int privs_missing(uint64_t eff, char *buf, size_t len)
{
	/* CAP_SYS_ADMIN covers both on every kernel; CAP_BPF + CAP_PERFMON
	 * is the least privilege that loads tracing programs since 5.8. */
	if (HAS(eff, CAP_SYS_ADMIN) || (HAS(eff, CAP_BPF) && HAS(eff, CAP_PERFMON)))
		return 0;
	snprintf(buf, len, "missing %s%s%s (or CAP_SYS_ADMIN): run as root",
		 HAS(eff, CAP_BPF) ? "" : "CAP_BPF",
		 !HAS(eff, CAP_BPF) && !HAS(eff, CAP_PERFMON) ? " and " : "",
		 HAS(eff, CAP_PERFMON) ? "" : "CAP_PERFMON");
	return 1;
}

int privs_check(char *buf, size_t len)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	return privs_missing((uint64_t)data[1].effective << 32 | data[0].effective, buf, len);
}
