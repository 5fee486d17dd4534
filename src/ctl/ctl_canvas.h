/*
 * devpagerctl: an RGB picture in memory, drawn with filled rectangles and
 * text in the built-in font (ctl_font.h), and written out as a PNG with
 * the daemon's encoder (src/dev/png_write.h).
 *
 * A canvas belongs to its caller; no locking.  Drawing is clipped to the
 * canvas, so a caller's arithmetic can never write outside it.
 */
#ifndef _CTL_CTL_CANVAS_H_
#define _CTL_CTL_CANVAS_H_

#include <stdint.h>

/* A colour: 0xRRGGBB. */
typedef uint32_t ctl_rgb_t;

#define	CTL_RGB_R(c)	((uint8_t)((c) >> 16))
#define	CTL_RGB_G(c)	((uint8_t)((c) >> 8))
#define	CTL_RGB_B(c)	((uint8_t)(c))

/* The largest canvas, in pixels per side (keeps width * height * 3 sane). */
#define	CTL_CANVAS_DIM_MAX	16384

struct ctl_canvas {
	unsigned	 cv_width;
	unsigned	 cv_height;
	uint8_t		*cv_rgb;	/* cv_width * cv_height * 3, rows top first */
};

/* A width x height canvas filled with bg; 0 or EINVAL (bad size), ENOMEM. */
int	ctl_canvas_init(struct ctl_canvas *cv, unsigned width,
	    unsigned height, ctl_rgb_t bg);
void	ctl_canvas_free(struct ctl_canvas *cv);
/* Fill the rectangle at (x, y) of w x h pixels. */
void	ctl_canvas_fill(struct ctl_canvas *cv, unsigned x, unsigned y,
	    unsigned w, unsigned h, ctl_rgb_t c);
/* Draw s with its top-left corner at (x, y); the width drawn in pixels. */
unsigned ctl_canvas_text(struct ctl_canvas *cv, unsigned x, unsigned y,
	    unsigned scale, const char *s, ctl_rgb_t c);
/* The pixel at (x, y) (0 outside the canvas). */
ctl_rgb_t ctl_canvas_pixel(const struct ctl_canvas *cv, unsigned x,
	    unsigned y);
/* Write the canvas to fd as a PNG; 0 or an errno value. */
int	ctl_canvas_write_png(const struct ctl_canvas *cv, int fd);

#endif /* !_CTL_CTL_CANVAS_H_ */
