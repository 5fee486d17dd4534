/*
 * fb: the framebuffer driver's geometry rules and pixel conversion,
 * shared by the driver (dev_fb.c) and its tests.  The driver itself is
 * reached through the driver table (dev_driver.h, dev_fb_driver).
 *
 * Geometry.  width and height are 1..FB_DIM_MAX pixels, bpp is 16, 24 or
 * 32.  A row takes stride bytes: width * bpp / 8 rounded up to a
 * multiple of FB_STRIDE_ALIGN (64, a cache line, so that every row
 * starts aligned); the device is round_page(stride * height) bytes, at
 * most FB_SIZE_MAX.  Pixel (x, y) is at byte y * stride + x * bpp / 8.
 *
 * Pixel formats, in memory order (what an application stores):
 *	32 bpp	XRGB8888 little-endian: bytes B, G, R, X (X ignored)
 *	24 bpp	RGB888 little-endian: bytes B, G, R
 *	16 bpp	RGB565 little-endian: the 16-bit value
 *		rrrrrggggggbbbbb, low byte first
 * A snapshot widens 5- and 6-bit channels to 8 bits by replicating their
 * high bits into the low ones (c8 = c5 << 3 | c5 >> 2, c8 = c6 << 2 |
 * c6 >> 4), so that full intensity stays 255.
 */
#ifndef _DEV_DEV_FB_H_
#define _DEV_DEV_FB_H_

#include <stdint.h>

#define	FB_DIM_MAX		8192		/* width, height */
#define	FB_SIZE_MAX		(256ULL << 20)	/* the device, bytes */
#define	FB_STRIDE_ALIGN		64
#define	FB_WIDTH_DEFAULT	640
#define	FB_HEIGHT_DEFAULT	480
#define	FB_BPP_DEFAULT		32

/*
 * Check a geometry and compute its stride and device size.  0, or EINVAL
 * (a dimension out of range, a bpp other than 16/24/32, or a device
 * larger than FB_SIZE_MAX); nothing is allocated either way.
 */
int	fb_geometry(unsigned width, unsigned height, unsigned bpp,
	    uint32_t *stridep, uint64_t *sizep);

/* Convert one row of width pixels at src (format bpp) to R, G, B bytes. */
void	fb_row_to_rgb(const uint8_t *src, unsigned width, unsigned bpp,
	    uint8_t *rgb);

#endif /* !_DEV_DEV_FB_H_ */
