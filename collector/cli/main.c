// SPDX-License-Identifier: BSD-2-Clause
/* main.c - c2d CLI (placeholder until the query client lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "c2d: not built yet\n");
	return 1;
}
