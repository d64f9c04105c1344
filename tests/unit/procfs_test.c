/*
 * Unit tests of attach/procfs.c: the /proc parsers on fixtures in
 * tests/fixtures/proc/, a generated huge maps file, malformed input, and
 * the live readers on this very process.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "common/xmalloc.h"
#include "tests/tap.h"

/* Reads a fixture (caller frees), NUL-terminated, its length in *len. */
static char *
fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path =
		xasprintf("%s/tests/fixtures/proc/%s", top ? top : ".", name);
	char *buf = procfs_read(path, len);

	if (buf == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	free(path);
	return buf;
}

static void
test_maps_awkward(void)
{
	struct procfs_maps m;
	const struct procfs_map *x;
	size_t len;
	char *buf = fixture("maps-awkward", &len);

	tap_is_int(procfs_parse_maps(buf, len, &m), 0, "awkward maps parse");
	tap_is_int(m.n, 13, "13 mappings");
	tap_is_str(m.maps[0].path, "/usr/bin/my prog", "path with a space");
	tap_ok(m.maps[1].executable && !m.maps[1].writable &&
		       m.maps[1].offset == 0x2000 && m.maps[1].inode == 1835106,
	       "r-xp, offset and inode");
	tap_is_str(m.maps[3].path, "", "anonymous mapping has an empty path");
	tap_ok(m.maps[4].executable && m.maps[4].path[0] == '\0',
	       "anonymous executable mapping");
	tap_is_str(m.maps[5].path, "/memfd:jit-code", "memfd path");
	tap_ok(m.maps[5].deleted, "memfd marked deleted");
	tap_is_str(m.maps[8].path, "/tmp/libplugin.so", "deleted file path");
	tap_ok(m.maps[8].deleted && !m.maps[7].deleted, "deleted flag");
	tap_is_str(m.maps[9].path, "[stack]", "[stack]");
	tap_is_str(m.maps[11].path, "[vdso]", "[vdso]");
	tap_ok(m.maps[12].start == 0xffffffffff600000ULL &&
		       !m.maps[12].readable,
	       "vsyscall at the top of the address space, --xp");
	x = procfs_maps_find(&m, 0x7f1c2c628000ULL + 5);
	tap_ok(x == &m.maps[7], "find inside libc text");
	tap_ok(procfs_maps_find(&m, 0x7f1c2c628000ULL - 1) == &m.maps[6],
	       "find at the last byte of the previous mapping");
	tap_ok(procfs_maps_find(&m, 0x1000) == NULL, "find below everything");
	tap_ok(procfs_maps_find(&m, 0x7f1c2c7bd000ULL) == NULL,
	       "find in a hole");
	procfs_maps_free(&m);
	free(buf);
}

static void
test_maps_malformed(void)
{
	static const char *const bad[] = {"maps-malformed", "maps-badperms",
					  "maps-backwards"};
	static const char *const strings[] = {
		"",
		"\n",
		"1000-2000",
		"1000-2000 r-xp",
		"1000-2000 r-xp 0 08:01",
		"1000-2000 r-xp 0 08:01 x /a",
		"1000-2000 r-xp 0 08:01 12/a",
		"11111111111111111-2000 r-xp 0 08:01 1 /a",
		"-2000 r-xp 0 08:01 1 /a",
	};
	struct procfs_maps m;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *buf = fixture(bad[i], &len);

		tap_ok(procfs_parse_maps(buf, len, &m) == -1 && m.n == 0 &&
			       m.maps == NULL,
		       "%s: -1 and empty", bad[i]);
		free(buf);
	}
	tap_ok(procfs_parse_maps("", 0, &m) == 0 && m.n == 0,
	       "empty text: no mappings");
	for (size_t i = 1; i < sizeof(strings) / sizeof(strings[0]); i++)
		tap_ok(procfs_parse_maps(strings[i], strlen(strings[i]), &m) ==
			       -1,
		       "malformed '%s' -> -1", strings[i]);
	/* Not NUL-terminated: the parser must stop at len. */
	tap_ok(procfs_parse_maps("1000-2000 r-xp 0 08:01 1 /abc", 27, &m) ==
			       0 &&
		       m.n == 1 && strcmp(m.maps[0].path, "/a") == 0,
	       "stops at len");
	procfs_maps_free(&m);
}

