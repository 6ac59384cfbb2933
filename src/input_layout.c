/* input_layout.c - an OCI image layout directory as an lg_input.
 *
 * Files are opened relative to the layout's directory descriptor with names
 * input.c has checked, and must be regular files.  Nothing outside the
 * layout is ever opened: openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * follows a symlink only while it stays inside the layout (an absolute one,
 * or one that climbs out with "..", is refused).  Where the kernel has no
 * openat2 (Linux < 5.6, some seccomp filters), each component is opened
 * with O_NOFOLLOW instead, so every symlink is refused: stricter, never
 * looser.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "input_backend.h"
#include "util.h"

typedef struct layout {
	lg_input base;
	int root_fd;
} layout;

typedef struct fd_stream {
	lg_stream base;
	int fd;
} fd_stream;

static ssize_t fd_read(lg_stream *s, void *buf, size_t len)
{
	return read(((fd_stream *)s)->fd, buf, len);
}

static void fd_close(lg_stream *s)
{
	close(((fd_stream *)s)->fd);
	free(s);
}

/* File systems on which every change to a file's content changes its
 * ctime, as the local kernel keeps it: write(2), truncation, and a write
 * through a shared mapping (their page_mkwrite updates the times at the
 * first write to each page of a mapping).  Not tmpfs (a mapping writes
 * without), nor FUSE or network file systems (a daemon or a server says
 * what the times are). */
static bool keeps_times(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return false;
	switch ((unsigned long)sf.f_type) {
	case 0xEF53:     /* ext2, ext3, ext4 */
	case 0x58465342: /* XFS */
	case 0x9123683E: /* Btrfs */
	case 0xF2F52010: /* F2FS */
		return true;
	default:
		return false;
	}
}

/* Nobody has the file open for writing, a writable shared mapping
 * included: the kernel refuses a read lease then.  The lease is let go at
 * once (main() ignores SIGIO, which an opener in between would send). */
static bool nobody_writes(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return false;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	return true;
}

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U /* Linux 6.8 */
#endif

static int fd_file_id(lg_stream *s, lg_file_id *id)
{
	int fd = ((fd_stream *)s)->fd;
	struct statx sx;
	if (!keeps_times(fd) ||
	    statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID | STATX_MNT_ID_UNIQUE,
		  &sx) < 0 ||
	    !(sx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)) ||
	    (sx.stx_mask & (STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME)) !=
		    (STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME))
		return -1;
	*id = (lg_file_id){
		.dev = (uint64_t)makedev(sx.stx_dev_major, sx.stx_dev_minor),
		.ino = sx.stx_ino,
		.mnt_id = sx.stx_mnt_id,
		.size = sx.stx_size,
		.mtime_ns = sx.stx_mtime.tv_sec * 1000000000 + sx.stx_mtime.tv_nsec,
		.ctime_ns = sx.stx_ctime.tv_sec * 1000000000 + sx.stx_ctime.tv_nsec,
	};
	return nobody_writes(fd) ? 1 : 0;
}

/* O_NONBLOCK keeps a FIFO planted in the layout from blocking us. */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

static bool no_openat2; /* the kernel said ENOSYS (or a test asked) */

void lg_input_layout_no_openat2(bool on)
{
	no_openat2 = on;
}

/* The fallback: walk name one component at a time, none a symlink. */
static int open_nofollow(int root, const char *name)
{
	int dir = root;
	const char *p = name;
	for (;;) {
		size_t n = strcspn(p, "/");
		char part[256];
		if (n >= sizeof(part)) {
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		bool last = p[n] == '\0';
		int fd = openat(dir, part, (last ? OPEN_FLAGS : O_RDONLY | O_CLOEXEC | O_DIRECTORY) |
					   O_NOFOLLOW);
		struct stat st;
		/* O_DIRECTORY | O_NOFOLLOW on a symlink says ENOTDIR: say ELOOP. */
		if (fd < 0 && errno == ENOTDIR && !last &&
		    fstatat(dir, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			errno = ELOOP;
		if (dir != root)
			close(dir);
		if (fd < 0 || last)
			return fd;
		dir = fd;
		p += n + 1;
	}
	if (dir != root)
		close(dir);
	return -1;
}

/* Open name beneath root; errno says why not (EXDEV, ELOOP: a symlink that
 * leads outside, or any symlink in the fallback). */
static int open_beneath(int root, const char *name)
{
	if (!no_openat2) {
		struct open_how how = {
			.flags = OPEN_FLAGS,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		int fd = (int)syscall(SYS_openat2, root, name, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		no_openat2 = true;
	}
	return open_nofollow(root, name);
}

static int open_error(const char *name, int e, bool *missing, lg_error *err)
{
	*missing = e == ENOENT;
	if (e == EXDEV || e == ELOOP)
		return lg_err(err, "%s: symlink not followed (it leaves the image layout, "
			      "loops, or openat2 is unavailable)", name);
	return lg_err_errno(err, e, "%s", name);
}

static int layout_open_file(lg_input *in, const char *name, lg_stream **out,
			    uint64_t *size, bool *missing, lg_error *err)
{
	layout *l = (layout *)in;
	int fd = open_beneath(l->root_fd, name);
	struct stat st;
	if (fd < 0)
		return open_error(name, errno, missing, err);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lg_err(err, "%s: not a regular file", name);
	}
	fcntl(fd, F_SETFL, 0);
	fd_stream *s = lg_xcalloc(1, sizeof(*s));
	s->base.read = fd_read;
	s->base.close = fd_close;
	s->base.file_id = fd_file_id;
	s->fd = fd;
	*out = &s->base;
	*size = (uint64_t)st.st_size;
	return 0;
}

static void layout_free(lg_input *in)
{
	layout *l = (layout *)in;
	close(l->root_fd);
	free(l);
}

static const lg_input_ops LAYOUT_OPS = {
	.open = layout_open_file,
	.free = layout_free,
};

int lg_input_layout_open(const char *path, int dirfd, lg_input **out,
			 lg_error *err)
{
	(void)err;
	layout *l = lg_xcalloc(1, sizeof(*l));
	l->base.ops = &LAYOUT_OPS;
	l->base.path = lg_xstrdup(path);
	l->base.form = "directory";
	l->root_fd = dirfd;
	*out = &l->base;
	return 0;
}
