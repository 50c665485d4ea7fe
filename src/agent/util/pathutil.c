/* pathutil.c - lexical path joining (see pathutil.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/pathutil.h"

/* Appends the components of s[0..n) to out[0..*len), resolving . and .. */
static int add_components(const char *s, size_t n, char *out, size_t outlen, size_t *len)
{
	size_t i = 0, start, clen;

	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		start = i;
		while (i < n && s[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && s[start] == '.'))
			continue;
		if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
			while (*len > 0 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 0)
				(*len)--;	/* the '/' before it */
			continue;
		}
		if (*len + 1 + clen + 1 > outlen)
			return -ENAMETOOLONG;
		out[(*len)++] = '/';
		memcpy(out + *len, s + start, clen);
		*len += clen;
	}
	return 0;
}

int path_join(const char *dir, size_t dlen, const char *path, size_t plen,
	      char *out, size_t outlen)
{
	size_t len = 0;
	int err = 0;

	if (outlen < 2)
		return -ENAMETOOLONG;
	if (!(plen > 0 && path[0] == '/') && dir)
		err = add_components(dir, dlen, out, outlen, &len);
	if (!err && path)
		err = add_components(path, plen, out, outlen, &len);
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return err ? err : (int)len;
}

/* Does path start with /proc/self/root, /proc/thread-self/root or /proc/<pid>/root? */
static size_t self_root_prefix(const char *p, size_t n, uint32_t vpid)
{
	static const char *const fixed[] = { "/proc/self/root", "/proc/thread-self/root" };
	char pid[40];
	size_t i, k;

	for (i = 0; i < 2; i++) {
		k = strlen(fixed[i]);
		if (n >= k && !memcmp(p, fixed[i], k) && (n == k || p[k] == '/'))
			return k;
	}
	if (!vpid)
		return 0;
	k = (size_t)snprintf(pid, sizeof(pid), "/proc/%u/root", vpid);
	if (n >= k && !memcmp(p, pid, k) && (n == k || p[k] == '/'))
		return k;
	return 0;
}

int path_canonical(const char *dir, size_t dlen, const char *path, size_t plen, uint32_t vpid, char *out,
		   size_t outlen)
{
	int n = path_join(dir, dlen, path, plen, out, outlen), i;
	size_t k;

	/* a link back to the process's own root, again and again: drop each */
	for (i = 0; n > 0 && i < 8 && (k = self_root_prefix(out, n, vpid)); i++) {
		memmove(out, out + k, n - k + 1);
		n -= k;
		if (!n) {
			out[0] = '/';
			out[1] = '\0';
			n = 1;
		}
	}
	return n;
}
