/*
 * The fb driver: geometry bounds, stride and size; the framebuffer's own
 * cdev_pager fault handler reached through vm_mmap_cdev and vm_fault
 * (window pages, WC, the getfake and updatefake branches, concurrent
 * faults, faults after destroy); memattr; PNG snapshots of drawn
 * patterns in all three pixel formats decoded back pixel for pixel; the
 * snapshot path rules; the PNG encoder on its own.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_dev_util.h"
#include "check_devpager.h"
#include "check_drv_util.h"
#include "png_read.h"
#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "dev/dev_fb.h"
#include "dev/png_write.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

#define	FB_THREADS	4

static char line[1024];

static vm_object_t fb_map(const char *name, vm_ooffset_t off,
		    vm_size_t len, struct cdev **devp);
static uint8_t	*fb_host(const char *name);
static uint32_t	pix_value(unsigned x, unsigned y, unsigned seed);
static void	expect_rgb(uint32_t v, unsigned bpp, uint8_t rgb[3]);
static void	draw(uint8_t *host, unsigned w, unsigned h, unsigned bpp,
		    uint32_t stride, unsigned seed);
static void	snapshot_check(unsigned w, unsigned h, unsigned bpp);
static int	count_entries(const char *dir);

/* vm_mmap_cdev of [off, off + len) of device name: the object. */
static vm_object_t
fb_map(const char *name, vm_ooffset_t off, vm_size_t len, struct cdev **devp)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;

	dev = dev_lookup_ref(name);
	ck_assert_ptr_nonnull(dev);
	foff = off;
	obj = NULL;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, len, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_ptr_nonnull(obj);
	/* The offset is the object offset: nothing rewritten. */
	ck_assert_uint_eq(foff, off);
	*devp = dev;
	return (obj);
}

/* The host address of the framebuffer window (kept while it exists). */
static uint8_t *
fb_host(const char *name)
{
	vm_paddr_t base;
	uint8_t *host;

	base = drv_window_base(name);
	ck_assert_uint_ne(base, 0);
	rcu_read_lock();
	host = vm_phys_to_host(base);
	rcu_read_unlock();
	ck_assert_ptr_nonnull(host);
	return (host);
}

/* A pixel value with every bit of every channel exercised. */
static uint32_t
pix_value(unsigned x, unsigned y, unsigned seed)
{
	uint32_t v;

	v = (x * 2654435761u) ^ (y * 40503u) ^ (seed * 0x9e3779b9u);
	return (v ^ v >> 13);
}

/*
 * The RGB a stored pixel value stands for, computed here from the
 * documented formats (devpagerfs_fb(4)), not with the driver's code.
 */
static void
expect_rgb(uint32_t v, unsigned bpp, uint8_t rgb[3])
{
	unsigned r5, g6, b5;

	if (bpp == 16) {
		v &= 0xffff;
		r5 = v >> 11;
		g6 = (v >> 5) & 63;
		b5 = v & 31;
		rgb[0] = (uint8_t)(r5 << 3 | r5 >> 2);
		rgb[1] = (uint8_t)(g6 << 2 | g6 >> 4);
		rgb[2] = (uint8_t)(b5 << 3 | b5 >> 2);
	} else {
		/* XRGB8888 / RGB888: R in bits 16..23, B in 0..7. */
		rgb[0] = (uint8_t)(v >> 16);
		rgb[1] = (uint8_t)(v >> 8);
		rgb[2] = (uint8_t)v;
	}
}

/*
 * Store the pattern little-endian in the pixel format; the stride
 * padding gets 0xa5 (it must not show in a snapshot).
 */
static void
draw(uint8_t *host, unsigned w, unsigned h, unsigned bpp, uint32_t stride,
    unsigned seed)
{
	unsigned x, y, i, bytes;
	uint32_t v;
	uint8_t *p;

	bytes = bpp / 8;
	for (y = 0; y < h; y++) {
		p = host + (size_t)y * stride;
		memset(p, 0xa5, stride);
		for (x = 0; x < w; x++) {
			v = pix_value(x, y, seed);
			for (i = 0; i < bytes; i++)
				p[x * bytes + i] = (uint8_t)(v >> (8 * i));
		}
	}
}

