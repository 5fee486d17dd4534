/*
 * The public plugin KPI (include/devpager/devpager.h) against the
 * daemon's own headers, in one translation unit.
 *
 * Compile time: the public header comes first, alone, with its structure
 * tags and enumerators renamed (pub_*) and without its prototypes
 * (DEVPAGER_KPI_TYPES_ONLY); its constants are captured in an enum.  Then
 * the daemon's headers: a typedef that differs is a compile error
 * (conflicting types), and _Static_assert compares every constant, enum
 * value, structure size, field offset, field size and (where the field's
 * type involves no renamed tag) field type.  (src/dev/dev_kpi.c checks
 * the prototypes the same way.)
 *
 * Run time: every function of the KPI is exported by this executable,
 * linked -rdynamic like the daemon (dlsym(RTLD_DEFAULT) finds it).
 */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>

#define	cdevsw		pub_cdevsw
#define	make_dev_args	pub_make_dev_args
#define	cdev_pager_ops	pub_cdev_pager_ops
#define	obj_type	pub_obj_type
#define	OBJT_DEFAULT	PUB_OBJT_DEFAULT
#define	OBJT_SWAP	PUB_OBJT_SWAP
#define	OBJT_VNODE	PUB_OBJT_VNODE
#define	OBJT_DEVICE	PUB_OBJT_DEVICE
#define	OBJT_PHYS	PUB_OBJT_PHYS
#define	OBJT_DEAD	PUB_OBJT_DEAD
#define	OBJT_SG		PUB_OBJT_SG
#define	OBJT_MGTDEVICE	PUB_OBJT_MGTDEVICE
#define	OBJT_NTYPES	PUB_OBJT_NTYPES
#define	DEVPAGER_KPI_TYPES_ONLY
#include "devpager/devpager.h"
#undef DEVPAGER_KPI_TYPES_ONLY

#define	PUB_CONSTANTS(X)						\
	X(PAGE_SHIFT) X(PAGE_SIZE) X(PAGE_MASK)				\
	X(VM_PROT_NONE) X(VM_PROT_READ) X(VM_PROT_WRITE)		\
	X(VM_PROT_EXECUTE) X(VM_PROT_ALL)				\
	X(VM_MEMATTR_UNCACHEABLE) X(VM_MEMATTR_WRITE_COMBINING)		\
	X(VM_MEMATTR_WRITE_THROUGH) X(VM_MEMATTR_WRITE_PROTECTED)	\
	X(VM_MEMATTR_WRITE_BACK) X(VM_MEMATTR_WEAK_UNCACHEABLE)		\
	X(VM_MEMATTR_DEFAULT)						\
	X(VM_PAGE_BITS_ALL)						\
	X(VM_PAGER_OK) X(VM_PAGER_BAD) X(VM_PAGER_FAIL)			\
	X(VM_PAGER_PEND) X(VM_PAGER_ERROR) X(VM_PAGER_AGAIN)		\
	X(SPECNAMELEN)							\
	X(D_TAPE) X(D_DISK) X(D_TTY) X(D_MEM) X(D_TYPEMASK)		\
	X(D_TRACKCLOSE) X(D_MMAP_ANON) X(D_NEEDGIANT) X(D_NEEDMINOR)	\
	X(D_VERSION_00) X(D_VERSION_01) X(D_VERSION_02)			\
	X(D_VERSION_03) X(D_VERSION)					\
	X(MAKEDEV_REF) X(MAKEDEV_WHTOUT) X(MAKEDEV_NOWAIT)		\
	X(MAKEDEV_WAITOK) X(MAKEDEV_ETERNAL) X(MAKEDEV_CHECKNAME)	\
	X(MAKEDEV_ETERNAL_KLD)

#define	PUB_CAPTURE(n)	pub_##n = (long long)(n),
enum pub_constants { PUB_CONSTANTS(PUB_CAPTURE) pub_constants_end };
#undef PUB_CAPTURE

/* The same expressions, evaluated by the public macros, for pointers
 * into the page arithmetic. */
enum pub_arith {
	pub_idx_to_off = (long long)IDX_TO_OFF(3),
	pub_off_to_idx = (long long)OFF_TO_IDX(0x5123),
	pub_atop = (long long)atop(0x7000),
	pub_ptoa = (long long)ptoa(5),
	pub_round_page = (long long)round_page(0x1001),
	pub_trunc_page = (long long)trunc_page(0x1fff),
	pub_enum_device = PUB_OBJT_DEVICE,
	pub_enum_mgtdevice = PUB_OBJT_MGTDEVICE,
	pub_enum_sg = PUB_OBJT_SG,
	pub_enum_dead = PUB_OBJT_DEAD,
	pub_enum_ntypes = PUB_OBJT_NTYPES,
};

