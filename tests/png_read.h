/*
 * A minimal PNG decoder for the tests: 8-bit RGB (colour type 2),
 * non-interlaced images only, every chunk's CRC checked, the five
 * filter types undone.  Used to prove that fb snapshots decode to
 * exactly the pixels drawn.
 */
#ifndef _TESTS_PNG_READ_H_
#define _TESTS_PNG_READ_H_

#include <stddef.h>
#include <stdint.h>

struct png_image {
	unsigned	 width;
	unsigned	 height;
	uint8_t		*rgb;		/* width * height * 3, malloc'ed */
	unsigned	 nidat;		/* IDAT chunks seen */
};

/*
 * Decode the PNG in buf.  0, or -1 with a message in err (bad signature,
 * CRC mismatch, unsupported header, truncated or corrupt data...).
 */
int	png_decode(const uint8_t *buf, size_t len, struct png_image *img,
	    char *err, size_t errlen);
/* The same for a file. */
int	png_decode_file(const char *path, struct png_image *img, char *err,
	    size_t errlen);
void	png_image_free(struct png_image *img);

#endif /* !_TESTS_PNG_READ_H_ */
