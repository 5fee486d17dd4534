/*
 * Readiness notification (fs_notify.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/kern_log.h"
#include "fuse/fs_notify.h"

#define	FS_NOTIFY_READY	"READY=1"

int
fs_notify_ready(void)
{
	struct sockaddr_un sun;
	const char *addr;
	socklen_t socklen;
	size_t len;
	int error, fd;

	addr = getenv(FS_NOTIFY_ENV);
	if (addr == NULL || addr[0] == '\0')
		return (0);
	len = strlen(addr);
	if (addr[0] != '/' && (addr[0] != '@' || len == 1)) {
		kern_log(LOG_ERR, "devpagerfs: %s is neither a path nor "
		    "@name: not telling the service manager we are ready",
		    FS_NOTIFY_ENV);
		return (EINVAL);
	}
	if (len >= sizeof(sun.sun_path)) {
		kern_log(LOG_ERR, "devpagerfs: %s is too long: not telling "
		    "the service manager we are ready", FS_NOTIFY_ENV);
		return (ENAMETOOLONG);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, addr, len);
	/* '@': the abstract namespace, whose names start with a NUL and
	 * are exactly as long as the address says. */
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	socklen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		error = errno;
		kern_log(LOG_ERR, "devpagerfs: cannot tell the service manager "
		    "we are ready: socket: %s", strerror(error));
		return (error);
	}
	error = 0;
	if (sendto(fd, FS_NOTIFY_READY, strlen(FS_NOTIFY_READY), MSG_NOSIGNAL,
	    (const struct sockaddr *)&sun, socklen) == -1) {
		error = errno;
		kern_log(LOG_ERR, "devpagerfs: cannot tell the service manager "
		    "we are ready: %s: %s", addr, strerror(error));
	}
	(void)close(fd);
	return (error);
}