/*
 * The pixel formats on known values; the 16-bit widening rule (bit
 * replication) is within 1 of exact scaling for every 5- and 6-bit value.
 */
START_TEST(test_fb_rgb565_rule)
{
	uint8_t row[3 * 4], rgb[3 * 2];
	unsigned c, w, exact;

	for (c = 0; c < 32; c++) {
		w = c << 3 | c >> 2;
		exact = (c * 255 + 15) / 31;
		ck_assert_uint_le(w > exact ? w - exact : exact - w, 1);
	}
	for (c = 0; c < 64; c++) {
		w = c << 2 | c >> 4;
		exact = (c * 255 + 31) / 63;
		ck_assert_uint_le(w > exact ? w - exact : exact - w, 1);
	}
	/* The driver: white stays 255, black 0, channels in place. */
	row[0] = 0xff;
	row[1] = 0xff;
	row[2] = 0x00;
	row[3] = 0xf8;	/* 0xf800: pure red */
	fb_row_to_rgb(row, 2, 16, rgb);
	ck_assert_uint_eq(rgb[0], 255);
	ck_assert_uint_eq(rgb[1], 255);
	ck_assert_uint_eq(rgb[2], 255);
	ck_assert_uint_eq(rgb[3], 255);
	ck_assert_uint_eq(rgb[4], 0);
	ck_assert_uint_eq(rgb[5], 0);
	/* 0x07e0 and 0x001f: pure green, pure blue; 32 bpp B,G,R,X. */
	row[0] = 0xe0;
	row[1] = 0x07;
	row[2] = 0x1f;
	row[3] = 0x00;
	fb_row_to_rgb(row, 2, 16, rgb);
	ck_assert_int_eq(memcmp(rgb, "\0\377\0\0\0\377", 6), 0);
	memcpy(row, "\1\2\3\4\5\6\7\10", 8);
	fb_row_to_rgb(row, 2, 32, rgb);
	ck_assert_int_eq(memcmp(rgb, "\3\2\1\7\6\5", 6), 0);
	fb_row_to_rgb(row, 2, 24, rgb);
	ck_assert_int_eq(memcmp(rgb, "\3\2\1\6\5\4", 6), 0);
}
END_TEST

START_TEST(test_fb_geometry)
{
	uint32_t stride;
	uint64_t size;

	ck_assert_int_eq(fb_geometry(640, 480, 32, &stride, &size), 0);
	ck_assert_uint_eq(stride, 2560);
	ck_assert_uint_eq(size, 1228800);
	/* Strides round up to 64 bytes, sizes to pages. */
	ck_assert_int_eq(fb_geometry(641, 1, 32, &stride, &size), 0);
	ck_assert_uint_eq(stride, 2624);
	ck_assert_uint_eq(size, 4096);
	ck_assert_int_eq(fb_geometry(1, 1, 16, &stride, &size), 0);
	ck_assert_uint_eq(stride, 64);
	ck_assert_uint_eq(size, 4096);
	ck_assert_int_eq(fb_geometry(100, 3, 24, &stride, &size), 0);
	ck_assert_uint_eq(stride, 320);
	ck_assert_uint_eq(size, 4096);
	ck_assert_int_eq(fb_geometry(1366, 768, 24, &stride, &size), 0);
	ck_assert_uint_eq(stride, 4160);	/* 4098 -> 4160 */
	ck_assert_uint_eq(size, round_page(4160ULL * 768));
	/* The largest: exactly 256M. */
	ck_assert_int_eq(fb_geometry(8192, 8192, 32, &stride, &size), 0);
	ck_assert_uint_eq(stride, 32768);
	ck_assert_uint_eq(size, FB_SIZE_MAX);
	/* Out of range: refused without computing anything. */
	stride = 7;
	size = 7;
	ck_assert_int_eq(fb_geometry(0, 480, 32, &stride, &size), EINVAL);
	ck_assert_int_eq(fb_geometry(640, 0, 32, &stride, &size), EINVAL);
	ck_assert_int_eq(fb_geometry(8193, 1, 16, &stride, &size), EINVAL);
	ck_assert_int_eq(fb_geometry(1, 8193, 16, &stride, &size), EINVAL);
	ck_assert_int_eq(fb_geometry(0xffffffffu, 0xffffffffu, 32, &stride,
	    &size), EINVAL);
	ck_assert_int_eq(fb_geometry(640, 480, 8, &stride, &size), EINVAL);
	ck_assert_int_eq(fb_geometry(640, 480, 31, &stride, &size), EINVAL);
	ck_assert_uint_eq(stride, 7);
	ck_assert_uint_eq(size, 7);
}
END_TEST

