/*
 * A minimal PNG encoder (see png_write.h).
 *
 * File layout: the 8-byte signature, IHDR, one or more IDAT chunks
 * holding a single zlib stream, IEND.  Every chunk is
 *	length (4 bytes, big-endian, data only) | type (4) | data | CRC (4)
 * with the CRC-32 of ISO 3309 (zlib's crc32) over type and data.  The
 * zlib stream holds, for each row, the filter-type byte 0 followed by the
 * row's RGB bytes.  deflate runs at level 1: a snapshot is taken while a
 * ctl request waits, and framebuffer pictures compress well at any level.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "dev/png_write.h"

#define	PNG_DEFLATE_LEVEL	1

static const uint8_t png_signature[8] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
};

/* Buffered output to a file descriptor. */
struct png_out {
	int		 po_fd;
	int		 po_error;	/* first write error, sticky */
	size_t		 po_len;
	uint8_t		 po_buf[8192];
};

static void	png_flush(struct png_out *po);
static void	png_put(struct png_out *po, const void *p, size_t len);
static void	png_put32(struct png_out *po, uint32_t v);
static void	png_chunk(struct png_out *po, const char type[4],
		    const uint8_t *data, size_t len);

static void
png_flush(struct png_out *po)
{
	const uint8_t *p;
	size_t left;
	ssize_t n;

	p = po->po_buf;
	left = po->po_len;
	while (left > 0 && po->po_error == 0) {
		n = write(po->po_fd, p, left);
		if (n < 0) {
			if (errno != EINTR)
				po->po_error = errno;
			continue;
		}
		if (n == 0) {
			po->po_error = EIO;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	po->po_len = 0;
}

static void
png_put(struct png_out *po, const void *p, size_t len)
{
	const uint8_t *s = p;
	size_t n;

	while (len > 0 && po->po_error == 0) {
		if (po->po_len == sizeof(po->po_buf))
			png_flush(po);
		n = sizeof(po->po_buf) - po->po_len;
		if (n > len)
			n = len;
		memcpy(po->po_buf + po->po_len, s, n);
		po->po_len += n;
		s += n;
		len -= n;
	}
}

static void
png_put32(struct png_out *po, uint32_t v)
{
	uint8_t b[4];

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	png_put(po, b, sizeof(b));
}

static void
png_chunk(struct png_out *po, const char type[4], const uint8_t *data,
    size_t len)
{
	uLong crc;

	png_put32(po, (uint32_t)len);
	png_put(po, type, 4);
	crc = crc32(0L, (const Bytef *)type, 4);
	if (len > 0) {
		png_put(po, data, len);
		crc = crc32(crc, data, (uInt)len);
	}
	png_put32(po, (uint32_t)crc);
}

int
png_write_rgb(int fd, unsigned width, unsigned height, png_row_fn *rowfn,
    void *arg)
{
	struct png_out *po;
	uint8_t ihdr[13], *row, *idat;
	size_t rowlen;
	z_stream zs;
	unsigned y;
	int error, flush, zr;

	if (width == 0 || height == 0 || width > PNG_DIM_MAX ||
	    height > PNG_DIM_MAX)
		return (EINVAL);
	rowlen = 1 + (size_t)width * 3;
	po = malloc(sizeof(*po));
	row = malloc(rowlen);
	idat = malloc(PNG_IDAT_MAX);
	memset(&zs, 0, sizeof(zs));
	if (po == NULL || row == NULL || idat == NULL ||
	    deflateInit(&zs, PNG_DEFLATE_LEVEL) != Z_OK) {
		free(po);
		free(row);
		free(idat);
		return (ENOMEM);
	}
	po->po_fd = fd;
	po->po_error = 0;
	po->po_len = 0;

	png_put(po, png_signature, sizeof(png_signature));
	ihdr[0] = (uint8_t)(width >> 24);
	ihdr[1] = (uint8_t)(width >> 16);
	ihdr[2] = (uint8_t)(width >> 8);
	ihdr[3] = (uint8_t)width;
	ihdr[4] = (uint8_t)(height >> 24);
	ihdr[5] = (uint8_t)(height >> 16);
	ihdr[6] = (uint8_t)(height >> 8);
	ihdr[7] = (uint8_t)height;
	ihdr[8] = 8;		/* bit depth */
	ihdr[9] = 2;		/* colour type: RGB */
	ihdr[10] = 0;		/* compression: deflate */
	ihdr[11] = 0;		/* filter method 0 */
	ihdr[12] = 0;		/* no interlace */
	png_chunk(po, "IHDR", ihdr, sizeof(ihdr));

	error = 0;
	zs.next_out = idat;
	zs.avail_out = PNG_IDAT_MAX;
	for (y = 0; y <= height && error == 0; y++) {
		if (y < height) {
			row[0] = 0;	/* filter type None */
			rowfn(arg, y, row + 1);
			zs.next_in = row;
			zs.avail_in = (uInt)rowlen;
			flush = Z_NO_FLUSH;
		} else {
			zs.next_in = NULL;
			zs.avail_in = 0;
			flush = Z_FINISH;
		}
		/* Run deflate until it has taken the row (or finished),
		 * emitting a chunk whenever the output buffer fills. */
		for (;;) {
			zr = deflate(&zs, flush);
			if (zr == Z_STREAM_ERROR) {
				error = EIO;
				break;
			}
			if (zs.avail_out == 0 || (zr == Z_STREAM_END &&
			    zs.avail_out < PNG_IDAT_MAX)) {
				png_chunk(po, "IDAT", idat,
				    PNG_IDAT_MAX - zs.avail_out);
				zs.next_out = idat;
				zs.avail_out = PNG_IDAT_MAX;
			}
			if (zr == Z_STREAM_END)
				break;
			if (flush == Z_NO_FLUSH && zs.avail_in == 0 &&
			    zs.avail_out != 0)
				break;
		}
		if (po->po_error != 0)
			error = po->po_error;
	}
	(void)deflateEnd(&zs);
	if (error == 0) {
		png_chunk(po, "IEND", NULL, 0);
		png_flush(po);
		error = po->po_error;
	}
	free(po);
	free(row);
	free(idat);
	return (error);
}
