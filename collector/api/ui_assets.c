// SPDX-License-Identifier: BSD-2-Clause
/*
 * ui_assets.c - ui_assets.h: each file of collector/ui/ is pulled in by the assembler
 * (.incbin, paths from the top of the tree where make runs), between two symbols.
 */
#include <string.h>

#include "ui_assets.h"

#define EMBED(sym, file)                                                                     \
	__asm__(".section .rodata\n"                                                           \
		".balign 16\n"                                                                 \
		".global " #sym "_start\n" #sym "_start:\n"                                    \
		".incbin \"collector/ui/" file "\"\n"                                          \
		".global " #sym "_end\n" #sym "_end:\n"                                        \
		".previous\n");                                                                \
	extern const unsigned char sym##_start[], sym##_end[]

EMBED(c2d_ui_index, "index.html");
EMBED(c2d_ui_css, "app.css");
EMBED(c2d_ui_app, "app.js");
EMBED(c2d_ui_api, "api.js");
EMBED(c2d_ui_dom, "dom.js");
EMBED(c2d_ui_views, "views.js");
EMBED(c2d_ui_timeline, "timeline.js");
EMBED(c2d_ui_icon, "icon.svg");

#define JS "text/javascript; charset=utf-8"
#define ASSET(n, t, sym) {n, t, sym##_start, sym##_end}

static const struct {
	const char *name, *type;
	const unsigned char *start, *end;
} assets[] = {
	ASSET("index.html", "text/html; charset=utf-8", c2d_ui_index),
	ASSET("app.css", "text/css; charset=utf-8", c2d_ui_css),
	ASSET("app.js", JS, c2d_ui_app),
	ASSET("api.js", JS, c2d_ui_api),
	ASSET("dom.js", JS, c2d_ui_dom),
	ASSET("views.js", JS, c2d_ui_views),
	ASSET("timeline.js", JS, c2d_ui_timeline),
	ASSET("icon.svg", "image/svg+xml", c2d_ui_icon),
};

bool ui_asset_get(const char *name, struct ui_asset *out)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (!strcmp(assets[i].name, name)) {
			*out = (struct ui_asset){assets[i].name, assets[i].type, assets[i].start,
						 (size_t)(assets[i].end - assets[i].start)};
			return true;
		}
	return false;
}