START_TEST(test_fb_create_default)
{
	struct cdev *dev;

	/* The default set has fb0: 640x480x32, write-combining. */
	dev = dev_lookup_ref("fb0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 1228800);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_fb_driver);
	dev_rel(dev);
	/* A plain create gets the same. */
	ck_assert_int_eq(drv_ctl("create f driver=fb"), 0);
	dev = dev_lookup_ref("f");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 1228800);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_uint_eq(dev->si_mode, 0660);
	ck_assert_uint_eq(dev->si_owner, drv_cred.cr_uid);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("create g driver=fb width=100 height=3 "
	    "bpp=24 memattr=uc mode=0640"), 0);
	dev = dev_lookup_ref("g");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 4096);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_UNCACHEABLE);
	ck_assert_uint_eq(dev->si_mode, 0640);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("destroy g"), 0);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

START_TEST(test_fb_create_bounds)
{
	struct dev_create_args args;
	struct sbuf err;
	char *before, *after;

	drv_refused(EINVAL, "8192", "create f driver=fb width=8193 height=1");
	drv_refused(EINVAL, "8192", "create f driver=fb width=1 height=16384 "
	    "bpp=16");
	drv_refused(EINVAL, NULL,
	    "create f driver=fb width=16384 height=16384");
	drv_refused(EINVAL, NULL, "create f driver=fb width=640 height=480 "
	    "bpp=8");
	drv_refused(EINVAL, NULL, "create f driver=fb width=0");
	drv_refused(EINVAL, "size", "create f driver=fb size=1M");
	drv_refused(EINVAL, "backing", "create f driver=fb backing=/tmp/x");
	drv_refused(EEXIST, NULL, "create fb0 driver=fb");

	/* Past the parser: a huge geometry reaches the driver and is
	 * refused there, before any window exists. */
	before = drv_state();
	sbuf_init(&err);
	dev_create_args_init(&args);
	strlcpy(args.name, "huge", sizeof(args.name));
	strlcpy(args.driver, "fb", sizeof(args.driver));
	ck_assert_int_eq(dev_create_args_add(&args, "width", "1073741824",
	    &err), 0);
	ck_assert_int_eq(dev_create_args_add(&args, "height", "1073741824",
	    &err), 0);
	ck_assert_int_eq(dev_create_args_add(&args, "bpp", "32", &err), 0);
	ck_assert_int_eq(dev_create(&args, &drv_cred, &err), EINVAL);
	(void)sbuf_finish(&err);
	ck_assert_ptr_nonnull(strstr(sbuf_data(&err), "8192"));
	dev_create_args_init(&args);
	strlcpy(args.name, "huge", sizeof(args.name));
	strlcpy(args.driver, "fb", sizeof(args.driver));
	sbuf_clear(&err);
	ck_assert_int_eq(dev_create_args_add(&args, "width", "8192", &err), 0);
	ck_assert_int_eq(dev_create_args_add(&args, "height", "8192", &err),
	    0);
	ck_assert_int_eq(dev_create_args_add(&args, "bpp", "12", &err), 0);
	sbuf_clear(&err);
	ck_assert_int_eq(dev_create(&args, &drv_cred, &err), EINVAL);
	sbuf_delete(&err);
	after = drv_state();
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(drv_window_base("huge"), 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_fb_faults)
{
	struct cdev *dev;
	vm_object_t obj, obj2;
	vm_paddr_t base;
	vm_page_t m, m2;
	uint8_t *host;
	unsigned i, refs;

	/* 64x64x32: stride 256, 16K, four pages. */
	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=64"), 0);
	base = drv_window_base("f");
	host = fb_host("f");
	for (i = 0; i < 4; i++)
		snprintf((char *)host + ptoa(i), 32, "fb page %u", i);

	obj = fb_map("f", 0, 16384, &dev);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_ptr_eq(obj->un_pager.devp.dev, dev);
	ck_assert_ptr_eq(obj->handle, dev);
	ck_assert_uint_eq(obj->size, 4);
	ck_assert_int_eq(obj->memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_str_eq(obj->path, "dev/f");
	/* The driver keeps one reference, we hold another. */
	ck_assert_uint_eq(obj->ref_count, 2);
	/* Any range inside the device gives the same object. */
	obj2 = fb_map("f", 8192, 4096, &dev);
	dev_rel(dev);
	ck_assert_ptr_eq(obj2, obj);
	ck_assert_uint_eq(obj->ref_count, 3);
	vm_object_deallocate(obj2);

	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(vm_fault(obj, i, VM_PROT_READ, 0, 0, &m),
		    KERN_SUCCESS);
		ck_assert_uint_eq(m->phys_addr, base + ptoa(i));
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		ck_assert_uint_ne(m->oflags & VPO_UNMANAGED, 0);
		ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
		ck_assert_int_eq(vm_page_memattr(m),
		    VM_MEMATTR_WRITE_COMBINING);
		ck_assert_ptr_eq(m->object, obj);
		ck_assert_uint_eq(m->pindex, i);
		snprintf(line, sizeof(line), "fb page %u", i);
		rcu_read_lock();
		ck_assert_str_eq(vm_phys_to_host(m->phys_addr), line);
		rcu_read_unlock();
		VM_OBJECT_WLOCK(obj);
		ck_assert_int_eq(dt_on_pglist(obj, m), 1);
		VM_OBJECT_WUNLOCK(obj);
		/* Resident now: the same page again, no new fault. */
		ck_assert_int_eq(vm_fault(obj, i, VM_PROT_READ, 0, 0, &m2),
		    KERN_SUCCESS);
		ck_assert_ptr_eq(m2, m);
		vm_fault_unhold(m2);
		vm_fault_unhold(m);
	}
	ck_assert_uint_eq(obj->resident_page_count, 4);
	/* Past the end: no page. */
	ck_assert_int_eq(vm_fault(obj, 4, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	/* A range outside the framebuffer cannot be mapped. */
	refs = obj->ref_count;
	{
		vm_ooffset_t foff = 16384;
		vm_object_t o = NULL;

		dev = dev_lookup_ref("f");
		ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 4096, VM_PROT_READ,
		    VM_PROT_ALL, &drv_cred, &o), EINVAL);
		foff = 8192;
		ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 12288,
		    VM_PROT_READ, VM_PROT_ALL, &drv_cred, &o), EINVAL);
		dev_rel(dev);
	}
	ck_assert_uint_eq(obj->ref_count, refs);
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

