// SPDX-License-Identifier: BSD-2-Clause
/*
 * policy_defaults.c - the built-in rules (EVENTS.md "Default credential paths" and
 * "Privileged calls"). Rule names are stable, kebab-case: backends and queries key on them.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"

static const struct {
	const char *name;
	const char *pattern;
	const char *severity;
} cred_defaults[] = {
	{"k8s-serviceaccount-token", "/var/run/secrets/kubernetes.io/serviceaccount/", "high"},
	{"k8s-serviceaccount-token", "/run/secrets/kubernetes.io/serviceaccount/", "high"},
	{"eks-pod-identity-token", "/var/run/secrets/eks.amazonaws.com/serviceaccount/", "high"},
	{"eks-pod-identity-token", "/run/secrets/eks.amazonaws.com/serviceaccount/", "high"},
	{"azure-workload-identity-token", "/var/run/secrets/azure/tokens/", "high"},
	{"azure-workload-identity-token", "/run/secrets/azure/tokens/", "high"},
	{"aws-credentials", "*/.aws/credentials", "high"},
	{"aws-config", "*/.aws/config", "medium"},
	{"gcp-application-default-credentials", "*/application_default_credentials.json", "high"},
	{"azure-cli-credentials", "*/.azure/", "high"},
	{"kubeconfig", "*/.kube/config", "high"},
	{"docker-config", "*/.docker/config.json", "high"},
	{"ssh-private-key", "*/.ssh/id_*", "high"},
	{"ssh-authorized-keys", "*/.ssh/authorized_keys", "medium"},
	{"git-credentials", "*/.git-credentials", "high"},
	{"npmrc", "*/.npmrc", "medium"},
	{"pypirc", "*/.pypirc", "medium"},
	{"netrc", "*/.netrc", "high"},
	{"etc-shadow", "/etc/shadow", "high"},
	{"etc-gshadow", "/etc/gshadow", "high"},
	{"etc-sudoers", "/etc/sudoers", "medium"},
	{"kubernetes-pki", "/etc/kubernetes/pki/", "critical"},
	{"kubernetes-admin-conf", "/etc/kubernetes/admin.conf", "critical"},
	{"kubelet-pki", "/var/lib/kubelet/pki/", "critical"},
};

#define NS_FLAGS 0xfe020080u /* every CLONE_NEW* flag */

