/*
 * ovl-helper rmtree PATH...: removes each PATH and everything below it, in
 * order, and stops at the first that fails.
 *
 * A container can make a tree deeper than any path may be long (a shell
 * loop of `mkdir d && cd d`); a path-based rm (Node's rmSync) then fails
 * with ENAMETOOLONG, or overflows its stack, and the container's name stays
 * taken. So this works only from directory descriptors (openat, unlinkat):
 * no path is ever longer than one name. It is iterative, with the stack of
 * names on the heap, and keeps at most FD_WINDOW descriptors open: deeper
 * ancestors are closed on the way down and reopened through ".." on the way
 * up, checked by device and inode, so a depth of a million costs memory,
 * not descriptors or stack.
 *
 * It never follows a symlink (a symlink is removed itself) and never goes
 * below a mount: a directory on another mount (by st_dev and mount id)
 * stops it with one line, so that nothing of a host directory mounted there
 * can be deleted. Every failure is one line on stderr and exit status 1.
 */
#define _GNU_SOURCE
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { FD_WINDOW = 32, EXIT_FAILED = 1 };

struct ident {
  uint32_t dev_major, dev_minor;
  uint64_t ino, mnt_id;
  int has_mnt_id, mount_root;
};

/* One directory on the way down. */
struct level {
  struct ident id;
  char *name;   /* its name in the parent's directory */
  char **dirs;  /* its subdirectories still to remove */
  size_t ndirs, next;
  int fd;       /* -1 once it fell out of the window */
};

static const char *top_path;
static struct level *levels;
static size_t depth, capacity;

/* Appends S with control characters, DEL and backslash as \ooo (as
 * mountinfo does), so that a hostile name cannot break the line. */
static void append_escaped(char *buf, size_t size, const char *s) {
  size_t used = strlen(buf);
  for (; *s && used + 5 < size; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f || c == '\\') used += (size_t)snprintf(buf + used, size - used, "\\%03o", c);
    else buf[used++] = (char)c, buf[used] = 0;
  }
}

/* Where the failure is: PATH/a/b/leaf, or for a deep tree
 * PATH/a/b/.../y/z/leaf (depth N), so that the line stays short. */
static void describe(char *buf, size_t size, const char *leaf) {
  enum { HEAD = 3, TAIL = 3 };
  buf[0] = 0;
  append_escaped(buf, size, top_path);
  for (size_t i = 1; i < depth; i++) {
    if (depth - 1 > HEAD + TAIL && i == HEAD + 1) {
      append_escaped(buf, size, "/...");
      i = depth - 1 - TAIL;
      continue;
    }
    append_escaped(buf, size, "/");
    append_escaped(buf, size, levels[i].name);
  }
  if (leaf) {
    append_escaped(buf, size, "/");
    append_escaped(buf, size, leaf);
  }
  if (depth - 1 > HEAD + TAIL) {
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, " (depth %zu)", depth - 1 + (leaf != NULL));
  }
}

static int fail(const char *what, const char *leaf, int err) {
  char where[1024];
  describe(where, sizeof where, leaf);
  fprintf(stderr, "%s %s: %s\n", what, where, strerror(err));
  return EXIT_FAILED;
}

static int refuse_mount(const char *leaf) {
  char where[1024];
  describe(where, sizeof where, leaf);
  fprintf(stderr, "%s is on another mount: nothing below it was removed (unmount it first)\n", where);
  return EXIT_FAILED;
}

static int identify(int dirfd, const char *name, int flags, struct ident *id) {
  struct statx sx;
  if (statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID, &sx) != 0)
    return -1;
  *id = (struct ident){
      .dev_major = sx.stx_dev_major,
      .dev_minor = sx.stx_dev_minor,
      .ino = sx.stx_ino,
      .mnt_id = sx.stx_mnt_id,
      .has_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0,
      .mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT),
  };
  return 0;
}

/* Same file system and same mount (a bind mount of the same file system
 * has the same st_dev: the mount id tells them apart). */
static int same_mount(const struct ident *a, const struct ident *b) {
  if (a->dev_major != b->dev_major || a->dev_minor != b->dev_minor) return 0;
  return !(a->has_mnt_id && b->has_mnt_id && a->mnt_id != b->mnt_id);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return p;
  size_t n = *cap ? *cap * 2 : 16;
  while (n < need) n *= 2;
  void *q = realloc(p, n * elem);
  if (!q) {
    fputs("rmtree: out of memory\n", stderr);
    exit(EXIT_FAILED);
  }
  *cap = n;
  return q;
}

/* Reads the whole directory first (removing entries while readdir is under
 * way may skip others), then removes its non-directories and keeps its
 * subdirectories for later. */
static int scan(struct level *l) {
  int fd = openat(l->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (!d) {
    int err = errno;
    if (fd >= 0) close(fd);
    return fail("cannot read", NULL, err);
  }
  char **names = NULL;
  unsigned char *types = NULL;
  size_t n = 0, cap_names = 0, cap_types = 0;
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names = grow(names, &cap_names, n + 1, sizeof *names);
    types = grow(types, &cap_types, n + 1, sizeof *types);
    names[n] = strdup(e->d_name);
    if (!names[n]) return fail("out of memory reading", NULL, ENOMEM);
    types[n++] = e->d_type;
  }
  int read_err = errno;
  closedir(d);
  if (read_err) return fail("cannot read", NULL, read_err);

  size_t cap_dirs = 0;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char type = types[i];
    if (rc == 0 && type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(l->fd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) type = DT_REG; /* let unlink say */
      else type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (rc == 0 && type != DT_DIR && unlinkat(l->fd, names[i], 0) != 0) {
      if (errno == EISDIR) type = DT_DIR; /* replaced by a directory meanwhile */
      else if (errno != ENOENT) rc = fail("cannot remove", names[i], errno);
    }
    if (rc == 0 && type == DT_DIR) {
      l->dirs = grow(l->dirs, &cap_dirs, l->ndirs + 1, sizeof *l->dirs);
      l->dirs[l->ndirs++] = names[i];
    } else {
      free(names[i]);
    }
  }
  free(names);
  free(types);
  return rc;
}

