/*
 * The one Check binary: runs every suite listed in suites.h.  Output is TAP
 * on stdout (automake's tap-driver) followed by Check's own summary line,
 * which .ci/run prints at the end of a run.
 *
 * An argument limits the run to one suite (check_devpager kern_lock), as
 * does CK_RUN_SUITE / CK_RUN_CASE in the environment.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"

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
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
