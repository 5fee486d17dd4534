/*
 * Names of memory attributes, as vmstat -o prints them (CM column) and as
 * the ctl language and configuration files spell them.
 */
#include "config.h"

#include <strings.h>

#include "vm/vm.h"

static const struct {
	vm_memattr_t	 ma;
	const char	*name;		/* vmstat -o */
	const char	*word;		/* ctl / config */
} memattr_names[] = {
	{ VM_MEMATTR_UNCACHEABLE,	"UC",	"uc" },
	{ VM_MEMATTR_WRITE_COMBINING,	"WC",	"wc" },
	{ VM_MEMATTR_WRITE_THROUGH,	"WT",	"wt" },
	{ VM_MEMATTR_WRITE_PROTECTED,	"WP",	"wp" },
	{ VM_MEMATTR_WRITE_BACK,	"WB",	"wb" },
	{ VM_MEMATTR_WEAK_UNCACHEABLE,	"UC-",	"uc-" },
};

const char *
vm_memattr_name(vm_memattr_t ma)
{
	size_t i;

	for (i = 0; i < sizeof(memattr_names) / sizeof(memattr_names[0]); i++)
		if (memattr_names[i].ma == ma)
			return (memattr_names[i].name);
	return ("??");
}

int
vm_memattr_parse(const char *s, vm_memattr_t *mar)
{
	size_t i;

	for (i = 0; i < sizeof(memattr_names) / sizeof(memattr_names[0]); i++) {
		if (strcasecmp(memattr_names[i].word, s) == 0) {
			*mar = memattr_names[i].ma;
			return (0);
		}
	}
	return (-1);
}
