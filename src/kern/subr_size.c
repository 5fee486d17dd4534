/*
 * SIZE parsing and formatting (see size.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "kern/size.h"

static int
digit_value(char c, unsigned base)
{
	unsigned v;

	if (c >= '0' && c <= '9')
		v = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		v = (unsigned)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		v = (unsigned)(c - 'A' + 10);
	else
		return (-1);
	return (v < base ? (int)v : -1);
}

int
size_parse(const char *s, uint64_t *valuep)
{
	uint64_t value, mult;
	unsigned base, ndigits;
	int d;

	if (s == NULL || *s == '\0')
		return (EINVAL);
	base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	value = 0;
	ndigits = 0;
	for (; (d = digit_value(*s, base)) >= 0; s++) {
		if (value > (UINT64_MAX - (unsigned)d) / base)
			return (ERANGE);
		value = value * base + (unsigned)d;
		ndigits++;
	}
	if (ndigits == 0)
		return (EINVAL);
	mult = 1;
	if (*s != '\0' && base == 10) {
		switch (*s) {
		case 'k': case 'K':
			mult = 1ULL << 10;
			break;
		case 'm': case 'M':
			mult = 1ULL << 20;
			break;
		case 'g': case 'G':
			mult = 1ULL << 30;
			break;
		default:
			return (EINVAL);
		}
		s++;
	}
	if (*s != '\0')
		return (EINVAL);
	if (value > UINT64_MAX / mult)
		return (ERANGE);
	*valuep = value * mult;
	return (0);
}

void
size_format(uint64_t value, char *buf, unsigned len)
{
	static const char suffix[] = { 'G', 'M', 'K' };
	static const unsigned shift[] = { 30, 20, 10 };
	unsigned i;

	for (i = 0; i < sizeof(suffix); i++) {
		if (value != 0 && (value & ((1ULL << shift[i]) - 1)) == 0) {
			snprintf(buf, len, "%llu%c",
			    (unsigned long long)(value >> shift[i]), suffix[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)value);
}
