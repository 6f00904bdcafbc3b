/* SPDX-License-Identifier: BSD-2-Clause */
/* version.h - the release of every cloud2dev binary (also the images' org.opencontainers.image.version). */
#ifndef C2D_VERSION_H
#define C2D_VERSION_H

#define C2D_VERSION "0.1.0"

/* The build's git revision, from the Makefile (-DC2D_GIT_REV). */
#ifndef C2D_GIT_REV
#define C2D_GIT_REV "unknown"
#endif

#endif
