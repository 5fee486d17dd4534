/*
 * devpagerctl: an RGB picture in memory (ctl_canvas.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_canvas.h"
#include "ctl/ctl_font.h"
#include "dev/png_write.h"

static void	ctl_canvas_row(void *arg, unsigned y, uint8_t *rgb);

int
ctl_canvas_init(struct ctl_canvas *cv, unsigned width, unsigned height,
    ctl_rgb_t bg)
{

	memset(cv, 0, sizeof(*cv));
	if (width == 0 || height == 0 || width > CTL_CANVAS_DIM_MAX ||
	    height > CTL_CANVAS_DIM_MAX)
		return (EINVAL);
	cv->cv_rgb = malloc((size_t)width * height * 3);
	if (cv->cv_rgb == NULL)
		return (ENOMEM);
	cv->cv_width = width;
	cv->cv_height = height;
	ctl_canvas_fill(cv, 0, 0, width, height, bg);
	return (0);
}

void
ctl_canvas_free(struct ctl_canvas *cv)
{

	free(cv->cv_rgb);
	memset(cv, 0, sizeof(*cv));
}

void
ctl_canvas_fill(struct ctl_canvas *cv, unsigned x, unsigned y, unsigned w,
    unsigned h, ctl_rgb_t c)
{
	uint8_t *p;
	unsigned i, j;

	if (x >= cv->cv_width || y >= cv->cv_height)
		return;
	if (w > cv->cv_width - x)
		w = cv->cv_width - x;
	if (h > cv->cv_height - y)
		h = cv->cv_height - y;
	for (j = 0; j < h; j++) {
		p = cv->cv_rgb + ((size_t)(y + j) * cv->cv_width + x) * 3;
		for (i = 0; i < w; i++) {
			*p++ = CTL_RGB_R(c);
			*p++ = CTL_RGB_G(c);
			*p++ = CTL_RGB_B(c);
		}
	}
}

unsigned
ctl_canvas_text(struct ctl_canvas *cv, unsigned x, unsigned y,
    unsigned scale, const char *s, ctl_rgb_t c)
{
	const unsigned char *p;
	unsigned col, row, gx;

	gx = x;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		for (row = 0; row < CTL_FONT_HEIGHT; row++)
			for (col = 0; col < CTL_FONT_WIDTH; col++)
				if (ctl_font_dot(*p, col, row))
					ctl_canvas_fill(cv, gx + col * scale,
					    y + row * scale, scale, scale, c);
		gx += CTL_FONT_ADVANCE * scale;
	}
	return (ctl_font_text_width(s, scale));
}

ctl_rgb_t
ctl_canvas_pixel(const struct ctl_canvas *cv, unsigned x, unsigned y)
{
	const uint8_t *p;

	if (x >= cv->cv_width || y >= cv->cv_height)
		return (0);
	p = cv->cv_rgb + ((size_t)y * cv->cv_width + x) * 3;
	return ((ctl_rgb_t)p[0] << 16 | (ctl_rgb_t)p[1] << 8 | p[2]);
}

static void
ctl_canvas_row(void *arg, unsigned y, uint8_t *rgb)
{
	const struct ctl_canvas *cv = arg;

	memcpy(rgb, cv->cv_rgb + (size_t)y * cv->cv_width * 3,
	    (size_t)cv->cv_width * 3);
}

int
ctl_canvas_write_png(const struct ctl_canvas *cv, int fd)
{

	return (png_write_rgb(fd, cv->cv_width, cv->cv_height, ctl_canvas_row,
	    (void *)cv));
}
