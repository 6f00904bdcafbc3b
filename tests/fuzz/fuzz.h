/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz.h - what every libFuzzer harness shares: CHECK, an invariant that aborts (libFuzzer
 * then keeps the input as a crash). */
#ifndef C2D_FUZZ_H
#define C2D_FUZZ_H

#include <stdlib.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#endif