/* 100k lines: parse and look up in well under a second. */
static void
test_maps_huge(void)
{
	size_t n = 100000, cap = n * 100, len = 0;
	char *buf = xmalloc(cap);
	struct procfs_maps m;
	struct timespec t0, t1;
	double ms;
	int ok = 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t s = 0x7f0000000000ULL + i * 0x2000;

		len += (size_t)snprintf(
			buf + len, cap - len,
			"%llx-%llx r-xp %08zx 08:01 %zu%s\n",
			(unsigned long long)s, (unsigned long long)(s + 0x1000),
			i * 0x1000, i + 1,
			i % 3 ? "                   /usr/lib/libhuge.so" : "");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_is_int(procfs_parse_maps(buf, len, &m), 0, "huge maps parse");
	for (size_t i = 0; i < n; i += 7)
		ok &= procfs_maps_find(&m, 0x7f0000000000ULL + i * 0x2000 +
						   0x10) == &m.maps[i];
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	tap_is_int(m.n, n, "100000 mappings");
	tap_ok(ok, "every 7th mapping found");
	tap_ok(ms < 2000, "parse + lookups in %.0f ms (< 2000)", ms);
	procfs_maps_free(&m);
	free(buf);
}

static void
test_stat(void)
{
	struct procfs_stat st;
	char *buf = fixture("stat-parens", NULL);

	tap_is_int(procfs_parse_stat(buf, &st), 0, "stat with ') (' in comm");
	tap_is_str(st.comm, "a) b) (c", "comm keeps spaces and parens");
	tap_ok(st.state == 'R' && st.ppid == 1, "state R, ppid 1");
	tap_ok(st.utime == 250 && st.stime == 17, "utime 250, stime 17");
	tap_is_int(st.processor, 1, "processor");
	tap_ok(!(st.flags & 0x00200000), "not a kernel thread");
	free(buf);

	buf = fixture("stat-kthread", NULL);
	tap_ok(procfs_parse_stat(buf, &st) == 0 && (st.flags & 0x00200000) &&
		       strcmp(st.comm, "kthreadd") == 0,
	       "kthreadd has PF_KTHREAD");
	free(buf);
	buf = fixture("stat-zombie", NULL);
	tap_ok(procfs_parse_stat(buf, &st) == 0 && st.state == 'Z' &&
		       strcmp(st.comm, "my thread name") == 0,
	       "zombie with spaces in comm");
	free(buf);
	buf = fixture("stat-truncated", NULL);
	tap_is_int(procfs_parse_stat(buf, &st), -1, "truncated stat -> -1");
	free(buf);
	tap_is_int(procfs_parse_stat("", &st), -1, "empty stat -> -1");
	tap_is_int(procfs_parse_stat("1 (x", &st), -1, "no ')' -> -1");
	tap_is_int(procfs_parse_stat("1 x) R", &st), -1, "no '(' -> -1");
	tap_is_int(procfs_parse_stat("1 (x)", &st), -1, "nothing after comm");
	tap_is_int(procfs_parse_stat("1 (x) R 1 a", &st), -1, "letters");
}

static void
test_status(void)
{
	char *buf = fixture("status-traced", NULL);

	tap_is_int(procfs_parse_tracerpid(buf), 5678, "TracerPid 5678");
	free(buf);
	buf = fixture("status-untraced", NULL);
	tap_is_int(procfs_parse_tracerpid(buf), 0, "TracerPid 0");
	free(buf);
	buf = fixture("status-notracer", NULL);
	tap_is_int(procfs_parse_tracerpid(buf), -1, "no TracerPid -> -1");
	free(buf);
	tap_is_int(procfs_parse_tracerpid(""), -1, "empty -> -1");
	tap_is_int(procfs_parse_tracerpid("TracerPid:\tx\n"), -1, "junk -> -1");
	tap_is_int(procfs_parse_tracerpid("XTracerPid:\t5\n"), -1,
		   "key must start a line");
	tap_is_int(procfs_parse_tgid("Name:\tx\nTgid:\t42\nPid:\t43\n"), 42,
		   "Tgid 42");
	tap_is_int(procfs_parse_tgid("Tgid:\t0\n"), -1, "Tgid 0 -> -1");
	tap_is_int(procfs_parse_tgid("Tgid:\t99999999999\n"), -1,
		   "Tgid past pid_t -> -1");
	tap_is_int(procfs_parse_tgid("Tgid:\t4x\n"), -1, "junk Tgid -> -1");
	tap_is_int(procfs_parse_tgid("PPid:\t1\n"), -1, "no Tgid -> -1");
}

static void
test_voluntary(void)
{
	tap_ok(procfs_parse_voluntary(
		       "Name:\tx\nvoluntary_ctxt_switches:\t"
		       "4242\nnonvoluntary_ctxt_switches:\t7\n") == 4242,
	       "voluntary_ctxt_switches 4242");
	tap_ok(procfs_parse_voluntary("nonvoluntary_ctxt_switches:\t7\n") == -1,
	       "nonvoluntary is not voluntary -> -1");
	tap_ok(procfs_parse_voluntary("voluntary_ctxt_switches:\t-3\n") == -1,
	       "negative -> -1");
	tap_ok(procfs_parse_voluntary("voluntary_ctxt_switches:\t3x\n") == -1,
	       "junk after the number -> -1");
	tap_ok(procfs_parse_voluntary("voluntary_ctxt_switches:\t"
				      "99999999999999999999\n") == -1,
	       "overflow -> -1");
	tap_ok(procfs_read_voluntary(getpid(), getpid()) >= 0,
	       "our own status has a count");
}

