// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include "serve_privs.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int serve_user_lookup(const char *name, struct serve_user *u, char *why, size_t len)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		snprintf(why, len, "--user %s: %s", name, errno ? strerror(errno) : "no such user");
		return errno ? -errno : -ENOENT;
	}
	if (!pw->pw_uid) {
		snprintf(why, len, "--user %s is root: use --keep-privileges to stay root", name);
		return -EINVAL;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", name);
	return 0;
}

/* The capability sets of this thread: effective and permitted, CAP_BPF or none. */
static int set_caps(bool eff_bpf, bool perm_bpf)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (perm_bpf)
		data[CAP_BPF / 32].permitted = 1U << (CAP_BPF % 32);
	if (eff_bpf)
		data[CAP_BPF / 32].effective = 1U << (CAP_BPF % 32);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Can this process read probe_fd now? */
static bool can_read(int probe_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(probe_fd, &info, &len);
}

int serve_drop_privileges(const struct serve_user *u, int probe_fd, bool *kept_bpf, char *why,
			  size_t len)
{
	int cap, last_cap = CAP_LAST_CAP;
	FILE *f;

	*kept_bpf = false;
	/* The kernel may know more capabilities than our headers. */
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		if (fscanf(f, "%d", &last_cap) != 1)
			last_cap = CAP_LAST_CAP;
		fclose(f);
	}
	/* Empty the bounding set, so that nothing we give up can come back
	 * through an exec. That needs CAP_SETPCAP, so before the switch;
	 * without it (a service manager's bounding set may lack it) the set
	 * stays as it was given, and no_new_privs still forbids gaining. */
	for (cap = 0; cap <= last_cap; cap++) {
		if (cap == CAP_BPF || !prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) || errno == EINVAL)
			continue;
		if (errno == EPERM)
			break;
		snprintf(why, len, "cannot drop capability %d: %s", cap, strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(u->gid, u->gid, u->gid) || setresuid(u->uid, u->uid, u->uid) ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0)) {
		snprintf(why, len, "cannot switch to user %s: %s", u->name, strerror(errno));
		return -errno;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* CAP_BPF stays permitted, not effective, until the probe says
	 * whether this kernel wants it for reading a map we hold. */
	if (set_caps(false, probe_fd >= 0)) {
		snprintf(why, len, "cannot drop capabilities: %s", strerror(errno));
		return -errno;
	}
	if (probe_fd >= 0 && !can_read(probe_fd)) {
		if (set_caps(true, true) || !can_read(probe_fd)) {
			snprintf(why, len, "cannot read the BPF maps as user %s: %s", u->name,
				 strerror(errno));
			return -EPERM;
		}
		*kept_bpf = true;
	} else if (probe_fd >= 0 && set_caps(false, false)) {
		snprintf(why, len, "cannot drop capabilities: %s", strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(why, len, "cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	return 0;
}