/* Opens subdirectory NAME of the deepest level and makes it the deepest. */
static int descend(char *name) {
  struct level *parent = &levels[depth - 1];
  int fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    int rc = 0;
    if (err == ELOOP || err == ENOTDIR) { /* replaced by a symlink or a file meanwhile */
      if (unlinkat(parent->fd, name, 0) != 0 && errno != ENOENT) rc = fail("cannot remove", name, errno);
    } else if (err != ENOENT) {
      rc = fail("cannot open", name, err);
    }
    free(name);
    return rc;
  }
  struct ident id;
  if (identify(fd, "", AT_EMPTY_PATH, &id) != 0) {
    int err = errno;
    close(fd);
    int rc = fail("cannot stat", name, err);
    free(name);
    return rc;
  }
  if (!same_mount(&id, &levels[0].id) || id.mount_root) {
    close(fd);
    int rc = refuse_mount(name);
    free(name);
    return rc;
  }
  levels = grow(levels, &capacity, depth + 1, sizeof *levels);
  levels[depth++] = (struct level){.id = id, .name = name, .fd = fd};
  if (depth > FD_WINDOW) {
    struct level *old = &levels[depth - 1 - FD_WINDOW];
    if (old->fd >= 0) close(old->fd), old->fd = -1;
  }
  return scan(&levels[depth - 1]);
}

/* The deepest level is empty now: remove it from its parent. */
static int ascend(void) {
  struct level *l = &levels[depth - 1];
  struct level *parent = &levels[depth - 2];
  if (parent->fd < 0) {
    int fd = openat(l->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct ident id;
    if (fd < 0 || identify(fd, "", AT_EMPTY_PATH, &id) != 0) return fail("cannot reopen the parent of", NULL, errno);
    if (id.ino != parent->id.ino || !same_mount(&id, &parent->id)) {
      close(fd);
      return fail("was moved while being removed:", NULL, ESTALE);
    }
    parent->fd = fd;
  }
  close(l->fd);
  free(l->dirs);
  depth--;
  int rc = 0;
  if (unlinkat(parent->fd, l->name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    rc = fail("cannot remove", l->name, errno);
  free(l->name);
  return rc;
}

static int remove_tree(int parent_fd, const char *base) {
  struct ident parent_id;
  if (identify(parent_fd, "", AT_EMPTY_PATH, &parent_id) != 0) return fail("cannot stat the parent of", NULL, errno);
  int fd = openat(parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return 0;
    if (errno != ELOOP && errno != ENOTDIR) return fail("cannot open", NULL, errno);
    /* Not a directory (a symlink is not followed): remove it itself. */
    if (unlinkat(parent_fd, base, 0) != 0 && errno != ENOENT) return fail("cannot remove", NULL, errno);
    return 0;
  }
  levels = grow(levels, &capacity, 1, sizeof *levels);
  levels[0] = (struct level){.fd = fd};
  depth = 1;
  if (identify(fd, "", AT_EMPTY_PATH, &levels[0].id) != 0) return fail("cannot stat", NULL, errno);
  if (!same_mount(&levels[0].id, &parent_id) || levels[0].id.mount_root) return refuse_mount(NULL);
  int rc = scan(&levels[0]);
  while (rc == 0) {
    struct level *l = &levels[depth - 1];
    if (l->next < l->ndirs) {
      char *name = l->dirs[l->next];
      l->dirs[l->next++] = NULL;
      rc = descend(name);
    } else if (depth > 1) {
      rc = ascend();
    } else {
      break;
    }
  }
  if (rc != 0) return rc;
  close(levels[0].fd);
  free(levels[0].dirs);
  if (unlinkat(parent_fd, base, AT_REMOVEDIR) != 0 && errno != ENOENT) return fail("cannot remove", NULL, errno);
  return 0;
}

/* Removes one PATH; 0 if it is gone (or never was). */
static int rmtree_one(const char *path) {
  top_path = path;
  depth = 0;
  char *copy = strdup(path);
  if (!copy) return fail("out of memory for", NULL, ENOMEM);
  size_t len = strlen(copy);
  while (len > 1 && copy[len - 1] == '/') copy[--len] = 0;
  char *slash = strrchr(copy, '/');
  const char *base = slash ? slash + 1 : copy;
  const char *parent = slash == copy ? "/" : slash ? copy : ".";
  if (slash) *slash = 0;
  if (*base == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
    fprintf(stderr, "rmtree: refusing to remove %s\n", path);
    free(copy);
    return EXIT_FAILED;
  }
  int parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent_fd < 0) {
    int rc = errno == ENOENT ? 0 : fail("cannot open the parent of", NULL, errno);
    free(copy);
    return rc;
  }
  int rc = remove_tree(parent_fd, base);
  close(parent_fd);
  free(copy);
  return rc;
}

int cmd_rmtree(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: ovl-helper rmtree PATH...\n", stderr);
    return 2;
  }
  for (int i = 1; i < argc; i++)
    if (rmtree_one(argv[i]) != 0) return EXIT_FAILED;
  return 0;
}
