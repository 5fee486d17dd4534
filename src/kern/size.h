/*
 * The SIZE syntax shared by mount options, configuration files and the ctl
 * language: a decimal number with an optional K, M or G suffix (powers of
 * 1024, either case), or a 0x hexadecimal number.  No sign, no spaces, no
 * fractions.
 */
#ifndef _KERN_SIZE_H_
#define _KERN_SIZE_H_

#include <stdint.h>

/* 0, EINVAL for bad syntax, ERANGE if it does not fit in 64 bits. */
int	size_parse(const char *s, uint64_t *valuep);
/* "16M", "640K", "4096": the shortest exact form with a suffix. */
void	size_format(uint64_t value, char *buf, unsigned len);

#endif /* !_KERN_SIZE_H_ */