/* A RAM placeholder: the handler replaces it with a fake page and frees
 * it (the getfake branch); the device pager lists the result once. */
START_TEST(test_fb_fault_getfake)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_paddr_t base;
	vm_page_t m;
	unsigned long freepages;

	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=64 "
	    "bpp=16"), 0);
	base = drv_window_base("f");
	obj = fb_map("f", 0, 8192, &dev);
	dev_rel(dev);
	freepages = vm_phys_free_count();
	ck_assert_int_eq(dt_getpage(obj, 1, false, &m), VM_PAGER_OK);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
	ck_assert_uint_eq(m->phys_addr, base + PAGE_SIZE);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	/* The RAM placeholder went back to the free lists. */
	ck_assert_uint_eq(vm_phys_free_count(), freepages);
	VM_OBJECT_WLOCK(obj);
	ck_assert_ptr_eq(vm_page_lookup(obj, 1), m);
	ck_assert_int_eq(dt_on_pglist(obj, m), 1);
	VM_OBJECT_WUNLOCK(obj);
	/* And the fake-placeholder branch through the same helper. */
	ck_assert_int_eq(dt_getpage(obj, 0, true, &m), VM_PAGER_OK);
	ck_assert_uint_eq(m->phys_addr, base);
	VM_OBJECT_WLOCK(obj);
	ck_assert_int_eq(dt_on_pglist(obj, m), 1);
	VM_OBJECT_WUNLOCK(obj);
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

