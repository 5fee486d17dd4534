/*
 * devpagerfs: mount the tree and serve it.
 *
 * Life cycle: parse -> validate -> session -> signal handlers -> mount ->
 * daemonize -> start the shutdown thread, the VM and its threads -> loop
 * -> tear down -> unmount.  RCU and every other thread start only after
 * fuse_daemonize(), since fork() would leave them behind.  A signal ends
 * the loop only after the dirty pages are written back (fs_shutdown.h);
 * after the loop nothing may wait on a request, since no worker is left
 * to answer it.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/devfs.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"
#include "vm/vm_init.h"
#include "fuse/fs.h"
#include "fuse/fs_ctl.h"
#include "fuse/fs_device.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_prefault.h"
#include "fuse/fs_notify.h"
#include "fuse/fs_options.h"
#include "fuse/fs_shutdown.h"
#include "fuse/fs_stats.h"

/*
 * Bring the VM up, create the devices and start the invalidation thread.
 * Runs after fuse_daemonize(): RCU and every thread start here.  0, or -1
 * after logging why.
 */
static bool fs_vm_up;

static int
fs_start(void)
{
	struct ucred owner;
	struct sbuf err;
	int error;

	rcu_thread_online();
	error = vm_init(fs.opts.physmem);
	if (error != 0) {
		kern_log(LOG_ERR, "devpagerfs: cannot set up %llu bytes of "
		    "simulated RAM: %s", (unsigned long long)fs.opts.physmem,
		    strerror(error));
		return (-1);
	}
	fs_vm_up = true;
	fs_stats_vm_started(true);
	if (fs.opts.swap_limit_set)
		swap_set_default_limit(fs.opts.swap_limit);
	fs_device_init();
	pmap_set_unmap_callback(fs_device_pmap_unmap, NULL);
	dev_set_revoke_hook(fs_device_revoke);
	dev_set_retire_hook(fs_device_retire);
	error = fs_inval_start(fs.se);
	if (error != 0) {
		kern_log(LOG_ERR, "devpagerfs: cannot start the invalidation "
		    "thread: %s", strerror(error));
		return (-1);
	}
	error = fs_prefault_start();
	if (error != 0) {
		kern_log(LOG_ERR, "devpagerfs: cannot start the prefault "
		    "thread: %s", strerror(error));
		return (-1);
	}
	/* Devices made at start belong to the mounting user unless the
	 * configuration says otherwise. */
	owner.cr_uid = fs.owner_uid;
	owner.cr_gid = fs.owner_gid;
	owner.cr_pid = getpid();
	sbuf_init(&err);
	if (fs.opts.config != NULL)
		error = fs_config_apply(fs.opts.config, &owner, &err);
	else
		error = fs_config_apply_defaults(&owner, &err);
	if (error != 0 || sbuf_finish(&err) != 0) {
		kern_log(LOG_ERR, "devpagerfs: %s", sbuf_len(&err) > 0 ?
		    sbuf_data(&err) : strerror(error));
		sbuf_delete(&err);
		return (-1);
	}
	sbuf_delete(&err);
	return (0);
}

/*
 * Undo fs_start() once the request loop has ended.  No worker reads
 * /dev/fuse any more, so nothing here may reach the kernel in a way that
 * waits on a request: the unmap and revoke hooks go first, and the
 * invalidation thread sends nothing more.  Then the files still open are
 * closed, every backing is made durable, and the devices go.  0, or 1 if
 * a device could not be synced.
 */
static int
fs_stop(void)
{
	unsigned nopen;
	int status;

	if (!fs_vm_up)
		return (0);
	pmap_set_unmap_callback(NULL, NULL);
	dev_set_revoke_hook(NULL);
	dev_set_retire_hook(NULL);
	fs_prefault_stop();
	fs_inval_stop();
	/* Opens whose release will never come: a process kept the file. */
	nopen = devfs_close_all();
	if (nopen > 0)
		kern_log(LOG_DEBUG, "devpagerfs: closed %u device files still "
		    "open", nopen);
	status = fs_shutdown_sync_devices() != 0 ? 1 : 0;
	fs_device_fini();
	dev_destroy_all();
	fs_stats_vm_started(false);
	vm_fini();
	fs_vm_up = false;
	return (status);
}

