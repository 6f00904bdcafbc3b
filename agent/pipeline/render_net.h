/* SPDX-License-Identifier: BSD-2-Clause */
/* render_net.h - the `network` object of a finding (render_net.c), for render.c. */
#ifndef C2D_RENDER_NET_H
#define C2D_RENDER_NET_H

#include "event.h"
#include "jsonw.h"

void render_network(struct jw *w, const struct c2d_decoded *d);

#endif
