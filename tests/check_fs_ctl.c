/*
 * The ctl language (fs_ctl_execute): malformed lines refused with the
 * right errno, a one-line message and nothing changed; the create /
 * destroy life cycle; memattr, revoke (VM side and the hook), swap
 * limits; the sources; concurrent commands on one name.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

struct bad_line {
	const char	*line;
	size_t		 len;		/* 0: strlen(line) */
	int		 error;
};

#define	B(l, e)		{ (l), 0, (e) }
#define	BL(l, e)	{ (l), sizeof(l) - 1, (e) }

static const struct bad_line bad_lines[] = {
	BL("", EINVAL),
	B("\n", EINVAL),
	B("   \t  ", EINVAL),
	B(" \t \n", EINVAL),
	B("create ram1 driver=ram\x01", EINVAL),
	BL("create ram1\0 driver=ram", EINVAL),
	BL("create ram1 driver=ram\0", EINVAL),
	B("create \xff\xfe driver=ram", EINVAL),
	B("create ram1 driver=ram\x7f", EINVAL),
	B("create ram1 driver=ram\r\n", EINVAL),
	B("create ram1 driver=ram\n\n", EINVAL),
	B("create ../x driver=ram", EINVAL),
	B("create a/b driver=ram", EINVAL),
	B("create .. driver=ram", EINVAL),
	B("create . driver=ram", EINVAL),
	B("create a..b driver=ram", EINVAL),
	B("create aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa driver=ram", EINVAL), /* 64 */
	B("create x driver=nosuch", ENOENT),
	B("create x driver=/no/such/plugin.so", ENOENT),
	B("create x driver=ram size=0", EINVAL),
	B("create x driver=ram size=1Q", EINVAL),
	B("create x driver=ram size=", EINVAL),
	B("create x driver=ram size=-1", EINVAL),
	B("create x driver=ram size=+1", EINVAL),
	B("create x driver=ram size=1.5M", EINVAL),
	B("create x driver=ram size=99999999999999999999", EINVAL),
	B("create x driver=ram size=0x", EINVAL),
	B("create x driver=ram size=65G", EINVAL),
	B("create x driver=ram colour=red", EINVAL),
	B("create x driver=ram size=1M size=2M", EINVAL),
	B("create x driver=ram driver=ram", EINVAL),
	B("create x driver=ram memattr=purple", EINVAL),
	B("create x driver=ram memattr=", EINVAL),
	B("create x size=1M", EINVAL),
	B("create x driver=", EINVAL),
	B("create x driver=ram =foo", EINVAL),
	B("create x driver=ram junk", EINVAL),
	B("create x driver=ram mode=644", EINVAL),
	B("create x driver=ram mode=010000", EINVAL),
	B("create x driver=ram mode=0778", EINVAL),
	B("create x driver=ram uid=-1", EINVAL),
	B("create x driver=ram uid=2147483648", EINVAL),
	B("create x driver=ram gid=12abc", EINVAL),
	B("create x driver=mem size=1M", EINVAL),
	B("create x driver=ram width=640", EINVAL),
	B("create x driver=ram backing=relative/file", EINVAL),
	B("create x driver=ram backing=/nonexistent-dir-drv/f", ENOENT),
	B("create x driver=fb width=100000 height=1", EINVAL),
	B("create x driver=fb width=16384 height=16384 bpp=32", EINVAL),
	B("create x driver=fb bpp=8", EINVAL),
	B("create x driver=fb width=0", EINVAL),
	B("create ram0 driver=ram", EEXIST),
	B("create mem driver=ram", EEXIST),
	B("create mem2 driver=mem", EEXIST),
	B("create", EINVAL),
	B("create x driver=ram a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10 k=11 "
	    "l=12 m=13 n=14 o=15 p=16 q=17", EINVAL),
	B("create x driver=ram prefault=sometimes", EINVAL),
	B("create x driver=ram prefault=", EINVAL),
	B("create x driver=ram prefault_max=5000", EINVAL),
	B("create x driver=ram prefault_max=0", EINVAL),
	B("create x driver=ram prefault_max=65G", EINVAL),
	B("create x driver=ram prefault_window=2G", EINVAL),
	B("create x driver=ram prefault=open prefault=none", EINVAL),
	B("prefault ram0 sometimes", EINVAL),
	B("prefault ram0", EINVAL),
	B("prefault", EINVAL),
	B("prefault nosuch open", ENOENT),
	B("prefault ram0 open prefault_max=3K", EINVAL),
	B("prefault ram0 open prefault_max=1M prefault_max=2M", EINVAL),
	B("prefault ram0 open prefault=none", EINVAL),
	B("prefault ram0 open size=1M", EINVAL),
	B("prefault ram0 open junk", EINVAL),
	B("memattr ram0 purple", EINVAL),
	B("memattr nosuch wb", ENOENT),
	B("memattr mem wc", EINVAL),
	B("memattr ram0", EINVAL),
	B("memattr ram0 wb wc", EINVAL),
	B("destroy nosuch", ENOENT),
	B("destroy mem", EBUSY),
	B("destroy", EINVAL),
	B("destroy ram0 now", EINVAL),
	B("destroy ../ram0", EINVAL),
	B("revoke ram0 offset=123", EINVAL),
	B("revoke ram0 offset=16M", EINVAL),
	B("revoke ram0 offset=32M", EINVAL),
	B("revoke ram0 offset=8M length=12M", EINVAL),
	B("revoke ram0 length=100", EINVAL),
	B("revoke ram0 offset=0 offset=4K", EINVAL),
	B("revoke ram0 start=0", EINVAL),
	B("revoke nosuch", ENOENT),
	B("revoke", EINVAL),
	B("swap limit uid=abc size=1M", EINVAL),
	B("swap limit uid=1000", EINVAL),
	B("swap limit size=1M", EINVAL),
	B("swap unlimit uid=1 size=1M", EINVAL),
	B("swap limit uid=1 size=1M bogus=1", EINVAL),
	B("swap limit uid=1 uid=2 size=1M", EINVAL),
	B("swap limit uid=1 size=lots", EINVAL),
	B("swap", EINVAL),
	B("gem", EINVAL),
	B("gem gem0", EINVAL),
	B("gem gem0 create", EINVAL),
	B("gem gem0 create size=0", EINVAL),
	B("gem gem0 create size=1M placement=moon", EINVAL),
	B("gem gem0 destroy", EINVAL),
	B("gem gem0 destroy handle=x", EINVAL),
	B("gem gem0 move handle=1", EINVAL),
	B("gem gem0 frobnicate", EINVAL),
	B("gem ../gem0 create size=1M", EINVAL),
	B("fb fb0 snapshot", EINVAL),
	B("fb fb0 snapshot path=relative.png", EINVAL),
	B("fb fb0 paint", EINVAL),
	B("ram ram0 frobnicate", EINVAL),
	B("frobnicate x", EINVAL),
	B("CREATE x driver=ram", EINVAL),
};

