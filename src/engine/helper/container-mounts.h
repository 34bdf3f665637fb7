/*
 * The container's file systems, in the order runc's rootfs_linux.go makes
 * them: the new root, proc, /dev with its standard nodes, devpts, shm,
 * sysfs; then the pivot into it. Every target is resolved inside the new
 * root without following symlinks: the image is untrusted.
 */
#ifndef OVL_CONTAINER_MOUNTS_H
#define OVL_CONTAINER_MOUNTS_H

/* Opens ROOT/REL one component at a time without following any symlink,
 * creating missing directories. Returns an O_PATH fd; fails the child. */
int open_in_root(int rootfd, const char *rel);

/* Mounts everything under ROOT (a mount point of its own afterwards) and
 * returns an O_PATH fd of it. With CONFINE_DEVICES, every writable mount
 * is nodev except the standard device nodes, so that no node the
 * container makes (it keeps CAP_MKNOD, as Docker's do) opens a device. */
int setup_mounts(const char *root, int confine_devices);

/* Makes ROOTFD (ROOT, for messages) the container's / and drops the host's. */
void pivot_into(int rootfd, const char *root);

#endif
