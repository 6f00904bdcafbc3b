// SPDX-License-Identifier: BSD-2-Clause
/* main.c - c2d-collector (placeholder until the ingest server lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "c2d-collector: not built yet\n");
	return 1;
}
