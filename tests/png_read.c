/*
 * A minimal PNG decoder for the tests (png_read.h).  Independent of the
 * encoder in src/dev/png_write.c on purpose: it walks the chunk list
 * itself, checks each CRC with zlib's crc32, requires IHDR first and
 * IEND last, inflates the concatenated IDAT data and undoes the
 * per-row filters (None, Sub, Up, Average, Paeth).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "png_read.h"

static void	perr(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
static uint32_t	be32(const uint8_t *p);
static int	paeth(int a, int b, int c);
static int	unfilter(uint8_t *data, size_t len, unsigned width,
		    unsigned height, uint8_t *rgb, char *err, size_t errlen);

static void
perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t
be32(const uint8_t *p)
{

	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static int
paeth(int a, int b, int c)
{
	int p, pa, pb, pc;

	p = a + b - c;
	pa = abs(p - a);
	pb = abs(p - b);
	pc = abs(p - c);
	if (pa <= pb && pa <= pc)
		return (a);
	if (pb <= pc)
		return (b);
	return (c);
}

/* Undo the filters of the inflated data (3 bytes per pixel). */
static int
unfilter(uint8_t *data, size_t len, unsigned width, unsigned height,
    uint8_t *rgb, char *err, size_t errlen)
{
	size_t rowlen, i;
	const uint8_t *prev;
	uint8_t *cur, *line;
	unsigned y;
	int a, b, c;

	rowlen = (size_t)width * 3;
	if (len != (rowlen + 1) * height) {
		perr(err, errlen, "inflated %zu bytes, want %zu", len,
		    (rowlen + 1) * height);
		return (-1);
	}
	prev = NULL;
	for (y = 0; y < height; y++) {
		line = data + y * (rowlen + 1);
		cur = line + 1;
		for (i = 0; i < rowlen; i++) {
			a = i >= 3 ? cur[i - 3] : 0;
			b = prev != NULL ? prev[i] : 0;
			c = i >= 3 && prev != NULL ? prev[i - 3] : 0;
			switch (line[0]) {
			case 0:
				break;
			case 1:
				cur[i] = (uint8_t)(cur[i] + a);
				break;
			case 2:
				cur[i] = (uint8_t)(cur[i] + b);
				break;
			case 3:
				cur[i] = (uint8_t)(cur[i] + (a + b) / 2);
				break;
			case 4:
				cur[i] = (uint8_t)(cur[i] + paeth(a, b, c));
				break;
			default:
				perr(err, errlen, "row %u: filter type %u", y,
				    line[0]);
				return (-1);
			}
		}
		memcpy(rgb + y * rowlen, cur, rowlen);
		prev = cur;
	}
	return (0);
}

