/*
 * devpagerctl: JSON output of parsed inspection files.
 *
 * Tables become arrays of objects keyed by the lower-cased header names;
 * key/value lists become one object.  Cells of numeric columns (and values
 * that are numbers) are emitted unquoted, verbatim, so 64-bit counters keep
 * every digit; everything else is a string, escaped per RFC 8259 (quotes,
 * backslashes, control characters as \uXXXX or the short forms) and made
 * valid UTF-8 (a byte that is not part of a valid sequence becomes U+FFFD).
 *
 * Containers are written with their opening bracket at the current position
 * and their contents indented by `indent' + 2 spaces, so callers can nest
 * them.
 */
#ifndef _CTL_CTL_JSON_H_
#define _CTL_CTL_JSON_H_

#include <stdbool.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_text.h"

/* "s", escaped; NULL gives null. */
void	ctl_json_string(struct ctl_buf *cb, const char *s);
/* A number verbatim when `numeric' and s is one, else a string. */
void	ctl_json_value(struct ctl_buf *cb, const char *s, bool numeric);
/* A table section as an array, a key/value section as an object. */
void	ctl_json_section(struct ctl_buf *cb, const struct ctl_section *cs,
	    int indent);
/* One section as itself; none as []; several as an array of sections. */
void	ctl_json_doc(struct ctl_buf *cb, const struct ctl_doc *doc,
	    int indent);
/* Parse `text' (ctl_text_parse) and write it as JSON plus a newline. */
void	ctl_json_text(struct ctl_buf *cb, const char *text);
/*
 * A ctl reply as an object plus a newline: "handle=3 offset=0x10000 size=4096"
 * gives {"handle": 3, "offset": "0x10000", "size": 4096}; an empty reply
 * gives {}; anything that is not all KEY=VALUE words gives {"reply": TEXT}.
 */
void	ctl_json_reply(struct ctl_buf *cb, const char *reply);

#endif /* !_CTL_CTL_JSON_H_ */
