/*
 * A minimal PNG encoder for framebuffer snapshots (the PNG specification,
 * ISO/IEC 15948): 8-bit RGB (colour type 2), no interlace, filter type 0
 * ("None") on every row, one zlib stream split over IDAT chunks of at
 * most PNG_IDAT_MAX bytes.  zlib supplies deflate and crc32; the chunk
 * layout (length, type, data, CRC over type and data) is written here.
 *
 * No state is shared: each call encodes one image.
 */
#ifndef _DEV_PNG_WRITE_H_
#define _DEV_PNG_WRITE_H_

#include <stdint.h>

#define	PNG_IDAT_MAX	65536		/* data bytes per IDAT chunk */
#define	PNG_DIM_MAX	0x7fffffffu	/* the format's limit */

/*
 * Fill rgb with row y of the image: width * 3 bytes, R, G, B for each
 * pixel from left to right.
 */
typedef void	png_row_fn(void *arg, unsigned y, uint8_t *rgb);

/*
 * Write a whole PNG file of width x height pixels to fd (from its current
 * position), asking rowfn for each row from the top.  0, or EINVAL (a
 * zero or oversized dimension), ENOMEM, or write(2)'s errno.  On error
 * part of the file may have been written.
 */
int	png_write_rgb(int fd, unsigned width, unsigned height,
	    png_row_fn *rowfn, void *arg);

#endif /* !_DEV_PNG_WRITE_H_ */