static void
check_refused(const char *line, size_t len, int want)
{
	char *before, *after;
	const char *msg;
	int error;

	before = drv_state();
	error = drv_ctl_len(line, len);
	msg = drv_reply();
	ck_assert_msg(error == want, "'%.60s': error %d, want %d (%s)", line,
	    error, want, msg);
	ck_assert_msg(strlen(msg) > 0, "'%.60s': no message", line);
	ck_assert_ptr_null(strchr(msg, '\n'));
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

START_TEST(test_bad_line)
{
	const struct bad_line *b = &bad_lines[_i];

	check_refused(b->line, b->len != 0 ? b->len : strlen(b->line),
	    b->error);
}
END_TEST

START_TEST(test_long_lines)
{
	char *line;
	size_t n;

	/* 5000 bytes of a plausible command. */
	n = 5000;
	line = malloc(n + 1);
	ck_assert_ptr_nonnull(line);
	memset(line, 'a', n);
	memcpy(line, "create ", 7);
	line[n] = '\0';
	check_refused(line, n, EINVAL);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "too long"));
	/* FS_CTL_LINE_MAX + 1, and exactly the maximum plus a newline. */
	check_refused(line, FS_CTL_LINE_MAX + 1, EINVAL);
	memcpy(line, "destroy x", 9);
	memset(line + 9, ' ', FS_CTL_LINE_MAX - 9);
	line[FS_CTL_LINE_MAX] = '\n';
	check_refused(line, FS_CTL_LINE_MAX + 1, ENOENT);
	free(line);
}
END_TEST

