#include "config.h"

#include "perf/event.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"

#define EVENT_SAMPLE_TYPE                                                      \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |           \
	 PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD | PERF_SAMPLE_REGS_USER |       \
	 PERF_SAMPLE_STACK_USER)

#define EVENT_CAP_SYS_ADMIN 21
#define EVENT_CAP_PERFMON 38

static int
event_open(struct perf_event_attr *attr, pid_t tid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/* What both events share. */
static void
event_attr(struct perf_event_attr *attr, const struct perf_event_config *cfg)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->sample_type = EVENT_SAMPLE_TYPE;
	attr->sample_regs_user = PERF_EVENT_REGS_MASK;
	attr->sample_stack_user = cfg->stack_bytes & ~7U;
	attr->exclude_hv = 1;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	/* Wake a poll() when the buffer is half full (set by the owner). */
	attr->watermark = 1;
}

int
perf_event_open_cpu(pid_t tid, int cpu, const struct perf_event_config *cfg)
{
	static bool no_inherit_thread; /* a kernel older than 5.13 */
	struct perf_event_attr attr;
	int fd;

	event_attr(&attr, cfg);
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = 1000000000ULL / (cfg->hz ? cfg->hz : 1);
	attr.exclude_kernel = 1;
	attr.wakeup_watermark = cfg->wakeup_bytes;
	attr.inherit = 1;
	attr.inherit_thread = !no_inherit_thread && !cfg->inherit_fork;
	fd = event_open(&attr, tid, cpu);
	if (fd < 0 && errno == EINVAL && attr.inherit_thread) {
		no_inherit_thread = true;
		attr.inherit_thread = 0;
		fd = event_open(&attr, tid, cpu);
	}
	return fd;
}

int
perf_event_open_switch(pid_t tid, int cpu, const struct perf_event_config *cfg)
{
	struct perf_event_attr attr;

	event_attr(&attr, cfg);
	attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	attr.sample_period = 1;
	attr.context_switch = 1;
	attr.wakeup_watermark = cfg->wakeup_bytes;
	return event_open(&attr, tid, cpu);
}

int
perf_event_set_output(int fd, int out_fd)
{
	return ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, out_fd) == 0 ? 0 : -1;
}

int
perf_event_set_period(int fd, uint64_t period)
{
	return ioctl(fd, PERF_EVENT_IOC_PERIOD, &period) == 0 ? 0 : -1;
}

uint64_t
perf_event_id(int fd)
{
	uint64_t id = 0;

	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) != 0)
		return 0;
	return id;
}

void
perf_event_layout(struct perf_layout *out)
{
	perf_layout_init(out, EVENT_SAMPLE_TYPE, PERF_EVENT_REGS_MASK, true);
}

/* The first line of a small file, or "" (buf holds len bytes). */
static const char *
event_read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

int
perf_event_paranoid(void)
{
	char buf[32], *end;
	long v;

	event_read_line("/proc/sys/kernel/perf_event_paranoid", buf,
			sizeof(buf));
	v = strtol(buf, &end, 10);
	if (end == buf || v < INT32_MIN || v > INT32_MAX)
		return INT32_MIN;
	return (int)v;
}

/* A field of /proc/self/status ("Seccomp", "CapEff"), or NULL. */
static char *
event_status_field(const char *name)
{
	char buf[4096], *p, *line;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	size_t len = strlen(name);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (line = buf; line != NULL && *line; line = p) {
		p = strchr(line, '\n');
		if (p != NULL)
			*p++ = '\0';
		if (strncmp(line, name, len) == 0 && line[len] == ':')
			return xstrdup(line + len + 1 +
				       strspn(line + len + 1, " \t"));
	}
	return NULL;
}

/* True when cproftop holds CAP_PERFMON or CAP_SYS_ADMIN. */
static bool
event_has_perfmon(void)
{
	char *cap = event_status_field("CapEff");
	unsigned long long v = cap ? strtoull(cap, NULL, 16) : 0;

	free(cap);
	return (v >> EVENT_CAP_PERFMON & 1) || (v >> EVENT_CAP_SYS_ADMIN & 1);
}

char *
perf_event_why(int err)
{
	int paranoid = perf_event_paranoid();
	char *seccomp = event_status_field("Seccomp");
	bool filtered = seccomp != NULL && strcmp(seccomp, "2") == 0;
	bool perfmon = event_has_perfmon();
	char *msg;

	free(seccomp);
	if (err == ENOSYS || (filtered && err == EPERM))
		msg = xasprintf(
			"perf_event_open: %s%s", strerror(err),
			filtered ? " (cproftop runs under a seccomp filter, "
				   "as in a container's default profile)"
				 : " (kernel without perf events?)");
	else if ((err == EACCES || err == EPERM) && !perfmon && paranoid > 2)
		msg = xasprintf("perf_event_open: %s "
				"(kernel.perf_event_paranoid = %d forbids "
				"perf without CAP_PERFMON)",
				strerror(err), paranoid);
	else if ((err == EACCES || err == EPERM) && !perfmon)
		msg = xasprintf("perf_event_open: %s (no CAP_PERFMON; "
				"kernel.perf_event_paranoid = %d; the target "
				"may belong to another user)",
				strerror(err), paranoid);
	else
		msg = xasprintf("perf_event_open: %s", strerror(err));
	return msg;
}
