// SPDX-License-Identifier: BSD-2-Clause
/* secret_line.c - see secret_line.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "secret_line.h"

long secret_line_read(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	/* no stdio buffer keeps a copy: the read goes straight into out */
	setvbuf(f, NULL, _IONBF, 0);
	if (!fgets(out, (int)cap, f))
		out[0] = 0;
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = 0;
	return (long)n;
}
