/*
 * whiteouts: makes an image layer's whiteouts, the 0/0 character devices
 * overlayfs reads as "deleted here", which Node cannot make (no mknod).
 */
#ifndef OVL_WHITEOUTS_H
#define OVL_WHITEOUTS_H

/* `ovl-helper whiteouts DIR`: argv[0] is "whiteouts". 0 when every path
 * read from stdin is made; 1 with one line on stderr otherwise. */
int cmd_whiteouts(int argc, char **argv);

#endif