static void
test_creds(void)
{
	char *buf = fixture("status-creds", NULL);
	struct procfs_creds c;

	tap_is_int(procfs_parse_creds(buf, &c), 0, "creds parse");
	tap_ok(c.uid == 1003 && c.gid == 2003, "the fs uid and gid (%d, %d)",
	       (int)c.uid, (int)c.gid);
	tap_ok(c.ngroups == 4 && c.groups[0] == 4 && c.groups[3] == 100,
	       "the groups (%zu)", c.ngroups);
	free(buf);
	tap_is_int(procfs_parse_creds("Uid:\t1 2 3 4\nGid:\t1 2 3 4\n", &c), 0,
		   "no Groups line: none");
	tap_is_int((int)c.ngroups, 0, "... zero groups");
	tap_is_int(procfs_parse_creds("Uid:\t1 2 3\nGid:\t1 2 3 4\n", &c), -1,
		   "three uids: refused");
	tap_is_int(procfs_parse_creds("Uid:\t1 2 3 x\nGid:\t1 2 3 4\n", &c), -1,
		   "junk: refused");
	tap_is_int(procfs_parse_creds("Uid:\t1 2 3 4\n", &c), -1,
		   "no Gid: refused");
	tap_is_int(procfs_parse_creds("Uid:\t1 2 3 4\nGid:\t1 2 3 4\n"
				      "Groups:\t-1\n",
				      &c),
		   -1, "a negative group: refused");
	tap_is_int(procfs_read_creds(getpid(), &c), 0, "this process's creds");
	tap_ok(c.uid == geteuid(), "... its uid");
}

/* The live readers, on this process. */
static void
test_live(void)
{
	struct procfs_maps m;
	struct procfs_stat st;
	pid_t *tids = NULL, me = getpid();
	char name[16], *cmd;
	ssize_t n;
	int fd;

	tap_ok(procfs_read_maps(me, &m) == 0 &&
		       procfs_maps_find(&m, (uint64_t)(uintptr_t)test_live) !=
			       NULL,
	       "own maps contain own code");
	procfs_maps_free(&m);
	n = procfs_read_tasks(me, &tids);
	tap_ok(n == 1 && tids[0] == me, "one task: ourselves");
	free(tids);
	tap_ok(procfs_read_tasks(-5, &tids) == -1, "tasks of a bad pid -> -1");
	fd = procfs_open_stat(me, me);
	tap_ok(fd >= 0 && procfs_stat_fd(fd, &st) == 0 && st.state == 'R' &&
		       procfs_stat_fd(fd, &st) == 0,
	       "stat fd re-read twice");
	close(fd);
	tap_ok(procfs_read_comm(me, me, name) == 0 &&
		       strcmp(name, "procfs_test") == 0,
	       "comm is procfs_test");
	cmd = procfs_read_cmdline(me);
	tap_ok(cmd != NULL && strstr(cmd, "procfs_test") != NULL,
	       "cmdline names us");
	free(cmd);
	tap_ok(procfs_read_comm(me, -1, name) == -1, "comm of no thread -> -1");
}

/* schedstat: "run_ns wait_ns slices"; the slice count moves when we run. */
static void
test_schedstat(void)
{
	struct procfs_schedstat a, b;
	pid_t me = getpid();
	char *exe;
	int fd;

	tap_ok(procfs_parse_schedstat("123 456 7\n", &a) == 0 &&
		       a.run_ns == 123 && a.wait_ns == 456 && a.slices == 7,
	       "schedstat fields");
	tap_ok(procfs_parse_schedstat("123 x", &a) == -1,
	       "malformed schedstat -> -1");
	fd = procfs_open_schedstat(me, me);
	tap_ok(fd >= 0 && procfs_schedstat_fd(fd, &a) == 0, "own schedstat");
	usleep(2000); /* sleeping and waking schedules us in again */
	tap_ok(procfs_schedstat_fd(fd, &b) == 0 && b.slices > a.slices &&
		       b.run_ns >= a.run_ns,
	       "the slice count moves after a sleep (%llu -> %llu)",
	       (unsigned long long)a.slices, (unsigned long long)b.slices);
	close(fd);
	exe = procfs_read_exe(me);
	tap_ok(exe != NULL && strstr(exe, "procfs_test") != NULL,
	       "exe names us");
	free(exe);
}

int
main(void)
{
	test_maps_awkward();
	test_maps_malformed();
	test_maps_huge();
	test_stat();
	test_status();
	test_voluntary();
	test_creds();
	test_live();
	test_schedstat();
	return tap_done();
}
