/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostpath.h - where the host sees a file: (device, path from the filesystem's root) → the path
 * in the host's mount namespace, from the host's mountinfo (/proc/1/mountinfo; the agent runs
 * with the host's pid namespace). The kernel sends the file's superblock device (kernel
 * encoding, major << 20 | minor) and its d_parent walk to the superblock's root; a mount of
 * that device whose root is `/` gives `<mount point><fs path>`; failing that, the mount whose
 * root is the longest prefix of the fs path (a bind mount of a subdirectory).
 *
 * Also: the pod volume a host path is in (/var/lib/kubelet/pods/<uid>/volumes/<plugin>/<name>/).
 */
#ifndef C2D_HOSTPATH_H
#define C2D_HOSTPATH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define HOSTPATH_MAX_MOUNTS 8192	  /* mountinfo lines kept (a busy node has a few thousand) */
#define HOSTPATH_MOUNTINFO_MAX (4u << 20) /* bytes of mountinfo read */

/* Kernel encoding of a device number (include/linux/kdev_t.h: MINORBITS 20). */
static inline uint32_t hostpath_kdev(unsigned major, unsigned minor)
{
	return (uint32_t)major << 20 | (minor & 0xfffff);
}
static inline unsigned hostpath_kdev_major(uint32_t kdev)
{
	return kdev >> 20;
}
static inline unsigned hostpath_kdev_minor(uint32_t kdev)
{
	return kdev & 0xfffff;
}

struct hostpath_mount {
	uint32_t dev;	/* kernel encoding */
	char *root;	/* root of the mount within its filesystem, unescaped */
	char *mpoint;	/* mount point, unescaped */
};

struct hostpath_table {
	struct hostpath_mount *m;
	size_t n;
};

/* Parse mountinfo text (NUL-terminated) into t (replacing what it held). 0 or -errno. */
int hostpath_parse(struct hostpath_table *t, const char *text);
void hostpath_table_free(struct hostpath_table *t);

/* The host path of (dev, fs_path) into out; 0, -ENOENT (no mount of that device shows the
 * file) or -ENAMETOOLONG. */
int hostpath_resolve(const struct hostpath_table *t, uint32_t dev, const char *fs_path, char *out,
		     size_t cap);

/* A cache of the host's mount table for the ring-buffer thread: reloaded when *gen (bumped on
 * every mount change by whoever watches mountinfo) moved, or once a second on a miss. */
struct hostpath_cache {
	const char *mountinfo; /* "/proc/1/mountinfo" */
	const atomic_uint *gen; /* NULL: reload on misses only */
	unsigned loaded_gen;
	uint64_t loaded_ns;	/* CLOCK_MONOTONIC of the last load (0: never) */
	struct hostpath_table t;
	uint64_t reloads, misses;
};

int hostpath_lookup(struct hostpath_cache *c, uint32_t dev, const char *fs_path, char *out,
		    size_t cap);
void hostpath_cache_free(struct hostpath_cache *c);

/* A pod volume: /var/lib/kubelet/pods/<uid>/volumes/<plugin>/<name>[/...]. */
struct hostpath_volume {
	char pod_uid[64];
	char plugin[96];
	char name[128];
	char host_path[512]; /* the volume's own directory */
};

/* 0 if host_path lies in a pod volume (v filled), -ENOENT otherwise. */
int hostpath_volume(const char *host_path, struct hostpath_volume *v);

#endif