int
png_decode(const uint8_t *buf, size_t len, struct png_image *img, char *err,
    size_t errlen)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	uint8_t *z, *raw;
	size_t pos, zlen, zcap, rawlen;
	uint32_t clen, crc;
	const uint8_t *type, *data;
	int seen_ihdr, seen_iend, zr;
	uLongf dlen;
	z_stream zs;

	memset(img, 0, sizeof(*img));
	if (len < sizeof(sig) || memcmp(buf, sig, sizeof(sig)) != 0) {
		perr(err, errlen, "not a PNG signature");
		return (-1);
	}
	z = NULL;
	zlen = zcap = 0;
	seen_ihdr = seen_iend = 0;
	pos = sizeof(sig);
	while (pos < len) {
		if (seen_iend) {
			perr(err, errlen, "data after IEND");
			goto fail;
		}
		if (len - pos < 12) {
			perr(err, errlen, "truncated chunk at %zu", pos);
			goto fail;
		}
		clen = be32(buf + pos);
		if (clen > 0x7fffffffu || clen > len - pos - 12) {
			perr(err, errlen, "chunk at %zu: bad length %u", pos,
			    clen);
			goto fail;
		}
		type = buf + pos + 4;
		data = buf + pos + 8;
		crc = (uint32_t)crc32(crc32(0L, type, 4), data, clen);
		if (crc != be32(data + clen)) {
			perr(err, errlen, "chunk %.4s: CRC %08x, stored %08x",
			    (const char *)type, crc, be32(data + clen));
			goto fail;
		}
		if (!seen_ihdr && memcmp(type, "IHDR", 4) != 0) {
			perr(err, errlen, "first chunk is %.4s, not IHDR",
			    (const char *)type);
			goto fail;
		}
		if (memcmp(type, "IHDR", 4) == 0) {
			if (seen_ihdr || clen != 13) {
				perr(err, errlen, "bad IHDR");
				goto fail;
			}
			seen_ihdr = 1;
			img->width = be32(data);
			img->height = be32(data + 4);
			if (img->width == 0 || img->height == 0 ||
			    img->width > 65536 || img->height > 65536 ||
			    data[8] != 8 || data[9] != 2 || data[10] != 0 ||
			    data[11] != 0 || data[12] != 0) {
				perr(err, errlen, "unsupported IHDR %ux%u "
				    "depth %u colour %u comp %u filter %u "
				    "interlace %u", img->width, img->height,
				    data[8], data[9], data[10], data[11],
				    data[12]);
				goto fail;
			}
		} else if (memcmp(type, "IDAT", 4) == 0) {
			if (zlen + clen > zcap) {
				zcap = (zlen + clen) * 2;
				raw = realloc(z, zcap);
				if (raw == NULL) {
					perr(err, errlen, "out of memory");
					goto fail;
				}
				z = raw;
			}
			memcpy(z + zlen, data, clen);
			zlen += clen;
			img->nidat++;
		} else if (memcmp(type, "IEND", 4) == 0) {
			if (clen != 0) {
				perr(err, errlen, "IEND with data");
				goto fail;
			}
			seen_iend = 1;
		} else if ((type[0] & 0x20) == 0) {
			perr(err, errlen, "unknown critical chunk %.4s",
			    (const char *)type);
			goto fail;
		}
		pos += 12 + clen;
	}
	if (!seen_iend || img->nidat == 0) {
		perr(err, errlen, "no IEND or no IDAT");
		goto fail;
	}

	rawlen = ((size_t)img->width * 3 + 1) * img->height;
	raw = malloc(rawlen + 1);
	img->rgb = malloc((size_t)img->width * 3 * img->height);
	if (raw == NULL || img->rgb == NULL) {
		free(raw);
		perr(err, errlen, "out of memory");
		goto fail;
	}
	/* Inflate; one spare byte proves there is no excess data. */
	memset(&zs, 0, sizeof(zs));
	zr = inflateInit(&zs);
	if (zr != Z_OK) {
		free(raw);
		perr(err, errlen, "inflateInit: %d", zr);
		goto fail;
	}
	zs.next_in = z;
	zs.avail_in = (uInt)zlen;
	zs.next_out = raw;
	zs.avail_out = (uInt)(rawlen + 1);
	zr = inflate(&zs, Z_FINISH);
	dlen = zs.total_out;
	(void)inflateEnd(&zs);
	if (zr != Z_STREAM_END || zs.avail_in != 0) {
		free(raw);
		perr(err, errlen, "inflate: %d (%u bytes left)", zr,
		    zs.avail_in);
		goto fail;
	}
	if (unfilter(raw, dlen, img->width, img->height, img->rgb, err,
	    errlen) != 0) {
		free(raw);
		goto fail;
	}
	free(raw);
	free(z);
	return (0);
fail:
	free(z);
	png_image_free(img);
	return (-1);
}

int
png_decode_file(const char *path, struct png_image *img, char *err,
    size_t errlen)
{
	uint8_t *buf, *nb;
	size_t len, cap, n;
	FILE *f;
	int rv;

	memset(img, 0, sizeof(*img));
	f = fopen(path, "rb");
	if (f == NULL) {
		perr(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	buf = NULL;
	len = cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				perr(err, errlen, "out of memory");
				return (-1);
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	rv = png_decode(buf, len, img, err, errlen);
	free(buf);
	return (rv);
}

void
png_image_free(struct png_image *img)
{

	free(img->rgb);
	img->rgb = NULL;
}
