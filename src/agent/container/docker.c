/*
 * docker.c - the Docker Engine API backend: names, image, labels of a
 * container, from the engine's unix socket (libcurl).  Runs on the
 * agent's worker thread only.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "container/meta_priv.h"
#include "util/log.h"

static size_t membuf_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct membuf *m = arg;
	size_t n = size * nmemb;
	char *p;

	if (m->len + n > CTR_META_MAX_BYTES)
		return 0;	/* refuse absurd answers */
	p = realloc(m->p, m->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + m->len, data, n);
	m->p = p;
	m->len += n;
	m->p[m->len] = '\0';
	return n;
}

/* GET url over the Docker socket: 0 with the body (caller frees), -ENOENT (no engine), -EAGAIN. */
static int docker_get(struct ctr_meta *m, const char *url, char **body)
{
	struct membuf b = { 0 };
	long status = 0;
	CURLcode rc;

	*body = NULL;
	if (access(m->docker_socket, F_OK))
		return -ENOENT;
	if (!m->curl && !(m->curl = curl_easy_init()))
		return -ENOMEM;
	curl_easy_reset(m->curl);
	curl_easy_setopt(m->curl, CURLOPT_UNIX_SOCKET_PATH, m->docker_socket);
	curl_easy_setopt(m->curl, CURLOPT_URL, url);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT_MS, (long)m->timeout_ms);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_WRITEFUNCTION, membuf_write);
	curl_easy_setopt(m->curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(m->curl);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200) {
		log_debug("docker %s: %s (HTTP %ld)", url, curl_easy_strerror(rc), status);
		free(b.p);
		return -EAGAIN;
	}
	*body = b.p;
	return 0;
}

static void set_str(char **dst, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !*s || *dst)
		return;
	*dst = strdup(s);
}

/* NetworkSettings.Networks: each attachment's IPv4 and IPv6 address and prefix. */
static void docker_nets(json_t *item, struct ctr_info *c)
{
	json_t *nets = json_object_get(json_object_get(item, "NetworkSettings"), "Networks"), *n;
	const char *mode = json_string_value(json_object_get(json_object_get(item, "HostConfig"), "NetworkMode"));
	const char *key, *ip;
	struct ctr_net *cn;

	if (!json_is_object(nets))
		return;
	json_object_foreach(nets, key, n) {
		bool any = false;

		ip = json_string_value(json_object_get(n, "IPAddress"));
		if (ip && *ip && c->n_nets < CTR_MAX_NETS) {
			cn = &c->nets[c->n_nets];
			if (addr_parse16(ip, cn->ip) &&
			    net_make(ip, json_integer_value(json_object_get(n, "IPPrefixLen")), &cn->net)) {
				c->n_nets++;
				any = true;
			}
		}
		ip = json_string_value(json_object_get(n, "GlobalIPv6Address"));
		if (ip && *ip && c->n_nets < CTR_MAX_NETS) {
			cn = &c->nets[c->n_nets];
			if (addr_parse16(ip, cn->ip) &&
			    net_make(ip, json_integer_value(json_object_get(n, "GlobalIPv6PrefixLen")), &cn->net)) {
				c->n_nets++;
				any = true;
			}
		}
		/* "none" and "host" have no address of their own; any other network will */
		if (!any && strcmp(key, "none") && strcmp(key, "host") && (!mode || strcmp(mode, "host")))
			c->nets_pending = 1;
	}
}

/* An answer of GET /containers/json?all=1&filters={"id":[ID]} */
int docker_list_parse(const char *json, struct ctr_info *c)
{
	json_error_t err;
	json_t *root = json_loads(json, 0, &err), *item, *names, *labels;
	const char *name;

	if (!root)
		return -EBADMSG;
	if (!json_is_array(root) || json_array_size(root) < 1 ||
	    !json_is_object(item = json_array_get(root, 0))) {
		json_decref(root);
		return -ENOENT;
	}
	names = json_object_get(item, "Names");
	name = json_string_value(json_array_get(names, 0));
	if (name && !c->name)
		c->name = strdup(name[0] == '/' ? name + 1 : name);
	set_str(&c->image, json_object_get(item, "Image"));
	set_str(&c->image_id, json_object_get(item, "ImageID"));
	docker_nets(item, c);
	labels = json_object_get(item, "Labels");
	if (json_is_object(labels)) {
		/* set by Kubernetes' dockershim / cri-dockerd */
		set_str(&c->pod, json_object_get(labels, "io.kubernetes.pod.name"));
		set_str(&c->k8s_ns, json_object_get(labels, "io.kubernetes.pod.namespace"));
		set_str(&c->k8s_container, json_object_get(labels, "io.kubernetes.container.name"));
		set_str(&c->k8s_pod_uid, json_object_get(labels, "io.kubernetes.pod.uid"));
		set_str(&c->profile_label, json_object_get(labels, "vigil.profile"));
	}
	json_decref(root);
	return 0;
}

/*
 * The list endpoint reads Docker's in-memory view without taking the
 * container's lock, so it answers even while the container is starting
 * (inspect would wait for the start to finish).
 */
static int docker_fill(struct ctr_meta *m, struct ctr_info *c)
{
	char url[256];
	char *body;
	int err;

	if (c->runtime != RT_DOCKER && c->runtime != RT_UNKNOWN)
		return 0;
	snprintf(url, sizeof(url),
		 "http://localhost/containers/json?all=1&filters=%%7B%%22id%%22%%3A%%5B%%22%s%%22%%5D%%7D",
		 c->id);
	err = docker_get(m, url, &body);
	if (err == -ENOENT)
		return 0;	/* no engine here: not Docker's */
	if (err)
		return err;
	err = docker_list_parse(body, c);
	free(body);
	if (err == -ENOENT)
		return 0;	/* the engine does not know it */
	if (err)
		return -EAGAIN;
	if (c->runtime == RT_UNKNOWN)
		c->runtime = RT_DOCKER;
	return 0;
}

const struct ctr_backend ctr_backend_docker = { "docker", docker_fill };