/* revoke invalidates the pages; the next fault repoints the same fake
 * page (updatefake) with the memattr in force then. */
START_TEST(test_fb_revoke_memattr)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_paddr_t base;
	vm_page_t m, m2;

	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=64 "
	    "memattr=uc"), 0);
	base = drv_window_base("f");
	obj = fb_map("f", 0, 16384, &dev);
	dev_rel(dev);
	ck_assert_int_eq(obj->memattr, VM_MEMATTR_UNCACHEABLE);
	ck_assert_int_eq(vm_fault(obj, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	vm_fault_unhold(m);

	ck_assert_int_eq(drv_ctl("memattr f wb"), 0);
	/* New pages get WB at once... */
	ck_assert_int_eq(vm_fault(obj, 3, VM_PROT_READ, 0, 0, &m2),
	    KERN_SUCCESS);
	ck_assert_int_eq(vm_page_memattr(m2), VM_MEMATTR_WRITE_BACK);
	vm_fault_unhold(m2);
	/* ...resident ones after a revoke. */
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	ck_assert_int_eq(drv_ctl("revoke f"), 0);
	ck_assert_uint_eq(m->valid, 0);
	ck_assert_int_eq(vm_fault(obj, 2, VM_PROT_READ, 0, 0, &m2),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m2, m);
	ck_assert_uint_eq(m2->phys_addr, base + 2 * PAGE_SIZE);
	ck_assert_uint_eq(m2->valid, VM_PAGE_BITS_ALL);
	ck_assert_int_eq(vm_page_memattr(m2), VM_MEMATTR_WRITE_BACK);
	VM_OBJECT_WLOCK(obj);
	ck_assert_int_eq(dt_on_pglist(obj, m2), 1);
	VM_OBJECT_WUNLOCK(obj);
	vm_fault_unhold(m2);
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

/* A mapping outlives destroy: its object stays, faults fail (never
 * touching the freed driver state), and it dies with the last ref. */
START_TEST(test_fb_destroy_mapped)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;
	unsigned long live;

	live = vm_object_live_count();
	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=64"), 0);
	obj = fb_map("f", 0, 16384, &dev);
	ck_assert_uint_eq(vm_object_live_count(), live + 1);
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
	/* The object keeps the cdev struct for its handle. */
	ck_assert_ptr_eq(obj->un_pager.devp.dev, dev);
	ck_assert_ptr_null(dev->si_devsw);
	dev_rel(dev);
	ck_assert_int_eq(vm_fault(obj, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	/* destroy invalidated the resident page too. */
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	ck_assert_uint_eq(obj->ref_count, 1);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_object_live_count(), live);
	ck_assert_ptr_null(dev_lookup_ref("f"));
}
END_TEST

struct fault_arg {
	vm_object_t	 obj;
	vm_paddr_t	 base;
	unsigned	 npages;
	unsigned	 seed;
	int		 bad;
};

static void *
fault_thread(void *p)
{
	struct fault_arg *fa = p;
	vm_page_t m;
	unsigned i, pi, x;

	rcu_thread_online();
	x = fa->seed;
	for (i = 0; i < 2000; i++) {
		x = x * 1103515245u + 12345u;
		pi = (x >> 8) % fa->npages;
		if (vm_fault(fa->obj, pi, VM_PROT_READ, 0, 0, &m) !=
		    KERN_SUCCESS) {
			fa->bad++;
			continue;
		}
		/* valid may drop at once: a revoke runs concurrently. */
		if (m->phys_addr != fa->base + ptoa(pi))
			fa->bad++;
		vm_fault_unhold(m);
		if (i % 97 == 0 && fa->seed == 1)
			(void)drv_ctl("revoke f");
	}
	return (NULL);
}

/* Threads fault the framebuffer while one of them revokes it. */
START_TEST(test_fb_concurrent_faults)
{
	struct fault_arg fa[FB_THREADS];
	pthread_t th[FB_THREADS];
	struct cdev *dev;
	vm_object_t obj;
	vm_paddr_t base;
	unsigned i;

	ck_assert_int_eq(drv_ctl("create f driver=fb width=256 height=64"),
	    0);
	base = drv_window_base("f");
	obj = fb_map("f", 0, 65536, &dev);
	dev_rel(dev);
	for (i = 0; i < FB_THREADS; i++) {
		fa[i].obj = obj;
		fa[i].base = base;
		fa[i].npages = 16;
		fa[i].seed = i + 1;
		fa[i].bad = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, fault_thread,
		    &fa[i]), 0);
	}
	for (i = 0; i < FB_THREADS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(fa[i].bad, 0);
	}
	VM_OBJECT_WLOCK(obj);
	ck_assert_uint_le(obj->resident_page_count, 16);
	VM_OBJECT_WUNLOCK(obj);
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

/* Draw, snapshot through the ctl, decode, compare every pixel. */
static void
snapshot_check(unsigned w, unsigned h, unsigned bpp)
{
	struct png_image img;
	char err[256], want[600];
	const char *path;
	uint32_t stride;
	uint64_t size;
	uint8_t *host, rgb[3];
	unsigned x, y, bad;

	ck_assert_int_eq(fb_geometry(w, h, bpp, &stride, &size), 0);
	ck_assert_int_eq(drv_ctlf("create s driver=fb width=%u height=%u "
	    "bpp=%u", w, h, bpp), 0);
	host = fb_host("s");
	draw(host, w, h, bpp, stride, bpp);
	path = drv_path(0, "shot.png");
	ck_assert_int_eq(drv_ctlf("fb s snapshot path=%s", path), 0);
	snprintf(want, sizeof(want), "wrote %s %ux%u", path, w, h);
	ck_assert_str_eq(drv_reply(), want);
	ck_assert_msg(png_decode_file(path, &img, err, sizeof(err)) == 0,
	    "decode: %s", err);
	ck_assert_uint_eq(img.width, w);
	ck_assert_uint_eq(img.height, h);
	bad = 0;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			expect_rgb(pix_value(x, y, bpp), bpp, rgb);
			if (memcmp(img.rgb + ((size_t)y * w + x) * 3, rgb,
			    3) != 0 && bad++ == 0)
				ck_abort_msg("%ubpp pixel (%u,%u): got %02x%02x"
				    "%02x want %02x%02x%02x", bpp, x, y,
				    img.rgb[((size_t)y * w + x) * 3],
				    img.rgb[((size_t)y * w + x) * 3 + 1],
				    img.rgb[((size_t)y * w + x) * 3 + 2],
				    rgb[0], rgb[1], rgb[2]);
		}
	}
	png_image_free(&img);
	/* Only the picture is left in the directory: no temporary file. */
	ck_assert_int_eq(count_entries(drv_tmp), 1);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(drv_ctl("destroy s"), 0);
}

