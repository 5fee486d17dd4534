/*
 * Held pages as a fuse_bufvec, and the READ reply made of them (see
 * fs_pagebuf.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_phys.h"
#include "fuse/fs_pagebuf.h"

/* Append len bytes at fd offset foff, merging with the last entry. */
static void
pagebuf_add_fd(struct fuse_bufvec *bv, int fd, off_t foff, size_t len)
{
	struct fuse_buf *b;

	if (bv->count > 0) {
		b = &bv->buf[bv->count - 1];
		if (b->fd == fd && b->pos + (off_t)b->size == foff) {
			b->size += len;
			return;
		}
	}
	b = &bv->buf[bv->count++];
	memset(b, 0, sizeof(*b));
	b->flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	b->fd = fd;
	b->pos = foff;
	b->size = len;
}

/* Append len bytes at host, merging with the last entry. */
static void
pagebuf_add_mem(struct fuse_bufvec *bv, char *host, size_t len)
{
	struct fuse_buf *b;

	if (bv->count > 0) {
		b = &bv->buf[bv->count - 1];
		if ((char *)b->mem + b->size == host) {
			b->size += len;
			return;
		}
	}
	b = &bv->buf[bv->count++];
	memset(b, 0, sizeof(*b));
	b->mem = host;
	b->size = len;
}

/*
 * Are all the held pages resident in the daemon's mapping of their
 * memory (mincore(2) per run of contiguous pages)?  A hole, or a failure
 * to tell, is "no".
 */
static bool
pagebuf_all_resident(const struct vm_map_hold *h)
{
	unsigned char vec[64];
	char *host, *start;
	size_t run;
	unsigned i, j;

	i = 0;
	while (i < h->count) {
		start = vm_phys_to_host(vm_map_hold_paddr(h, i));
		if (start == NULL)
			return (false);
		for (j = i + 1, run = 1; j < h->count && run < sizeof(vec);
		    j++, run++) {
			host = vm_phys_to_host(vm_map_hold_paddr(h, j));
			if (host != start + run * PAGE_SIZE)
				break;
		}
		if (mincore(start, run * PAGE_SIZE, vec) != 0)
			return (false);
		for (j = 0; j < run; j++)
			if ((vec[j] & 1) == 0)
				return (false);
		i += (unsigned)run;
	}
	return (true);
}

int
fs_pagebuf_fill(struct fuse_bufvec *bv, unsigned max,
    const struct vm_map_hold *h, vm_ooffset_t off, vm_ooffset_t end,
    bool *fdp)
{
	vm_ooffset_t page;
	vm_paddr_t pa;
	size_t pgoff, len;
	unsigned i;
	off_t foff;
	char *host;
	bool fds;
	int fd;

	(void)max;
	bv->count = 0;
	bv->idx = 0;
	bv->off = 0;
	/*
	 * Descriptors only if every page has one (one kind per bufvec) and
	 * some page is a hole of its memfd: pages the device has written
	 * are resident anyway, and the kernel's copy straight out of the
	 * mapping is the cheaper way to send them.
	 */
	fds = h->count > 0;
	for (i = 0; i < h->count && fds; i++)
		fds = vm_phys_to_anon_fd(vm_map_hold_paddr(h, i), &fd,
		    &foff) == 0;
	if (fds && pagebuf_all_resident(h))
		fds = false;
	for (i = 0, page = trunc_page(off); i < h->count; i++,
	    page += PAGE_SIZE) {
		pgoff = page < off ? off - page : 0;
		len = (end - page < PAGE_SIZE ? end - page : PAGE_SIZE) - pgoff;
		pa = vm_map_hold_paddr(h, i);
		if (fds) {
			if (vm_phys_to_anon_fd(pa, &fd, &foff) != 0)
				return (EIO);
			pagebuf_add_fd(bv, fd, foff + (off_t)pgoff, len);
		} else {
			host = vm_phys_to_host(pa);
			if (host == NULL)
				return (EIO);	/* the window went away */
			pagebuf_add_mem(bv, host + pgoff, len);
		}
	}
	*fdp = fds;
	return (0);
}

/*
 * Reply to a READ straight from the held pages.  Plain anonymous device
 * memory goes by descriptor (fs_pagebuf.h): libfuse splices it, and a
 * page the device never wrote costs the daemon nothing.  Other pages go
 * as one iovec per run of pages contiguous in the daemon's address
 * space, so the only copy is the kernel's.  The host mapping (and the
 * window's descriptor) of device memory is only guaranteed inside an RCU
 * read-side section, which covers the reply.
 *
 * The kernel's copy can fail where the daemon's could fault: device
 * memory backed by a file that no longer holds a page (truncated under
 * the device, a hole on a full filesystem, a failing disk).  The writev
 * then fails with EFAULT and the kernel ends the request with EIO (the
 * application gets SIGBUS or EIO); that failure is counted and logged
 * once for the window (vm_phys_copy_failed) and returned as EIO with
 * *sentp set: the request has had its reply.  An interrupted request
 * (ENOENT) is not an error.  Without *sentp, the caller must reply.
 */
int
fs_pagebuf_reply(fuse_req_t req, const struct vm_map_hold *h,
    vm_ooffset_t off, vm_ooffset_t end, struct fuse_bufvec *bv,
    unsigned bvmax, struct iovec *iov, bool *sentp)
{
	unsigned i;
	bool fds;
	int error, rv;

	*sentp = false;
	rcu_read_lock();
	error = fs_pagebuf_fill(bv, bvmax, h, off, end, &fds);
	if (error == 0 && fds) {
		/* libfuse answers a failed read of the descriptor itself. */
		rv = fuse_reply_data(req, bv, 0);
		*sentp = true;
		if (rv != 0 && rv != -ENOENT)
			error = EIO;
	} else if (error == 0) {
		for (i = 0; i < bv->count; i++) {
			iov[i].iov_base = bv->buf[i].mem;
			iov[i].iov_len = bv->buf[i].size;
		}
		rv = fuse_reply_iov(req, iov, (int)bv->count);
		*sentp = true;
		if (rv == -EFAULT) {
			vm_phys_copy_failed(vm_map_hold_paddr(h, 0),
			    (vm_size_t)h->count * PAGE_SIZE);
			error = EIO;
		}
	}
	rcu_read_unlock();
	return (error);
}
