// SPDX-License-Identifier: BSD-2-Clause
/* event.c - see event.h. */
#include <errno.h>
#include <string.h>

#include "event.h"

static int decode_syscall(const char *data, size_t size, struct c2d_decoded *d)
{
	const struct c2d_syscall_event *ev = (const void *)data;
	size_t pos = sizeof(*ev);

	if (size < sizeof(*ev) || ev->nstr > C2D_MAX_STRS || ev->hdr.sys >= C2D_SYS_MAX ||
	    ev->kind >= C2D_KIND_MAX)
		return -EINVAL;
	d->sys = ev;
	d->nstr = ev->nstr;
	for (int i = 0; i < ev->nstr; i++) {
		size_t n = ev->str_len[i];

		if (n == 0 || n > size - pos || data[pos + n - 1] != 0)
			return -EINVAL;
		if (ev->str_role[i] >= C2D_STR_ROLE_MAX)
			return -EINVAL;
		d->strs[i] = data + pos;
		d->slen[i] = strnlen(data + pos, n - 1);
		d->roles[i] = ev->str_role[i];
		pos += n;
	}
	return 0;
}

const char *event_str(const struct c2d_decoded *d, enum c2d_str_role role)
{
	for (int i = 0; i < d->nstr; i++)
		if (d->roles[i] == role)
			return d->strs[i];
	return NULL;
}

static int decode_exec(const char *data, size_t size, struct c2d_decoded *d)
{
	const struct c2d_exec_event *ev = (const void *)data;
	size_t avail = size - sizeof(*ev);

	if (size < sizeof(*ev) || ev->exe_len == 0 || ev->exe_len > avail ||
	    ev->args_len > avail - ev->exe_len || ev->exe_len > C2D_PATH_MAX ||
	    ev->args_len > C2D_ARGS_MAX)
		return -EINVAL;
	if (data[sizeof(*ev) + ev->exe_len - 1] != 0)
		return -EINVAL;
	d->exec = ev;
	d->exe = data + sizeof(*ev);
	d->args = d->exe + ev->exe_len;
	d->args_len = ev->args_len;
	if (ev->cg_len) { /* up to C2D_CG_DEPTH NUL-terminated names, leaf first */
		const char *cg = d->args + ev->args_len;
		size_t room = avail - ev->exe_len - ev->args_len, pos = 0;

		if (ev->cg_len > room)
			return -EINVAL;
		while (pos < ev->cg_len) {
			size_t n = strnlen(cg + pos, ev->cg_len - pos);

			if (pos + n >= ev->cg_len || n >= C2D_CG_NAME_MAX || d->cg_n == C2D_CG_DEPTH)
				return -EINVAL; /* unterminated, too long, too many */
			d->cg_names[d->cg_n++] = cg + pos;
			pos += n + 1;
		}
	}
	return 0;
}

int event_decode(const void *data, size_t size, struct c2d_decoded *d)
{
	const struct c2d_event_hdr *h = data;

	memset(d, 0, sizeof(*d));
	if (!data || size < sizeof(*h) || h->size > size || h->size < sizeof(*h))
		return -EINVAL;
	size = h->size;
	d->hdr = h;
	switch (h->type) {
	case C2D_EV_SYSCALL:
		return decode_syscall(data, size, d);
	case C2D_EV_EXEC:
		return decode_exec(data, size, d);
	case C2D_EV_FORK:
		if (size < sizeof(struct c2d_fork_event))
			return -EINVAL;
		d->fork = data;
		return 0;
	case C2D_EV_EXIT:
		if (size < sizeof(struct c2d_exit_event))
			return -EINVAL;
		d->exit = data;
		return 0;
	case C2D_EV_FOLD:
		if (size < sizeof(struct c2d_fold_event) || d->hdr->sys >= C2D_SYS_MAX)
			return -EINVAL;
		d->fold = data;
		return d->fold->count ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}
