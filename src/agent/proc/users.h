/*
 * users.h - user names as a container knows them: its own /etc/passwd,
 * parsed once into a table (no file is opened while events are judged).
 * The file is read by the worker thread, inside the container's root
 * (util/safefile.h: no symlink out, no FIFO, no endless file).
 */
#ifndef VIGIL_USERS_H
#define VIGIL_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERS_MAX_BYTES (1 << 20)	/* a larger passwd is not read */
#define USERS_MAX 4096			/* entries kept per container */

struct user_table;

/* Parses passwd text (n bytes, any bytes).  NULL without memory. */
struct user_table *user_table_parse(const char *text, size_t n);
/* Reads root/etc/passwd of a container root directory.  NULL with errno. */
struct user_table *user_table_load(const char *root);
void user_table_free(struct user_table *t);

/* uid's name, or NULL (borrowed). */
const char *user_table_name(const struct user_table *t, uint32_t uid);
size_t user_table_count(const struct user_table *t);

/* Each container's table, by top cgroup (main thread only). */
struct user_store;

struct user_store *user_store_new(void);
void user_store_free(struct user_store *s);
/* Takes t (NULL forgets); frees the table it replaces. */
void user_store_set(struct user_store *s, uint64_t cgid, struct user_table *t);
const struct user_table *user_store_get(const struct user_store *s, uint64_t cgid);
/* Whether the container's users were read through one of its processes. */
bool user_store_live(const struct user_store *s, uint64_t cgid);
void user_store_mark_live(struct user_store *s, uint64_t cgid);

#endif