static void
fs_fuse_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	kern_vlog((int)level, fmt, ap);
}

int
main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct fuse_loop_config *loop_cfg;
	char err[512];
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	loop_cfg = NULL;
	ret = 1;
	fuse_set_log_func(fs_fuse_log);

	if (fs_options_parse(&args, &fs.opts, err, sizeof(err)) != 0) {
		fprintf(stderr, "devpagerfs: %s\n", err);
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_args;
	if (cmd.show_help) {
		fs_options_usage(argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = 0;
		goto out_args;
	}
	if (cmd.show_version) {
		printf("devpagerfs version %s\n", PACKAGE_VERSION);
		fuse_lowlevel_version();
		ret = 0;
		goto out_args;
	}
	if (cmd.mountpoint == NULL) {
		fprintf(stderr, "devpagerfs: no mountpoint given "
		    "(usage: devpagerfs [-dfhsV] [-o option[,...]] [source] "
		    "mountpoint)\n");
		goto out_args;
	}
	if (fs.opts.config != NULL) {
		struct sbuf cerr;
		int cfg_error;

		/* A bad configuration is refused before mounting. */
		sbuf_init(&cerr);
		cfg_error = fs_config_check(fs.opts.config, &cerr);
		if (cfg_error != 0 || sbuf_finish(&cerr) != 0) {
			fprintf(stderr, "devpagerfs: %s\n", sbuf_len(&cerr) > 0 ?
			    sbuf_data(&cerr) : strerror(cfg_error));
			sbuf_delete(&cerr);
			goto out_args;
		}
		sbuf_delete(&cerr);
	}
	kern_log_set_debug(cmd.debug);
	fs.debug = cmd.debug != 0;
	fs.owner_uid = getuid();
	fs.owner_gid = getgid();
	clock_gettime(CLOCK_REALTIME, &fs.start_time);
	fs.entry_timeout = fs.opts.entry_timeout;
	fs.attr_timeout = fs.opts.attr_timeout;

	fs.se = fuse_session_new(&args, &fs_ll_ops, sizeof(fs_ll_ops), NULL);
	if (fs.se == NULL)
		goto out_args;
	if (fs_shutdown_init(fs.se) != 0)
		goto out_session;
	if (fuse_session_mount(fs.se, cmd.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(cmd.foreground) != 0)
		goto out_unmount;
	if (!cmd.foreground)
		kern_log_to_syslog("devpagerfs");
	if (fs_shutdown_start(cmd.mountpoint) != 0)
		goto out_unmount;
	if (fs_start() != 0) {
		/* No loop will run: wait for a drain a signal started. */
		(void)fs_shutdown_loop_exit(0);
		(void)fs_stop();
		goto out_unmount;
	}
	(void)fs_notify_ready();

	fs_shutdown_loop_enter();
	if (cmd.singlethread)
		ret = fuse_session_loop(fs.se);
	else {
		loop_cfg = fuse_loop_cfg_create();
		if (loop_cfg == NULL)
			ret = -ENOMEM;
		else {
			fuse_loop_cfg_set_clone_fd(loop_cfg, cmd.clone_fd);
			if (cmd.max_idle_threads <= 100000)
				fuse_loop_cfg_set_idle_threads(loop_cfg,
				    cmd.max_idle_threads);
			/* fuse_parse_cmdline leaves UINT_MAX when not given. */
			if (cmd.max_threads > 0 && cmd.max_threads <= 100000)
				fuse_loop_cfg_set_max_threads(loop_cfg,
				    cmd.max_threads);
			ret = fuse_session_loop_mt(fs.se, loop_cfg);
		}
	}
	/* 0 after an unmount or a complete drain, 1 otherwise. */
	ret = fs_shutdown_loop_exit(ret);
	if (fs_stop() != 0)
		ret = 1;
out_unmount:
	fuse_session_unmount(fs.se);
out_signals:
	fs_shutdown_fini();
out_session:
	fuse_session_destroy(fs.se);
out_args:
	if (loop_cfg != NULL)
		fuse_loop_cfg_destroy(loop_cfg);
	free(cmd.mountpoint);
	fs_options_free(&fs.opts);
	fuse_opt_free_args(&args);
	return (ret);
}
