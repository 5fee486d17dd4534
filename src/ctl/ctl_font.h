/*
 * devpagerctl: a 5x7 bitmap font for the text drawn into images (the
 * heat map's title, subtitle and legend).
 *
 * One glyph per printable ASCII character, 0x20 to 0x7e, each 5 columns by
 * 7 rows, drawn for this project.  A glyph is set at a scale: every dot
 * becomes a scale x scale square.  Characters advance by CTL_FONT_ADVANCE
 * dots (the glyph and one dot of space).  Bytes outside the printable
 * range are drawn as '?', so a path holding them still shows where they
 * are.
 *
 * The table is constant; nothing here has state or locking.
 */
#ifndef _CTL_CTL_FONT_H_
#define _CTL_CTL_FONT_H_

#include <stdbool.h>
#include <stddef.h>

#define	CTL_FONT_WIDTH		5	/* dots per glyph row */
#define	CTL_FONT_HEIGHT		7	/* rows per glyph */
#define	CTL_FONT_ADVANCE	6	/* dots from one glyph to the next */
#define	CTL_FONT_FIRST		0x20	/* ' ' */
#define	CTL_FONT_LAST		0x7e	/* '~' */

/* Is the dot at (col, row) of the glyph of byte c set? */
bool	ctl_font_dot(unsigned char c, unsigned col, unsigned row);
/* The glyph's rows as text ("#" set, "." clear), for the tests. */
const char *ctl_font_row(unsigned char c, unsigned row);
/* Width in pixels of s set at scale (0 for an empty string). */
unsigned ctl_font_text_width(const char *s, unsigned scale);

#endif /* !_CTL_CTL_FONT_H_ */
