// SPDX-License-Identifier: BSD-2-Clause
/*
 * int80_open - open and read PATH through the 32-bit syscall entry (`int $0x80`, i386 numbers)
 * from this 64-bit process: no per-syscall tracepoint sees these calls. x86-64 only (elsewhere
 * exits 77, "skip"). The path is copied below 4 GiB (the i386 ABI passes 32-bit pointers).
 *
 *   int80_open PATH
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__)
static long int80(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

int main(int argc, char **argv)
{
	char *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			 -1, 0);
	long fd, n;

	if (argc != 2 || low == MAP_FAILED || strlen(argv[1]) >= 4096)
		return 2;
	strcpy(low, argv[1]);
	fd = int80(5 /* i386 open */, (long)low, 0 /* O_RDONLY */, 0);
	if (fd < 0) {
		fprintf(stderr, "int80 open: %ld\n", fd);
		return 1;
	}
	n = int80(3 /* i386 read */, fd, (long)(low + 4096), 64);
	int80(6 /* i386 close */, fd, 0, 0);
	return n < 0;
}
#else
int main(void)
{
	return 77;
}
#endif