static const struct {
	const char *name;
	const char *severity;
	c2d_sysmask sys_mask;
	uint32_t only_mask;
} priv_defaults[] = {
	{"setuid-family", "medium",
	 SYSBIT(C2D_SYS_SETUID) | SYSBIT(C2D_SYS_SETGID) | SYSBIT(C2D_SYS_SETREUID) |
		 SYSBIT(C2D_SYS_SETREGID) | SYSBIT(C2D_SYS_SETRESUID) | SYSBIT(C2D_SYS_SETRESGID) |
		 SYSBIT(C2D_SYS_SETFSUID) | SYSBIT(C2D_SYS_SETFSGID),
	 0},
	{"capset", "medium", SYSBIT(C2D_SYS_CAPSET), 0},
	/* ptrace requests answer to three rules (bpf/priv.bpf.c ptrace__rule_sys): ATTACH, SEIZE
	 * and TRACEME to ptrace-attach, PEEK and GET*REGS* to process-memory-read, POKE and
	 * SET*REGS* to process-memory-write, with process_vm_readv and process_vm_writev */
	{"ptrace-attach", "high", SYSBIT(C2D_SYS_PTRACE), 0},
	{"process-memory-read", "high", SYSBIT(C2D_SYS_PROCESS_VM_READV), 0},
	{"process-memory-write", "high", SYSBIT(C2D_SYS_PROCESS_VM_WRITEV), 0},
	{"mount", "high",
	 SYSBIT(C2D_SYS_MOUNT) | SYSBIT(C2D_SYS_UMOUNT2) | SYSBIT(C2D_SYS_MOVE_MOUNT) |
		 SYSBIT(C2D_SYS_FSMOUNT),
	 0},
	{"root-change", "high", SYSBIT(C2D_SYS_PIVOT_ROOT) | SYSBIT(C2D_SYS_CHROOT), 0},
	/* clone and clone3 are judged at fork on the namespaces the child really got; a fork whose
	 * syscall is not known (compat) reports as "clone" under clone's rule */
	{"namespace-create", "high",
	 SYSBIT(C2D_SYS_UNSHARE) | SYSBIT(C2D_SYS_CLONE) | SYSBIT(C2D_SYS_CLONE3), NS_FLAGS},
	{"namespace-join", "medium", SYSBIT(C2D_SYS_SETNS), 0},
	{"kernel-module", "critical",
	 SYSBIT(C2D_SYS_INIT_MODULE) | SYSBIT(C2D_SYS_FINIT_MODULE) | SYSBIT(C2D_SYS_DELETE_MODULE),
	 0},
	{"bpf-program-load", "high", SYSBIT(C2D_SYS_BPF), 0},
	{"perf-event-open", "low", SYSBIT(C2D_SYS_PERF_EVENT_OPEN), 0},
	{"kexec", "critical", SYSBIT(C2D_SYS_KEXEC_LOAD) | SYSBIT(C2D_SYS_KEXEC_FILE_LOAD), 0},
	{"keyring-access", "low", SYSBIT(C2D_SYS_KEYCTL) | SYSBIT(C2D_SYS_ADD_KEY), 0},
	{"personality-change", "low", SYSBIT(C2D_SYS_PERSONALITY), 0},
	/* a ring's operations bypass the syscall tracepoints: its creation is worth a line */
	{"io-uring-setup", "low", SYSBIT(C2D_SYS_IO_URING_SETUP), 0},
	/* a process making 32-bit syscalls (int $0x80 from a 64-bit one) passes no per-syscall
	 * tracepoint: reported once per process with --watch-compat-syscalls */
	{"compat-syscall", "high", SYSBIT(C2D_SYS_COMPAT), 0},
};

static const char *const meta_defaults[] = {"169.254.169.254", "fd00:ec2::254"};

/* The rules user space alone judges, from a container's OCI spec: a host path bound in outside
 * the runtime's own directories (runtime_mounts.h: a hostPath of `/` or `/etc` is a finding in
 * itself), and a secret in its environment or arguments (exposures.h). */
static void add_spec_rule(struct c2d_policy *p, const char *name, enum c2d_kind kind)
{
	struct c2d_rule *r = &p->rules[p->n++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->severity, sizeof(r->severity), "high");
	r->kind = kind;
	r->enabled = true;
}

void policy_defaults(struct c2d_policy *p)
{
	char err[128];

	memset(p, 0, sizeof(*p));
	p->report_denied_opens = true;
	for (size_t i = 0; i < sizeof(cred_defaults) / sizeof(cred_defaults[0]); i++)
		policy_add_path_rule(p, cred_defaults[i].name, C2D_KIND_CREDENTIAL_READ,
				     cred_defaults[i].pattern, cred_defaults[i].severity, err,
				     sizeof(err));
	for (size_t i = 0; i < sizeof(priv_defaults) / sizeof(priv_defaults[0]); i++) {
		struct c2d_rule *r = &p->rules[p->n++];

		snprintf(r->name, sizeof(r->name), "%s", priv_defaults[i].name);
		snprintf(r->severity, sizeof(r->severity), "%s", priv_defaults[i].severity);
		r->kind = C2D_KIND_PRIVILEGED_CALL;
		r->enabled = true;
		r->sys_mask = priv_defaults[i].sys_mask;
		r->only_mask = priv_defaults[i].only_mask;
	}
	for (size_t i = 0; i < sizeof(meta_defaults) / sizeof(meta_defaults[0]); i++)
		policy_add_metadata_addr(p, "cloud-metadata-endpoint", meta_defaults[i], "high", err,
					 sizeof(err));
	add_spec_rule(p, C2D_RULE_HOST_PATH_MOUNT, C2D_KIND_CONTAINER_MOUNT);
	add_spec_rule(p, C2D_RULE_SECRET_EXPOSURE, C2D_KIND_SECRET_EXPOSURE);
}