START_TEST(test_messages)
{

	ck_assert_int_eq(drv_ctl("create x driver=nosuch"), ENOENT);
	ck_assert_str_eq(drv_reply(), "unknown driver 'nosuch'");
	ck_assert_int_eq(drv_ctl("create x driver=ram colour=red"), EINVAL);
	ck_assert_str_eq(drv_reply(), "unknown key 'colour'");
	ck_assert_int_eq(drv_ctl("create x driver=mem size=1M"), EINVAL);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "'size'"));
	ck_assert_int_eq(drv_ctl("create x driver=ram size=1M size=1M"),
	    EINVAL);
	ck_assert_str_eq(drv_reply(), "duplicate key 'size'");
	ck_assert_int_eq(drv_ctl("create x driver=ram size="), EINVAL);
	ck_assert_str_eq(drv_reply(), "missing value for key 'size'");
	ck_assert_int_eq(drv_ctl(""), EINVAL);
	ck_assert_str_eq(drv_reply(), "empty command");
	ck_assert_int_eq(drv_ctl("create \xff driver=ram"), EINVAL);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "\\xff"));
	/* What drivers quote is escaped too (the fuzz suite found it). */
	ck_assert_int_eq(drv_ctl("create x driver=r\xc3\xa4m"), ENOENT);
	ck_assert_str_eq(drv_reply(), "unknown driver 'r\\xc3\\xa4m'");
	ck_assert_int_eq(drv_ctl("gem gem0 create size=64K pl\xe5" "ce=vram"),
	    EINVAL);
	ck_assert_str_eq(drv_reply(), "unknown key 'pl\\xe5ce'");
	ck_assert_int_eq(drv_ctl("destroy mem"), EBUSY);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "eternal"));
	ck_assert_int_eq(drv_ctl("create ram0 driver=ram"), EEXIST);
	ck_assert_str_eq(drv_reply(), "device 'ram0' already exists");
	ck_assert_int_eq(drv_ctl("destroy nosuch"), ENOENT);
	ck_assert_str_eq(drv_reply(), "no device 'nosuch'");
}
END_TEST

START_TEST(test_create_destroy)
{
	struct cdev *dev;

	ck_assert_int_eq(drv_ctl("create ram1 driver=ram size=1M memattr=wc "
	    "mode=0640 uid=1234 gid=5678"), 0);
	ck_assert_str_eq(drv_reply(), "");
	dev = dev_lookup_ref("ram1");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 1UL << 20);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_uint_eq(dev->si_mode, 0640);
	ck_assert_uint_eq(dev->si_owner, 1234);
	ck_assert_uint_eq(dev->si_group, 5678);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_ram_driver);
	ck_assert_uint_ne(drv_window_base("ram1"), 0);

	/* Off the device table, a node still referenced has no driver. */
	ck_assert_int_eq(drv_ctl("destroy ram1"), 0);
	ck_assert_ptr_null(dev_driver_of(dev));
	dev_rel(dev);
	ck_assert_ptr_null(dev_lookup_ref("ram1"));
	ck_assert_uint_eq(drv_window_base("ram1"), 0);
	ck_assert_int_eq(drv_ctl("destroy ram1"), ENOENT);
	/* The name can be used again. */
	ck_assert_int_eq(drv_ctl("create ram1 driver=ram"), 0);
	dev = dev_lookup_ref("ram1");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, DEV_SIZE_DEFAULT);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_BACK);
	/* Without uid/gid/mode: the creator's, 0660. */
	ck_assert_uint_eq(dev->si_owner, drv_cred.cr_uid);
	ck_assert_uint_eq(dev->si_group, drv_cred.cr_gid);
	ck_assert_uint_eq(dev->si_mode, 0660);
	dev_rel(dev);
}
END_TEST

