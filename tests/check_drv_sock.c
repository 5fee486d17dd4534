/*
 * A bound AF_UNIX socket (check_drv_sock.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <string.h>
#include <unistd.h>

#include "check_drv_sock.h"

int
drv_bind_socket(const char *path)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (-1);
	strcpy(sun.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return (-1);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(s);
		return (-1);
	}
	return (s);
}
