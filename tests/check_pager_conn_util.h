/*
 * The daemon's side of the pager_conn suites (tests/check_pager_conn*.c):
 * one pager_conn, conn, connected to a scripted pager, peer
 * (check_pager_peer.h); what the driver's callbacks saw, rec; requests
 * on threads of their own.  conn_setup/conn_teardown is the checked
 * fixture: a fresh peer and rec, no conn until make_conn().
 */
#ifndef _TESTS_CHECK_PAGER_CONN_UTIL_H_
#define _TESTS_CHECK_PAGER_CONN_UTIL_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check_devpager.h"
#include "check_pager_peer.h"
#include "dev/pager_conn.h"

#define	PAGE		4096u
#define	DEV_SIZE	(256 * PAGE)
#define	MAX_DATA	(8 * PAGE)
#define	NSLOTS		8

/* What the driver's callbacks saw. */
struct rec {
	pthread_mutex_t		mtx;
	pthread_cond_t		cv;
	char			log[512];	/* "up1 down1 up2 ..." */
	int			events;
	struct pager_conn_lock	locks[64];
	int			nlocks;
	int			lock_result;	/* what pco_lock returns */
};

extern struct peer peer;
extern struct pager_conn *conn;
extern struct rec rec;

void	conn_setup(void);
void	conn_teardown(void);
/* A TCase of s with that fixture and timeout (seconds). */
TCase	*conn_tcase_create(Suite *s, const char *name, int timeout);
/* conn to peer's socket, device "pg0" of DEV_SIZE bytes. */
void	make_conn(unsigned timeout_ms, bool readonly);
struct pager_conn_stats conn_stats(void);
/* Wait until at least n events / locks were recorded; false on timeout. */
bool	rec_wait(int *counter, int n);

/* A request (or return) on its own thread. */
struct req {
	pthread_t	 td;
	uint64_t	 off;
	uint32_t	 len;
	unsigned	 access;
	bool		 ret;		/* pager_conn_return */
	uint8_t		*buf;
	int		 error;
};

/*
 * Start a request (or a return: its buffer holds pattern seed 3) of len
 * bytes at off; a request's buffer starts as 0xee bytes.
 */
void	req_start(struct req *r, uint64_t off, uint32_t len, bool ret);
int	req_join(struct req *r);
void	req_free(struct req *r);
/* Is every byte of buf v? */
bool	all_bytes(const uint8_t *buf, size_t len, uint8_t v);
/* Connect conn while peer accepts and answers (features, inflight). */
void	connect_up(uint32_t features, uint32_t inflight);
/*
 * connect_up in halves: begin starts pager_conn_connect on a thread and
 * plays the peer's accept and handshake; end waits for the connect.
 */
struct connecting {
	pthread_t	 td;
	int		 error;
};
void	connect_begin(struct connecting *c, uint32_t features,
	    uint32_t inflight);
void	connect_end(struct connecting *c);

#endif /* !_TESTS_CHECK_PAGER_CONN_UTIL_H_ */