/* prefault= keys at create, driver defaults, and the prefault command. */
START_TEST(test_prefault_policy)
{
	struct cdev *dev;
	struct sbuf sb;

	ck_assert_int_eq(drv_ctl("create ram1 driver=ram size=1M"), 0);
	dev = dev_lookup_ref("ram1");
	ck_assert_ptr_nonnull(dev);
	/* ram's default: open, with the default sizes. */
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_OPEN);
	ck_assert_uint_eq(dev->si_prefault_max, SI_PREFAULT_MAX_DEFAULT);
	ck_assert_uint_eq(dev->si_prefault_window,
	    SI_PREFAULT_WINDOW_DEFAULT);
	ck_assert_int_eq(drv_ctl("prefault ram1 around prefault_window=1M"),
	    0);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_AROUND);
	ck_assert_uint_eq(dev->si_prefault_window, 1UL << 20);
	ck_assert_uint_eq(dev->si_prefault_max, SI_PREFAULT_MAX_DEFAULT);
	/* A refused command changes nothing. */
	ck_assert_int_eq(drv_ctl("prefault ram1 open prefault_max=1"), EINVAL);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_AROUND);
	ck_assert_int_eq(drv_ctl("prefault ram1 none"), 0);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_NONE);
	dev_rel(dev);

	ck_assert_int_eq(drv_ctl("create ram2 driver=ram size=1M "
	    "prefault=around prefault_max=8M prefault_window=256K"), 0);
	dev = dev_lookup_ref("ram2");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_AROUND);
	ck_assert_uint_eq(dev->si_prefault_max, 8UL << 20);
	ck_assert_uint_eq(dev->si_prefault_window, 256UL << 10);
	dev_rel(dev);
	/* Other drivers default to none; the key works for any driver. */
	dev = dev_lookup_ref("mem");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_NONE);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("create fb1 driver=fb width=64 height=64 "
	    "prefault=open"), 0);
	dev = dev_lookup_ref("fb1");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_OPEN);
	dev_rel(dev);
	/* The configuration file may set it too. */
	sbuf_init(&sb);
	ck_assert_int_eq(fs_ctl_execute("prefault ram2 none", 18,
	    FS_CTL_SRC_CONFIG, &drv_cred, &sb), 0);
	sbuf_delete(&sb);
	dev = dev_lookup_ref("ram2");
	ck_assert_uint_eq(dev->si_prefault, SI_PREFAULT_NONE);
	dev_rel(dev);
	ck_assert_str_eq(dev_prefault_name(SI_PREFAULT_AROUND), "around");
	ck_assert_str_eq(dev_prefault_name(7), "?");
}
END_TEST

START_TEST(test_syntax_forms)
{
	struct cdev *dev;

	/* Tabs, repeated blanks, one trailing newline, keys in any order. */
	ck_assert_int_eq(drv_ctl("\tcreate  ram2\tsize=5000 \t driver=ram\n"),
	    0);
	dev = dev_lookup_ref("ram2");
	ck_assert_ptr_nonnull(dev);
	/* Rounded up to whole pages. */
	ck_assert_uint_eq(dev->si_size, 8192);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("create ram3 driver=ram size=0x3000 "
	    "memattr=UC-"), 0);
	dev = dev_lookup_ref("ram3");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 0x3000);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WEAK_UNCACHEABLE);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("create ram4 driver=ram size=64G mode=0"), 0);
	dev = dev_lookup_ref("ram4");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_mode, 0);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("destroy ram4"), 0);
}
END_TEST

