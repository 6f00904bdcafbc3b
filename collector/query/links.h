/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * links.h - web links for a commit, and for the changes between two commits, derived from the
 * repository URL an image or pod carries (provenance.repository). The forges disagree on the
 * path (GitHub and Gitea: /commit/<sha>, /compare/<a>...<b>; GitLab: /-/commit/<sha>,
 * /-/compare/<a>...<b>), and labels hold the URL in whatever form the build saw it
 * (".git" suffix, "git@host:owner/repo.git", "ssh://git@host/owner/repo").
 */
#ifndef C2D_COLLECTOR_LINKS_H
#define C2D_COLLECTOR_LINKS_H

#include <stddef.h>

/* The repository as an https URL without ".git" or a trailing '/'. 0, -EINVAL (not a URL we can
 * turn into a web page: no host, no owner/name path, odd characters), -ENOSPC. */
int links_repo_web(const char *repo, char *out, size_t len);
/* <web>/commit/<sha> (GitLab: /-/commit/). 0, -EINVAL, -ENOSPC. */
int links_commit_url(const char *repo, const char *sha, char *out, size_t len);
/* <web>/compare/<from>...<to> (GitLab: /-/compare/). 0, -EINVAL, -ENOTSUP (the forge has no
 * such page: Bitbucket), -ENOSPC. */
int links_compare_url(const char *repo, const char *from, const char *to, char *out, size_t len);

#endif
