/*
 * png_probe: what the mount tests learn from a PNG, decoded with the
 * tests' own reader (png_read.c), not with the encoder that wrote it.
 *
 *	png_probe FILE [X,Y ...]
 *
 * prints "WIDTH HEIGHT", then the colour of each pixel asked for as
 * "RRGGBB" (lower-case hex), one per line.  Exit status 0, 1 when the file
 * does not decode or a point is outside the picture, 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png_read.h"

int
main(int argc, char **argv)
{
	struct png_image img;
	const uint8_t *p;
	char err[256], *end;
	unsigned long x, y;
	int i, status;

	if (argc < 2) {
		fprintf(stderr, "usage: png_probe FILE [X,Y ...]\n");
		return (2);
	}
	if (png_decode_file(argv[1], &img, err, sizeof(err)) != 0) {
		fprintf(stderr, "png_probe: %s: %s\n", argv[1], err);
		return (1);
	}
	printf("%u %u\n", img.width, img.height);
	status = 0;
	for (i = 2; i < argc && status == 0; i++) {
		x = strtoul(argv[i], &end, 10);
		if (*end != ',') {
			fprintf(stderr, "png_probe: '%s' is not X,Y\n",
			    argv[i]);
			status = 2;
			break;
		}
		y = strtoul(end + 1, &end, 10);
		if (*end != '\0') {
			fprintf(stderr, "png_probe: '%s' is not X,Y\n",
			    argv[i]);
			status = 2;
		} else if (x >= img.width || y >= img.height) {
			fprintf(stderr, "png_probe: (%lu,%lu) is outside the "
			    "%ux%u picture\n", x, y, img.width, img.height);
			status = 1;
		} else {
			p = img.rgb + ((size_t)y * img.width + x) * 3;
			printf("%02x%02x%02x\n", p[0], p[1], p[2]);
		}
	}
	png_image_free(&img);
	return (status);
}
