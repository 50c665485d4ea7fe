#!/bin/sh
# Builds vigil-nginx:test with `docker import`: the host's Debian nginx
# (nginx-light) with the libraries it links, its mime types and a small
# configuration serving /www on port 8080 as www-data - a real web server
# image, no registry needed.  No shell in it, like a distroless image.
set -eu

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

bin=/usr/sbin/nginx
[ -x "$bin" ] || { echo "nginx-image.sh: $bin missing (scripts/deps.sh installs nginx-light)" >&2; exit 1; }
mkdir -p "$root/usr/sbin" "$root/etc/nginx" "$root/www" "$root/var/log/nginx" "$root/var/lib/nginx" \
	"$root/run" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
cp "$bin" "$root/usr/sbin/nginx"
# the libraries and the loader, at the paths the binary asks for
for lib in $(ldd "$bin" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cp /etc/nginx/mime.types "$root/etc/nginx/"
cat >"$root/etc/nginx/nginx.conf" <<'CONF'
user www-data;
worker_processes 1;
daemon off;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events { worker_connections 256; }
http {
	include mime.types;
	access_log /var/log/nginx/access.log;
	client_body_temp_path /tmp/cb; proxy_temp_path /tmp/px; fastcgi_temp_path /tmp/fc;
	uwsgi_temp_path /tmp/uw; scgi_temp_path /tmp/sc;
	server { listen 8080; root /www; }
}
CONF
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin' >>"$root/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\n' >"$root/etc/group"
for i in 1 2 3 4 5; do echo "<html><body>page $i</body></html>" >"$root/www/p$i.html"; done
cp "$root/www/p1.html" "$root/www/index.html"
tar -C "$root" -c . | docker import -c 'CMD ["/usr/sbin/nginx"]' - vigil-nginx:test >/dev/null
echo "nginx-image.sh: vigil-nginx:test built"
