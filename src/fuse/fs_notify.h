/*
 * Readiness notification for service managers: the "READY=1" message of
 * systemd's notification protocol (sd_notify(3)), written here in a few
 * lines rather than linking libsystemd.
 *
 * A service of Type=notify is started with $NOTIFY_SOCKET holding the
 * address of a datagram socket: a path ("/run/systemd/notify") or, with a
 * leading '@', a name in the abstract namespace.  The unit becomes active
 * when the main process sends "READY=1" there.  The daemon sends it once
 * the file system is mounted and its devices exist, so units ordered after
 * devpagerfs@.service find a working mount.  Without $NOTIFY_SOCKET nothing
 * is sent.
 *
 * No state; call from the main thread.
 */
#ifndef _FUSE_FS_NOTIFY_H_
#define _FUSE_FS_NOTIFY_H_

#define	FS_NOTIFY_ENV	"NOTIFY_SOCKET"

/*
 * Send "READY=1" to $NOTIFY_SOCKET if it is set.  0 (sent, or nothing to
 * do), or an errno value after logging why: EINVAL for an address that is
 * neither a path nor '@'name, ENAMETOOLONG, or socket(2)'s or sendto(2)'s
 * error.  A failure is not fatal to the daemon; systemd then times out.
 */
int	fs_notify_ready(void);

#endif /* !_FUSE_FS_NOTIFY_H_ */
