#include "config.h"

#include "attach/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "attach/attach-int.h"

/*
 * Reads through /proc/PID/mem, for kernels or sandboxes without
 * process_vm_readv. Opened per call: an fd kept across an exec would read
 * the old address space, and attach_read() may run on any thread.
 */
static ssize_t
memread_proc(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	size_t done = 0;
	int fd, saved;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  (off_t)(addr + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			saved = errno;
			close(fd);
			if (done > 0)
				return (ssize_t)done;
			errno = r == 0 ? EFAULT
				       : (saved == EIO ? EFAULT : saved);
			return -1;
		}
		done += (size_t)r;
	}
	close(fd);
	return (ssize_t)done;
}

ssize_t
attach_read(const struct attach *a, uint64_t addr, void *buf, size_t len)
{
	return attach_read_pid(a->pid, addr, buf, len);
}

ssize_t
attach_read_pid(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t r;

	if (len == 0)
		return 0;
	r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (r >= 0 || (errno != ENOSYS && errno != EPERM))
		return r;
	return memread_proc(pid, addr, buf, len);
}
