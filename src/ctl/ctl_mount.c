/*
 * devpagerctl: mountinfo parsing (ctl_mount.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_io.h"
#include "ctl/ctl_mount.h"

#define	CTL_MI_MOUNTPOINT	4	/* index of the mount point field */

static void	ctl_mounts_line(char *line, struct ctl_mounts *cm);

void
ctl_mount_unescape(char *s)
{
	char *r, *w;

	for (r = w = s; *r != '\0'; r++, w++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) |
			    (r[3] - '0'));
			r += 3;
		} else
			*w = *r;
	}
	*w = '\0';
}

/* One line (NUL-terminated, modified in place). */
static void
ctl_mounts_line(char *line, struct ctl_mounts *cm)
{
	char *fields[64], *p, *mp;
	size_t n, i;

	n = 0;
	for (p = line; n < sizeof(fields) / sizeof(fields[0]);) {
		fields[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	/* The separator comes after the six fixed fields. */
	for (i = CTL_MI_MOUNTPOINT + 2; i < n; i++)
		if (strcmp(fields[i], "-") == 0)
			break;
	if (i + 1 >= n || strcmp(fields[i + 1], CTL_MOUNT_FSTYPE) != 0)
		return;
	mp = ctl_xstrdup(fields[CTL_MI_MOUNTPOINT]);
	ctl_mount_unescape(mp);
	cm->cm_paths = ctl_xreallocarray(cm->cm_paths, cm->cm_n + 1,
	    sizeof(char *));
	cm->cm_paths[cm->cm_n++] = mp;
}

void
ctl_mounts_parse(const char *text, struct ctl_mounts *cm)
{
	const char *p, *nl;
	char *line;

	memset(cm, 0, sizeof(*cm));
	for (p = text; *p != '\0'; p = *nl == '\0' ? nl : nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		line = ctl_xstrndup(p, (size_t)(nl - p));
		ctl_mounts_line(line, cm);
		free(line);
	}
}

int
ctl_mounts_read(const char *path, struct ctl_mounts *cm)
{
	struct ctl_buf text;
	int error;

	memset(cm, 0, sizeof(*cm));
	ctl_buf_init(&text);
	error = ctl_read_file(path, &text);
	if (error == 0)
		ctl_mounts_parse(ctl_buf_str(&text), cm);
	ctl_buf_free(&text);
	return (error);
}

void
ctl_mounts_free(struct ctl_mounts *cm)
{
	size_t i;

	for (i = 0; i < cm->cm_n; i++)
		free(cm->cm_paths[i]);
	free(cm->cm_paths);
	memset(cm, 0, sizeof(*cm));
}