START_TEST(test_fb_snapshot_32)
{

	snapshot_check(61, 37, 32);
}
END_TEST

START_TEST(test_fb_snapshot_24)
{

	snapshot_check(59, 41, 24);
}
END_TEST

START_TEST(test_fb_snapshot_16)
{

	snapshot_check(67, 29, 16);
}
END_TEST

/* The default fb0: a big enough picture for several IDAT chunks. */
START_TEST(test_fb_snapshot_fb0)
{
	struct png_image img;
	char err[256];
	const char *path;
	uint8_t *host;
	unsigned x, y;

	host = fb_host("fb0");
	/* Noise does not compress: more than one IDAT chunk. */
	for (y = 0; y < 480; y++)
		for (x = 0; x < 640; x++) {
			uint32_t v = pix_value(x, y, 7) * 2246822519u;

			memcpy(host + y * 2560 + x * 4, &v, 4);
		}
	path = drv_path(1, "fb0.png");
	ck_assert_int_eq(drv_ctlf("fb fb0 snapshot path=%s", path), 0);
	ck_assert_msg(png_decode_file(path, &img, err, sizeof(err)) == 0,
	    "decode: %s", err);
	ck_assert_uint_eq(img.width, 640);
	ck_assert_uint_eq(img.height, 480);
	ck_assert_uint_gt(img.nidat, 1);
	/* Bytes B, G, R, X in memory. */
	ck_assert_uint_eq(img.rgb[0], host[2]);
	ck_assert_uint_eq(img.rgb[1], host[1]);
	ck_assert_uint_eq(img.rgb[2], host[0]);
	ck_assert_uint_eq(img.rgb[(479 * 640 + 639) * 3],
	    host[479 * 2560 + 639 * 4 + 2]);
	png_image_free(&img);
}
END_TEST

