/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ui_assets.h - the web UI's files (collector/ui/), built into the binary so the collector
 * serves them with nothing installed next to it and nothing fetched at run time.
 */
#ifndef C2D_COLLECTOR_UI_ASSETS_H
#define C2D_COLLECTOR_UI_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct ui_asset {
	const char *name; /* "app.js": served at /ui/app.js ("index.html" also at /ui/) */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

/* The asset called name into *out; false if there is none. */
bool ui_asset_get(const char *name, struct ui_asset *out);

#endif