START_TEST(test_config_source)
{
	struct sbuf sb;
	char *before, *after;

	sbuf_init(&sb);
	before = drv_state();
	ck_assert_int_eq(fs_ctl_execute("destroy ram0", 12, FS_CTL_SRC_CONFIG,
	    &drv_cred, &sb), EINVAL);
	ck_assert_int_eq(fs_ctl_execute("revoke ram0", 11, FS_CTL_SRC_CONFIG,
	    &drv_cred, &sb), EINVAL);
	ck_assert_int_eq(fs_ctl_execute("gem gem0 create size=1M", 24,
	    FS_CTL_SRC_CONFIG, &drv_cred, &sb), EINVAL);
	after = drv_state();
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(fs_ctl_execute("create r driver=ram size=4K", 27,
	    FS_CTL_SRC_CONFIG, &drv_cred, &sb), 0);
	ck_assert_int_eq(fs_ctl_execute("memattr r wt", 12, FS_CTL_SRC_CONFIG,
	    &drv_cred, &sb), 0);
	free(before);
	free(after);
	sbuf_delete(&sb);
}
END_TEST

START_TEST(test_swap_limit)
{
	struct swap_uid_info si;

	ck_assert_int_eq(drv_ctl("swap limit uid=1234 size=1M"), 0);
	ck_assert(swap_uid_get(1234, &si));
	ck_assert_uint_eq(si.su_limit, 1UL << 20);
	ck_assert_int_eq(drv_ctl("swap limit size=0x2000 uid=1234"), 0);
	ck_assert(swap_uid_get(1234, &si));
	ck_assert_uint_eq(si.su_limit, 0x2000);
	ck_assert_int_eq(drv_ctl("swap limit uid=1234 size=unlimited"), 0);
	ck_assert(swap_uid_get(1234, &si));
	ck_assert_uint_eq(si.su_limit, SWAP_LIMIT_INFINITY);
	ck_assert_int_eq(drv_ctl("swap limit uid=2147483647 size=0"), 0);
	ck_assert(swap_uid_get(2147483647, &si));
	ck_assert_uint_eq(si.su_limit, 0);
}
END_TEST

/* Map ram0 the way the filesystem does, fault pindex, return the page's
 * state after unholding it. */
static vm_object_t
map_dev(const char *name, vm_size_t size)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;

	dev = dev_lookup_ref(name);
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, size, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	dev_rel(dev);
	return (obj);
}

static void
fault_page(vm_object_t obj, vm_pindex_t pindex, vm_page_t *mp)
{

	ck_assert_int_eq(vm_fault(obj, pindex, VM_PROT_READ, 0, 0, mp),
	    KERN_SUCCESS);
	vm_fault_unhold(*mp);
}

static struct {
	struct cdev	*dev;
	vm_ooffset_t	 off;
	vm_size_t	 len;
	int		 calls;
} hook_seen;

