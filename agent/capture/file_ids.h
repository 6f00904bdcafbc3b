/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_ids.h - rules by what files are, not by their names: the path rules' files and
 * directories resolved on the host to (device, inode) in the kernel's file_ids and dir_ids
 * maps, and kept current on a thread of their own (the ring-buffer thread never waits on it).
 *
 * - exact credential (and storage) rules: the file, following symlinks → file_ids;
 * - directory rules (`/etc/kubernetes/pki/`, every --storage-path) → dir_ids, plus the regular
 *   files directly inside a credential directory (a hard link to one of them elsewhere has no
 *   ancestor in it) and, below a storage directory, the files with more than one link (hard
 *   links made before the agent started) → file_ids, both bounded;
 * - kept current: inotify on the rules' directories (kubelet swaps token files through
 *   `..data` symlinks, `passwd` renames a new /etc/shadow over the old one), the host's
 *   mountinfo polled for changes, and a full refresh every FILE_IDS_REFRESH_MS. Every refresh
 *   re-resolves everything and removes the ids it no longer finds.
 *
 * Paths are resolved under FILE_IDS_HOST_ROOT (/proc/1/root: the host's view, also from a
 * container with the host's pid namespace).
 */
#ifndef C2D_FILE_IDS_H
#define C2D_FILE_IDS_H

#include <stdatomic.h>
#include <stdint.h>

#include "policy.h"

#define FILE_IDS_HOST_ROOT "/proc/1/root"
#define FILE_IDS_MOUNTINFO "/proc/1/mountinfo"
#define FILE_IDS_REFRESH_MS 30000   /* full refresh period */
#define FILE_IDS_DEBOUNCE_MS 50	    /* after a directory change, before re-resolving */
#define FILE_IDS_MOUNT_FULL_MS 5000 /* a mount change brings the full refresh this close */
#define FILE_IDS_DIR_FILES_MAX 256  /* files registered per credential directory */
#define FILE_IDS_SCAN_ENTRIES 100000 /* directory entries looked at per storage scan */
#define FILE_IDS_SCAN_DEPTH 16	    /* levels below a storage directory */
#define FILE_IDS_LEARN_MAX 1024	    /* files learnt by path (hard links seen being made) */

struct file_ids;

struct file_ids_opts {
	const struct c2d_policy *policy; /* outlives the file_ids */
	int file_fd, dir_fd;		 /* the file_ids and dir_ids maps */
	volatile uint32_t *policy_flags; /* the programs' c2d_policy_flags: FILE_IDS/DIR_IDS bits */
	volatile uint64_t *id_gate;	 /* the programs' c2d_id_gate (C2D_GATE_WORDS), or NULL */
	const char *host_root;		 /* NULL: FILE_IDS_HOST_ROOT */
	const char *mountinfo;		 /* NULL: FILE_IDS_MOUNTINFO */
	unsigned refresh_ms;		 /* 0: FILE_IDS_REFRESH_MS */
};

struct file_ids_stats {
	uint64_t files, dirs;	  /* ids in the maps now */
	uint64_t refreshes;
	uint64_t scanned;	  /* directory entries looked at by storage scans, in total */
	uint64_t map_full;	  /* ids that did not fit */
	uint64_t learnt;
};

/* Resolve once (synchronously: the maps are complete when this returns), then start the thread
 * that keeps them current. 0 or -errno. */
int file_ids_start(struct file_ids **out, const struct file_ids_opts *o);

/* Add one file as rule rule_id by a path naming it, e.g. the old name of a hard link made out
 * of production storage (same inode as the new name): a host path (resolved under the host
 * root), or "/proc/<pid>/root/<path as the process sees it>" for a container's process. Queued
 * to the thread (never blocks); the id is kept while that path still names a regular file.
 * 0, or -ENOSPC (queue full, counted by the caller) / -EINVAL. */
int file_ids_learn(struct file_ids *fi, const char *path, uint16_t rule_id);

/* Bumped on every change of the host's mount table (hostpath_cache reloads on it). */
const atomic_uint *file_ids_mount_gen(const struct file_ids *fi);

void file_ids_get_stats(struct file_ids *fi, struct file_ids_stats *st);
void file_ids_stop(struct file_ids *fi);

#endif
