/* sink.c - stdout and file outputs (see sink.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/sink.h"
#include "util/log.h"

/*
 * Few, large writes to the file: for an append into a page-cache folio
 * that is not up to date the kernel zeroes the rest of the folio, and with
 * large folios many small appends cost half the agent's time at 150k
 * events/s.  The file is flushed every FILE_FLUSH_MS instead.
 */
#define OUT_BUF_BYTES (1 << 20)
#define FILE_FLUSH_MS 100
#define ERROR_REPORT_MS 10000

static void file_error(struct sink_file *sf, uint64_t now_ms)
{
	int err = errno;

	sf->lost += sf->pending;
	sf->pending = 0;
	clearerr(sf->f);
	if (sf->last_errno == err && now_ms - sf->last_report_ms < ERROR_REPORT_MS)
		return;
	sf->last_errno = err;
	sf->last_report_ms = now_ms;
	log_warnx("writing %s: %s: %llu event(s) lost so far", sf->name, strerror(err),
		  (unsigned long long)sf->lost);
}

static void file_flush(struct sink_file *sf, uint64_t now_ms)
{
	if (!sf->f)
		return;
	if (fflush(sf->f) == EOF || ferror(sf->f)) {
		file_error(sf, now_ms);
		return;
	}
	sf->pending = 0;
	if (sf->last_errno) {
		log_warnx("writing %s works again (%llu event(s) lost)", sf->name, (unsigned long long)sf->lost);
		sf->last_errno = 0;
	}
}

int sinks_open(struct sinks *s, enum output_mode mode, const char *file)
{
	int fd, err;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->out.f = stdout;
	s->out.name = "stdout";
	/* glibc ignores the size unless given the buffer */
	s->out.buf = malloc(OUT_BUF_BYTES);
	if (s->out.buf)
		setvbuf(stdout, s->out.buf, _IOFBF, OUT_BUF_BYTES);
	if (!file)
		return 0;
	/* events name users' files and commands: readable by root only */
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(s->file.f = fdopen(fd, "a"))) {
		err = -errno;
		log_warn("%s", file);
		if (fd >= 0)
			close(fd);
		return err;
	}
	s->file.name = file;
	s->file.buf = malloc(OUT_BUF_BYTES);
	if (s->file.buf)
		setvbuf(s->file.f, s->file.buf, _IOFBF, OUT_BUF_BYTES);
	return 0;
}

void sinks_close(struct sinks *s)
{
	sinks_tick(s, UINT64_MAX / 2, true);
	if (s->file.f)
		fclose(s->file.f);
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* before its buffer is freed */
	free(s->out.buf);
	free(s->file.buf);
	memset(s, 0, sizeof(*s));
}

static void put_line(struct sink_file *sf, const char *p, size_t len)
{
	if (fwrite(p, 1, len, sf->f) != len || putc('\n', sf->f) == EOF) {
		sf->pending++;
		file_error(sf, 0);
		return;
	}
	sf->pending++;
}

void sink_json(struct sinks *s, const char *doc, size_t len)
{
	if (s->mode == OUTPUT_JSON)
		put_line(&s->out, doc, len);
	if (s->file.f)
		put_line(&s->file, doc, len);
}

void sink_text(struct sinks *s, const char *line, size_t len)
{
	if (s->mode == OUTPUT_TEXT)
		put_line(&s->out, line, len);
}

void sinks_tick(struct sinks *s, uint64_t now_ms, bool force)
{
	file_flush(&s->out, now_ms);
	if (force || now_ms - s->last_flush_ms >= FILE_FLUSH_MS) {
		file_flush(&s->file, now_ms);
		s->last_flush_ms = now_ms;
	}
}

uint64_t sinks_lost(const struct sinks *s)
{
	return s->out.lost + s->file.lost;
}