static void
test_revoke_hook(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{

	hook_seen.dev = dev;
	hook_seen.off = off;
	hook_seen.len = len;
	hook_seen.calls++;
}

START_TEST(test_revoke)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m0, m1, m2, m;

	dev = dev_lookup_ref("ram0");
	ck_assert_ptr_nonnull(dev);
	dev_set_revoke_hook(test_revoke_hook);
	obj = map_dev("ram0", 16UL << 20);
	fault_page(obj, 0, &m0);
	fault_page(obj, 1, &m1);
	fault_page(obj, 2, &m2);
	ck_assert_uint_eq(m1->valid, VM_PAGE_BITS_ALL);

	ck_assert_int_eq(drv_ctl("revoke ram0 offset=4K length=4K"), 0);
	ck_assert_int_eq(hook_seen.calls, 1);
	ck_assert_ptr_eq(hook_seen.dev, dev);
	ck_assert_uint_eq(hook_seen.off, 4096);
	ck_assert_uint_eq(hook_seen.len, 4096);
	/* Only page 1: still resident, invalid. */
	VM_OBJECT_WLOCK(obj);
	ck_assert_ptr_eq(vm_page_lookup(obj, 1), m1);
	ck_assert_uint_eq(m1->valid, 0);
	ck_assert_uint_eq(m0->valid, VM_PAGE_BITS_ALL);
	ck_assert_uint_eq(m2->valid, VM_PAGE_BITS_ALL);
	VM_OBJECT_WUNLOCK(obj);
	/* The next fault goes through d_mmap again (the updatefake path). */
	fault_page(obj, 1, &m);
	ck_assert_ptr_eq(m, m1);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);

	/* Without offset/length: all of it. */
	ck_assert_int_eq(drv_ctl("revoke ram0"), 0);
	ck_assert_int_eq(hook_seen.calls, 2);
	ck_assert_uint_eq(hook_seen.off, 0);
	ck_assert_uint_eq(hook_seen.len, 16UL << 20);
	VM_OBJECT_WLOCK(obj);
	ck_assert_uint_eq(m0->valid, 0);
	ck_assert_uint_eq(m2->valid, 0);
	VM_OBJECT_WUNLOCK(obj);
	/* From an offset to the end. */
	fault_page(obj, 0, &m);
	fault_page(obj, 2, &m);
	ck_assert_int_eq(drv_ctl("revoke ram0 offset=8K"), 0);
	ck_assert_uint_eq(hook_seen.off, 8192);
	ck_assert_uint_eq(hook_seen.len, (16UL << 20) - 8192);
	VM_OBJECT_WLOCK(obj);
	ck_assert_uint_eq(m0->valid, VM_PAGE_BITS_ALL);
	ck_assert_uint_eq(m2->valid, 0);
	VM_OBJECT_WUNLOCK(obj);

	/* Destroying the device: the hook for all of it, every fault fails. */
	ck_assert_int_eq(drv_ctl("destroy ram0"), 0);
	ck_assert_int_eq(hook_seen.calls, 4);
	ck_assert_ptr_eq(hook_seen.dev, dev);
	ck_assert_uint_eq(hook_seen.off, 0);
	ck_assert_uint_eq(hook_seen.len, 0);
	ck_assert_int_ne(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_ne(vm_fault(obj, 5, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_object_deallocate(obj);
	dev_set_revoke_hook(NULL);
	dev_rel(dev);
}
END_TEST

START_TEST(test_memattr)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;

	obj = map_dev("ram0", 16UL << 20);
	fault_page(obj, 0, &m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
	ck_assert_int_eq(drv_ctl("memattr ram0 uc"), 0);
	dev = dev_lookup_ref("ram0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_UNCACHEABLE);
	dev_rel(dev);
	/* New faults get it; the object's default stays. */
	fault_page(obj, 3, &m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	ck_assert_int_eq(obj->memattr, VM_MEMATTR_DEFAULT);
	/* A resident page gets it after a revoke. */
	ck_assert_int_eq(drv_ctl("revoke ram0 length=4K"), 0);
	fault_page(obj, 0, &m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	ck_assert_int_eq(drv_ctl("memattr ram0 WC"), 0);
	ck_assert_int_eq(drv_ctl("revoke ram0 length=4K"), 0);
	fault_page(obj, 0, &m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	vm_object_deallocate(obj);
}
END_TEST

START_TEST(test_driver_commands)
{
	char verb[] = "x";
	char *argv[] = { verb, NULL };
	struct sbuf sb;

	/* Built-in drivers without commands, and missing drivers. */
	ck_assert_int_eq(drv_ctl("ram ram0 frobnicate"), EINVAL);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "no commands"));
	if (dev_driver_find("gem") == NULL) {
		check_refused("gem gem0 create size=1M", 23, ENOENT);
		ck_assert_str_eq(drv_reply(), "unknown driver 'gem'");
	} else
		check_refused("gem ram0 create size=1M", 23, EINVAL);
	if (dev_driver_find("fb") == NULL)
		check_refused("fb fb0 snapshot path=/tmp/x.png", 31, ENOENT);
	else
		check_refused("fb ram0 snapshot path=/tmp/x.png", 32, EINVAL);
	sbuf_init(&sb);
	ck_assert_int_eq(dev_driver_ctl("ram", "ram0", 1, argv, &drv_cred,
	    &sb), EINVAL);
	ck_assert_int_eq(dev_driver_ctl("nosuch", "ram0", 1, argv, &drv_cred,
	    &sb), ENOENT);
	sbuf_delete(&sb);
}
END_TEST

/* Two threads create and destroy one name: every result is 0, EEXIST
 * or ENOENT, and the registry agrees with the table at the end. */
static void *
churn(void *arg)
{
	struct sbuf sb;
	int error, i;

	(void)arg;
	rcu_thread_online();
	sbuf_init(&sb);
	for (i = 0; i < 200; i++) {
		error = fs_ctl_execute("create churn driver=ram size=64K", 32,
		    FS_CTL_SRC_CTL, &drv_cred, &sb);
		ck_assert(error == 0 || error == EEXIST);
		error = fs_ctl_execute("destroy churn", 13, FS_CTL_SRC_CTL,
		    &drv_cred, &sb);
		ck_assert(error == 0 || error == ENOENT);
	}
	sbuf_delete(&sb);
	/* rcu_thread_online's key destructor unregisters the thread. */
	return (NULL);
}

/* Commands on the churning device: they find it live or not at all. */
static void *
poke(void *arg)
{
	struct sbuf sb;
	int error, i;

	(void)arg;
	rcu_thread_online();
	sbuf_init(&sb);
	for (i = 0; i < 300; i++) {
		error = fs_ctl_execute("memattr churn wc", 16, FS_CTL_SRC_CTL,
		    &drv_cred, &sb);
		ck_assert(error == 0 || error == ENOENT);
		error = fs_ctl_execute("revoke churn offset=4K", 22,
		    FS_CTL_SRC_CTL, &drv_cred, &sb);
		ck_assert(error == 0 || error == ENOENT);
	}
	sbuf_delete(&sb);
	return (NULL);
}

START_TEST(test_concurrent)
{
	pthread_t t[4];
	struct cdev *dev;
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	ck_assert_int_eq(pthread_create(&t[3], NULL, poke, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	dev = dev_lookup_ref("churn");
	if (dev != NULL) {
		ck_assert_ptr_eq(dev_driver_of(dev), &dev_ram_driver);
		dev_rel(dev);
		ck_assert_int_eq(drv_ctl("destroy churn"), 0);
	}
	ck_assert_ptr_null(dev_lookup_ref("churn"));
	ck_assert_uint_eq(drv_window_base("churn"), 0);
}
END_TEST

Suite *
fs_ctl_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_ctl");
	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_loop_test(tc, test_bad_line, 0, (int)nitems(bad_lines));
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_messages);
	suite_add_tcase(s, tc);

	tc = tcase_create("commands");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_create_destroy);
	tcase_add_test(tc, test_syntax_forms);
	tcase_add_test(tc, test_prefault_policy);
	tcase_add_test(tc, test_config_source);
	tcase_add_test(tc, test_swap_limit);
	tcase_add_test(tc, test_revoke);
	tcase_add_test(tc, test_memattr);
	tcase_add_test(tc, test_driver_commands);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);
	return (s);
}