/* Everything the public header defines that the daemon's headers define
 * too, so that these come from the daemon now. */
#undef cdevsw
#undef make_dev_args
#undef cdev_pager_ops
#undef obj_type
#undef OBJT_DEFAULT
#undef OBJT_SWAP
#undef OBJT_VNODE
#undef OBJT_DEVICE
#undef OBJT_PHYS
#undef OBJT_DEAD
#undef OBJT_SG
#undef OBJT_MGTDEVICE
#undef OBJT_NTYPES
#undef PAGE_SHIFT
#undef PAGE_SIZE
#undef PAGE_MASK
#undef VM_PROT_NONE
#undef VM_PROT_READ
#undef VM_PROT_WRITE
#undef VM_PROT_EXECUTE
#undef VM_PROT_ALL
#undef VM_MEMATTR_UNCACHEABLE
#undef VM_MEMATTR_WRITE_COMBINING
#undef VM_MEMATTR_WRITE_THROUGH
#undef VM_MEMATTR_WRITE_PROTECTED
#undef VM_MEMATTR_WRITE_BACK
#undef VM_MEMATTR_WEAK_UNCACHEABLE
#undef VM_MEMATTR_DEFAULT
#undef IDX_TO_OFF
#undef OFF_TO_IDX
#undef atop
#undef ptoa
#undef round_page
#undef trunc_page
#undef VM_PAGE_BITS_ALL
#undef VM_PAGER_OK
#undef VM_PAGER_BAD
#undef VM_PAGER_FAIL
#undef VM_PAGER_PEND
#undef VM_PAGER_ERROR
#undef VM_PAGER_AGAIN
#undef SPECNAMELEN
#undef D_TAPE
#undef D_DISK
#undef D_TTY
#undef D_MEM
#undef D_TYPEMASK
#undef D_TRACKCLOSE
#undef D_MMAP_ANON
#undef D_NEEDGIANT
#undef D_NEEDMINOR
#undef D_VERSION_00
#undef D_VERSION_01
#undef D_VERSION_02
#undef D_VERSION_03
#undef D_VERSION
#undef MAKEDEV_REF
#undef MAKEDEV_WHTOUT
#undef MAKEDEV_NOWAIT
#undef MAKEDEV_WAITOK
#undef MAKEDEV_ETERNAL
#undef MAKEDEV_CHECKNAME
#undef MAKEDEV_ETERNAL_KLD
#undef devtoname
#undef VM_OBJECT_WLOCK
#undef VM_OBJECT_WUNLOCK
#undef VM_OBJECT_ASSERT_WLOCKED

#include "check_devpager.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "dev/dev_plugin.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

