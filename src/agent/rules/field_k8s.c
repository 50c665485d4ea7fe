/* field_k8s.c - k8s.*: the Kubernetes names of the container, from its runtime (see fields.h). */
#include "rules/field_priv.h"

static bool k8s_ns(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->ctr && fstr(out, fc->ev->ctr->k8s_ns);
}

static bool k8s_pod(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->ctr && fstr(out, fc->ev->ctr->pod);
}

static bool k8s_pod_uid(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->ctr && fstr(out, fc->ev->ctr->k8s_pod_uid);
}

static bool k8s_container(struct field_ctx *fc, const char *arg, struct fval *out)
{
	return fc->ev->ctr && fstr(out, fc->ev->ctr->k8s_container);
}

const struct field_def field_k8s[] = {
	{ "k8s.ns.name", FT_STR, k8s_ns, false },
	{ "k8s.pod.name", FT_STR, k8s_pod, false },
	{ "k8s.pod.uid", FT_STR, k8s_pod_uid, false },
	{ "k8s.container.name", FT_STR, k8s_container, false },
	{ NULL },
};
