/*
 * The one Check binary: runs every suite listed in suites.h.  Output is TAP
 * on stdout (automake's tap-driver) followed by Check's own summary line,
 * which .ci/run prints at the end of a run.
 *
 * An argument limits the run to one suite (check_devpager kern_lock), as
 * does CK_RUN_SUITE / CK_RUN_CASE in the environment.
 *
 * A build without --enable-invariants first names, as TAP comments, the
 * proofs it does not have (see check_devpager.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"

/* Proofs a plain build does not compile (see check_devpager.h). */
#define	NOT_BUILT_MAX	256
static const char *not_built_file[NOT_BUILT_MAX];
static const char *not_built_test[NOT_BUILT_MAX];
static int not_built_count;

/* Check keeps the name's pointer: the names live here, for the run. */
#define	INV_TCASES_MAX	32
static char inv_tcase_names[INV_TCASES_MAX][64];
static int inv_tcases;

TCase *
tcase_create_invariants(Suite *s, const char *name, SFun setup,
    SFun teardown, int timeout)
{
	char *full;
	TCase *tc;

	if (inv_tcases == INV_TCASES_MAX)
		abort();	/* raise INV_TCASES_MAX */
	full = inv_tcase_names[inv_tcases++];
	snprintf(full, sizeof(inv_tcase_names[0]), "%s_invariants", name);
	tc = tcase_create(full);
	if (setup != NULL || teardown != NULL)
		tcase_add_checked_fixture(tc, setup, teardown);
	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return (tc);
}

void
invariants_not_built(const char *file, const char *test)
{
	const char *base;

	if (not_built_count == NOT_BUILT_MAX)
		return;
	base = strrchr(file, '/');
	not_built_file[not_built_count] = base != NULL ? base + 1 : file;
	not_built_test[not_built_count++] = test;
}

void
invariants_not_built_print(void)
{
	int i;

	if (not_built_count == 0)
		return;
	printf("# %d proofs are not built without --enable-invariants and "
	    "did not run:\n", not_built_count);
	for (i = 0; i < not_built_count; i++)
		printf("# not run: %s:%s\n", not_built_file[i],
		    not_built_test[i]);
	fflush(stdout);
}

#ifdef __SANITIZE_ADDRESS__
/*
 * Check forks a child per test, and LeakSanitizer, when a child exits,
 * walks every chunk the child inherited: the parent's quarantine of freed
 * memory too.  With ASan's default quarantine (256 MiB, which the parent
 * fills in the course of a run) the ~700 walks made the whole suite 2.3
 * times slower (167 s against 72 s on 2 vCPUs).  16 MiB still keeps a
 * freed chunk poisoned far longer than any test runs between a free and a
 * use.  ASAN_OPTIONS in the environment overrides this.
 */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{

	return ("quarantine_size_mb=16");
}
#endif

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(NULL);
#define	SUITE(name)							\
	if (argc < 2 || strcmp(argv[1], #name) == 0)			\
		srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE
	invariants_not_built_print();
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