static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n;

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	n = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return (n);
}

START_TEST(test_fb_snapshot_paths)
{
	char target[600], p[600];
	struct stat st;
	int fd;

	/* Only the grammar's words. */
	drv_refused(EINVAL, NULL, "fb fb0 flip");
	drv_refused(EINVAL, NULL, "fb fb0 snapshot");
	drv_refused(EINVAL, NULL, "fb fb0 snapshot path=relative.png");
	drv_refused(EINVAL, NULL, "fb fb0 snapshot path=/x.png colour=1");
	drv_refused(ENOENT, NULL, "fb nosuch snapshot path=%s",
	    drv_path(0, "a.png"));
	/* fb commands on a device of another driver. */
	drv_refused(EINVAL, "not a fb device", "fb ram0 snapshot path=%s",
	    drv_path(0, "a.png"));
	/* The directory must exist. */
	drv_refused(ENOENT, NULL, "fb fb0 snapshot path=%s/no/such/a.png",
	    drv_tmp);
	/* A directory there is not overwritten. */
	snprintf(p, sizeof(p), "%s/dir", drv_tmp);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	drv_refused(EISDIR, NULL, "fb fb0 snapshot path=%s", p);
	/* A symbolic link as the last component is never followed. */
	snprintf(target, sizeof(target), "%s/target", drv_tmp);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "keep", 4), 4);
	close(fd);
	snprintf(p, sizeof(p), "%s/link.png", drv_tmp);
	ck_assert_int_eq(symlink(target, p), 0);
	drv_refused(ELOOP, "symbolic link", "fb fb0 snapshot path=%s", p);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* A symbolic link in the directory part is resolved. */
	snprintf(p, sizeof(p), "%s/dirlink", drv_tmp);
	snprintf(target, sizeof(target), "%s/dir", drv_tmp);
	ck_assert_int_eq(symlink(target, p), 0);
	ck_assert_int_eq(drv_ctlf("fb fb0 snapshot path=%s/dirlink/x.png",
	    drv_tmp), 0);
	snprintf(p, sizeof(p), "%s/dir/x.png", drv_tmp);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_gt(st.st_size, 57);
	/* An existing regular file is replaced, atomically. */
	ck_assert_int_eq(drv_ctlf("fb fb0 snapshot path=%s", p), 0);
	ck_assert_int_eq(count_entries(target), 1);
	/* Nothing left behind by the refusals. */
	ck_assert_int_eq(count_entries(drv_tmp), 4);
}
END_TEST

