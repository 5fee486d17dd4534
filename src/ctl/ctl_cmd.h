/*
 * devpagerctl: building ctl command lines.
 *
 * The daemon owns the ctl grammar (devpagerfs(8)); the client only refuses
 * what could never be a valid command or could not be carried faithfully
 * by the protocol:
 *   - an argument that is empty or holds a blank or control character (the
 *     words are joined with single spaces, so "a b" would silently become
 *     two words, and a newline would end the command);
 *   - a wrong number of words for the command, an option word that is not
 *     KEY=VALUE with both parts present, `create' without driver=;
 *   - a NAME used as a path component under MNT/vm/ (object IDs, fail
 *     points) that is empty, "." or "..", or holds a slash.
 * Sizes, drivers, attributes and handles are left to the daemon.
 */
#ifndef _CTL_CTL_CMD_H_
#define _CTL_CTL_CMD_H_

#include <stdbool.h>
#include <stddef.h>

/* "a b c": the words joined with single spaces, no newline (malloc'd). */
char	*ctl_cmd_join(int argc, char *const argv[]);

/*
 * Check the words of a ctl command, argv[0] being the command (create,
 * destroy, revoke, memattr, gem, swap, fb).  0 if it may be sent, else -1
 * with a message in err.
 */
int	ctl_cmd_check(int argc, char *const argv[], char *err, size_t errlen);

/* A word the protocol can carry: non-empty, no blank or control char. */
bool	ctl_word_ok(const char *s);
/* KEY=VALUE with a non-empty key and value. */
bool	ctl_kv_word_ok(const char *s);
/* A single path component: non-empty, not "." or "..", no '/'. */
bool	ctl_name_ok(const char *s);

/*
 * The absolute form of `file' for the daemon, whose working directory is
 * not ours: realpath(3) of its directory plus its last component.  0 with a
 * malloc'd *out, or an errno value with a message in err (EINVAL for a name
 * the protocol cannot carry or that names a directory).
 */
int	ctl_abs_path(const char *file, char **out, char *err, size_t errlen);

#endif /* !_CTL_CTL_CMD_H_ */