#define	SAME_CONSTANT(n)						\
	_Static_assert((long long)pub_##n == (long long)(n),		\
	    "devpager.h: constant " #n " differs from the daemon's");
PUB_CONSTANTS(SAME_CONSTANT)
#undef SAME_CONSTANT

_Static_assert(pub_idx_to_off == (long long)IDX_TO_OFF(3), "IDX_TO_OFF");
_Static_assert(pub_off_to_idx == (long long)OFF_TO_IDX(0x5123), "OFF_TO_IDX");
_Static_assert(pub_atop == (long long)atop(0x7000), "atop");
_Static_assert(pub_ptoa == (long long)ptoa(5), "ptoa");
_Static_assert(pub_round_page == (long long)round_page(0x1001),
    "round_page");
_Static_assert(pub_trunc_page == (long long)trunc_page(0x1fff), "trunc_page");
_Static_assert((int)pub_enum_device == (int)OBJT_DEVICE, "OBJT_DEVICE");
_Static_assert((int)pub_enum_mgtdevice == (int)OBJT_MGTDEVICE,
    "OBJT_MGTDEVICE");
_Static_assert((int)pub_enum_sg == (int)OBJT_SG, "OBJT_SG");
_Static_assert((int)pub_enum_dead == (int)OBJT_DEAD, "OBJT_DEAD");
_Static_assert((int)pub_enum_ntypes == (int)OBJT_NTYPES, "OBJT_NTYPES");
_Static_assert(sizeof(enum pub_obj_type) == sizeof(enum obj_type),
    "enum obj_type size");

/* Offset and size of a field; its type too unless it names a renamed
 * tag. */
#define	SAME_PLACE(s, f)						\
	_Static_assert(offsetof(struct pub_##s, f) ==			\
	    offsetof(struct s, f) &&					\
	    sizeof(((struct pub_##s *)0)->f) ==				\
	    sizeof(((struct s *)0)->f),					\
	    "devpager.h: struct " #s " field " #f " moved");
#define	SAME_FIELD(s, f)						\
	SAME_PLACE(s, f)						\
	_Static_assert(__builtin_types_compatible_p(			\
	    __typeof__(((struct pub_##s *)0)->f),			\
	    __typeof__(((struct s *)0)->f)),				\
	    "devpager.h: struct " #s " field " #f " has another type");

_Static_assert(sizeof(struct pub_cdevsw) == sizeof(struct cdevsw),
    "struct cdevsw size");
SAME_FIELD(cdevsw, d_version)
SAME_FIELD(cdevsw, d_flags)
SAME_FIELD(cdevsw, d_name)
SAME_FIELD(cdevsw, d_open)
SAME_FIELD(cdevsw, d_close)
SAME_FIELD(cdevsw, d_read)
SAME_FIELD(cdevsw, d_write)
SAME_FIELD(cdevsw, d_ioctl)
SAME_FIELD(cdevsw, d_mmap)
SAME_FIELD(cdevsw, d_mmap_single)
SAME_FIELD(cdevsw, d_purge)
SAME_PLACE(cdevsw, d_gianttrick)

_Static_assert(sizeof(struct pub_make_dev_args) ==
    sizeof(struct make_dev_args), "struct make_dev_args size");
SAME_FIELD(make_dev_args, mda_size)
SAME_FIELD(make_dev_args, mda_flags)
SAME_PLACE(make_dev_args, mda_devsw)
SAME_FIELD(make_dev_args, mda_cr)
SAME_FIELD(make_dev_args, mda_uid)
SAME_FIELD(make_dev_args, mda_gid)
SAME_FIELD(make_dev_args, mda_mode)
SAME_FIELD(make_dev_args, mda_unit)
SAME_FIELD(make_dev_args, mda_si_drv1)
SAME_FIELD(make_dev_args, mda_si_drv2)
SAME_FIELD(make_dev_args, mda_dsize)
SAME_FIELD(make_dev_args, mda_memattr)

_Static_assert(sizeof(struct pub_cdev_pager_ops) ==
    sizeof(struct cdev_pager_ops), "struct cdev_pager_ops size");
SAME_FIELD(cdev_pager_ops, cdev_pg_fault)
SAME_FIELD(cdev_pager_ops, cdev_pg_populate)
SAME_FIELD(cdev_pager_ops, cdev_pg_ctor)
SAME_FIELD(cdev_pager_ops, cdev_pg_dtor)

/* The basic types: a differing typedef would not have compiled; the
 * function types must match exactly. */
_Static_assert(sizeof(vm_memattr_t) == 1 && sizeof(vm_prot_t) == 1,
    "memattr and prot are bytes");

/* Every KPI function is exported by this (-rdynamic) executable. */
START_TEST(test_kpi_exported)
{
	const struct devpager_kpi_sym *ks;
	void *p;
	unsigned n;

	n = 0;
	for (ks = devpager_kpi_table; ks->ks_name != NULL; ks++) {
		(void)dlerror();
		p = dlsym(RTLD_DEFAULT, ks->ks_name);
		ck_assert_msg(p != NULL, "KPI function %s is not exported: %s",
		    ks->ks_name, dlerror());
		ck_assert_msg(p == (void *)ks->ks_fn, "KPI function %s "
		    "resolves elsewhere", ks->ks_name);
		n++;
	}
	/* The list of dev_plugin.h, all of it. */
	ck_assert_uint_eq(n, 48);	/* version 2: +2 */
}
END_TEST

/* The mirrored constants have the values plugins rely on. */
START_TEST(test_kpi_values)
{

	ck_assert_int_eq(pub_D_VERSION, 0x17122009);
	ck_assert_int_eq(pub_VM_MEMATTR_WRITE_COMBINING, 1);
	ck_assert_int_eq(pub_VM_PAGER_OK, 0);
	ck_assert_int_eq(pub_PAGE_SIZE, 4096);
	ck_assert_int_eq(pub_enum_device, 3);
	ck_assert_int_eq(pub_round_page, 0x2000);
	ck_assert_int_eq(DEVPAGER_KPI_VERSION, 2);
	ck_assert_str_eq(DEVPAGER_PLUGIN_SYMBOL, "devpager_plugin");
}
END_TEST

Suite *
dev_kpi_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_kpi");
	tc = tcase_create("kpi");
	tcase_add_test(tc, test_kpi_exported);
	tcase_add_test(tc, test_kpi_values);
	suite_add_tcase(s, tc);
	return (s);
}