struct mem_img {
	unsigned	 w;
	uint32_t	 seed;
};

static void
noise_row(void *arg, unsigned y, uint8_t *rgb)
{
	struct mem_img *mi = arg;
	unsigned i;

	for (i = 0; i < mi->w * 3; i++)
		rgb[i] = (uint8_t)(pix_value(i, y, mi->seed) >> 7);
}

/* The encoder alone: round trip, multiple IDATs, CRCs checked. */
START_TEST(test_png_roundtrip)
{
	struct png_image img;
	struct mem_img mi;
	struct stat st;
	uint8_t *buf, row[900 * 3];
	char err[256];
	unsigned y;
	int fd;

	fd = memfd_create("png", 0);
	ck_assert_int_ge(fd, 0);
	mi.w = 900;
	mi.seed = 3;
	ck_assert_int_eq(png_write_rgb(fd, 900, 100, noise_row, &mi), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(buf, MAP_FAILED);
	ck_assert_msg(png_decode(buf, (size_t)st.st_size, &img, err,
	    sizeof(err)) == 0, "decode: %s", err);
	ck_assert_uint_eq(img.width, 900);
	ck_assert_uint_eq(img.height, 100);
	ck_assert_uint_ge(img.nidat, 4);
	for (y = 0; y < 100; y++) {
		noise_row(&mi, y, row);
		ck_assert_int_eq(memcmp(img.rgb + (size_t)y * 2700, row, 2700),
		    0);
	}
	png_image_free(&img);
	/* One flipped bit in the data: the decoder's CRC check sees it. */
	buf[st.st_size / 2] ^= 0x10;
	ck_assert_int_eq(png_decode(buf, (size_t)st.st_size, &img, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "CRC"));
	munmap(buf, (size_t)st.st_size);
	close(fd);
	/* Degenerate sizes are refused. */
	fd = memfd_create("png", 0);
	ck_assert_int_eq(png_write_rgb(fd, 0, 1, noise_row, &mi), EINVAL);
	ck_assert_int_eq(png_write_rgb(fd, 1, 0, noise_row, &mi), EINVAL);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	/* A write error is reported. */
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	if (fd >= 0) {
		mi.w = 10;
		ck_assert_int_eq(png_write_rgb(fd, 10, 10, noise_row, &mi),
		    ENOSPC);
		close(fd);
	}
}
END_TEST

Suite *
dev_fb_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_fb");
	tc = tcase_create("geometry");
	tcase_add_test(tc, test_fb_rgb565_rule);
	tcase_add_test(tc, test_fb_geometry);
	tcase_add_test(tc, test_png_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_fb_create_default);
	tcase_add_test(tc, test_fb_create_bounds);
	tcase_add_test(tc, test_fb_faults);
	tcase_add_test(tc, test_fb_fault_getfake);
	tcase_add_test(tc, test_fb_revoke_memattr);
	tcase_add_test(tc, test_fb_destroy_mapped);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_fb_concurrent_faults);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_fb_snapshot_32);
	tcase_add_test(tc, test_fb_snapshot_24);
	tcase_add_test(tc, test_fb_snapshot_16);
	tcase_add_test(tc, test_fb_snapshot_fb0);
	tcase_add_test(tc, test_fb_snapshot_paths);
	suite_add_tcase(s, tc);
	return (s);
}
