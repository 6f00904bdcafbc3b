/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skel_open.h - open a libbpf skeleton on another object's ELF bytes: an object built from the
 * same sources with other flags (bpf/path.bpf.c with C2D_PROBE_READS) has the same maps,
 * programs and globals, so the skeleton's layout fits it and the rest of the agent does not
 * know which one runs. Evaluates to the skeleton, or NULL with errno set.
 */
#ifndef C2D_SKEL_OPEN_H
#define C2D_SKEL_OPEN_H

#include <errno.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#define SKEL_OPEN_BYTES(name, bytes, size)                                                        \
	({                                                                                        \
		struct name *o__ = calloc(1, sizeof(*o__));                                       \
		int e__ = o__ ? name##__create_skeleton(o__) : -ENOMEM;                           \
                                                                                                  \
		if (!e__) {                                                                       \
			o__->skeleton->data = (void *)(bytes);                                    \
			o__->skeleton->data_sz = (size);                                          \
			e__ = bpf_object__open_skeleton(o__->skeleton, NULL);                     \
		}                                                                                 \
		if (e__) {                                                                        \
			if (o__)                                                                  \
				name##__destroy(o__);                                             \
			o__ = NULL;                                                               \
			errno = e__ < 0 ? -e__ : e__;                                             \
		}                                                                                 \
		o__;                                                                              \
	})

#endif
