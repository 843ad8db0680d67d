/* The snapshot store beside a kernel entry (engine/kernel/snapshot.h): what changes the
 * key, publish by rename under the writer lock, a second writer refused, stats, removal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/snapshot.h"
#include "tests/unit/tenv.h"

static char dir[256];
static struct kernel_entry ke;

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-snap");
	memset(&ke, 0, sizeof(ke));
	snprintf(ke.key, sizeof(ke.key), "k1");
	snprintf(ke.dir, sizeof(ke.dir), "%s/k1", dir);
	snprintf(ke.image, sizeof(ke.image), "%s/k1/bzImage", dir);
	snprintf(ke.created_iso, sizeof(ke.created_iso), "2026-12-04T10:00:00Z");
	cr_assert_eq(fs_mkdir_p(ke.dir, 0755), 0);
	cr_assert_eq(fs_write_atomic(ke.image, "image", 5, 0644), 0);
}

TestSuite(snapshot, .init = setup);

static void key(const struct kernel_entry *e, const char *machine, const char *qemu, char *out)
{
	struct snap_slot s;
	char err[256];
	cr_assert_eq(snap_locate(e, machine, qemu, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(strlen(s.key), 32);
	strcpy(out, s.key);
}

Test(snapshot, key_follows_machine_entry_and_qemu)
{
	char a[40], b[40];
	key(&ke, "-smp\n2\n", "7.2", a);
	key(&ke, "-smp\n2\n", "7.2", b);
	cr_assert_str_eq(a, b, "the same machine has one key");
	key(&ke, "-smp\n4\n", "7.2", b);
	cr_assert_str_neq(a, b, "topology");
	key(&ke, "-smp\n2\n", "8.0", b);
	cr_assert_str_neq(a, b, "QEMU version");
	struct kernel_entry e2 = ke;
	snprintf(e2.created_iso, sizeof(e2.created_iso), "2026-12-05T10:00:00Z");
	key(&e2, "-smp\n2\n", "7.2", b);
	cr_assert_str_neq(a, b, "a re-created entry");
	/* A new image under the same key (another inode). */
	cr_assert_eq(unlink(ke.image), 0);
	cr_assert_eq(fs_write_atomic(ke.image, "image2", 6, 0644), 0);
	key(&ke, "-smp\n2\n", "7.2", b);
	cr_assert_str_neq(a, b, "a new image");
}

Test(snapshot, not_an_entry)
{
	struct kernel_entry e = { 0 };
	struct snap_slot s;
	char err[256];
	cr_assert_eq(snap_locate(&e, "m", "q", &s, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "not a cache entry"), "%s", err);
}

Test(snapshot, publish_stats_and_remove)
{
	struct snap_slot s, s2;
	char err[256], p[4400];
	cr_assert_eq(snap_locate(&ke, "m", "q", &s, err, sizeof(err)), 0);
	s2 = s;
	cr_assert_not(snap_exists(&s));
	cr_assert_eq(snap_begin_write(&s), 0);
	/* A second writer of the same machine does not wait and does not write. */
	s2.lock_fd = -1;
	cr_assert_eq(snap_begin_write(&s2), -EBUSY);
	snprintf(p, sizeof(p), "%s/state", s.tmp);
	cr_assert_eq(fs_write_atomic(p, "dev", 3, 0644), 0);
	cr_assert_not(snap_exists(&s), "nothing is visible before the rename");
	cr_assert_eq(snap_commit(&s, "{}\n"), 0);
	cr_assert(snap_exists(&s));
	cr_assert_neq(access(s.tmp, F_OK), 0, "the temp directory is gone");
	int n;
	uint64_t bytes, apparent;
	snap_stats(ke.dir, &n, &bytes, &apparent);
	cr_assert_eq(n, 1);
	cr_assert_gt(bytes, 0);
	/* Published meanwhile: a late writer backs off. */
	s2.lock_fd = -1;
	cr_assert_eq(snap_begin_write(&s2), -EEXIST);
	snap_remove(&s);
	cr_assert_not(snap_exists(&s));
	cr_assert_eq(snap_begin_write(&s), 0);
	snap_abort(&s);
	cr_assert_neq(access(s.tmp, F_OK), 0, "abort removes the temp directory");
	cr_assert_eq(snap_remove_all(ke.dir), 0);
	snap_stats(ke.dir, &n, &bytes, &apparent);
	cr_assert_eq(n, 0);
}

/* A kernel given by path: its snapshots go under <cache>/path-kernels, never beside the
 * user's file, and the key follows the file (which one, and a rebuild of it). */
Test(snapshot, a_kernel_by_path_keeps_its_snapshots_in_the_cache)
{
	char cache[300], img[300], err[256];
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("KTSTR_CACHE_DIR", cache, 1);
	snprintf(img, sizeof(img), "%s/tree/bzImage", dir);
	char tree[300];
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	cr_assert_eq(fs_mkdir_p(tree, 0755), 0);
	cr_assert_eq(fs_write_atomic(img, "image", 5, 0644), 0);
	struct kernel_entry e = { 0 };
	snprintf(e.key, sizeof(e.key), "path:7.2.0");
	snprintf(e.source, sizeof(e.source), "path");
	snprintf(e.dir, sizeof(e.dir), "%s", img);
	snprintf(e.image, sizeof(e.image), "%s", img);
	struct snap_slot s;
	cr_assert_eq(snap_locate(&e, "m", "q", &s, err, sizeof(err)), 0, "%s", err);
	char want[400];
	snprintf(want, sizeof(want), "%s/" SNAP_PATH_HOME "/" SNAP_DIR "/%s", cache, s.key);
	cr_assert_str_eq(s.dir, want);
	char a[40];
	strcpy(a, s.key);
	/* A rebuild of the same file is another machine. */
	cr_assert_eq(unlink(img), 0);
	cr_assert_eq(fs_write_atomic(img, "image2", 6, 0644), 0);
	cr_assert_eq(snap_locate(&e, "m", "q", &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_neq(a, s.key, "a rebuilt image");
	unsetenv("KTSTR_CACHE_DIR");
}

/* snap_prune keeps the newest (by their state's time), and ignores writers' files. */
Test(snapshot, prune_keeps_the_newest)
{
	char home[300], p[600];
	snprintf(home, sizeof(home), "%s/home", dir);
	cr_assert_eq(snap_prune(home, 4), 0, "no snapshots directory");
	snprintf(p, sizeof(p), "%s/" SNAP_DIR, home);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	cr_assert_eq(snap_prune(home, 4), 0, "an empty one");
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "%s/" SNAP_DIR "/k%d", home, i);
		cr_assert_eq(fs_mkdir_p(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/" SNAP_DIR "/k%d/state", home, i);
		cr_assert_eq(fs_write_atomic(p, "s", 1, 0644), 0);
		struct timespec t[2] = { { 1000 + i, 0 }, { 1000 + i, 0 } };
		cr_assert_eq(utimensat(AT_FDCWD, p, t, 0), 0);
	}
	snprintf(p, sizeof(p), "%s/" SNAP_DIR "/k9.tmp.123", home);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	/* k1 used just now: it stays. */
	struct snap_slot s = { 0 };
	snprintf(s.state, sizeof(s.state), "%s/" SNAP_DIR "/k1/state", home);
	snap_touch(&s);
	cr_assert_eq(snap_prune(home, 4), 2);
	const char *kept[] = { "k1", "k3", "k4", "k5", "k9.tmp.123" }, *gone[] = { "k0", "k2" };
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/" SNAP_DIR "/%s", home, kept[i]);
		cr_assert_eq(access(p, F_OK), 0, "%s kept", kept[i]);
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/" SNAP_DIR "/%s", home, gone[i]);
		cr_assert_neq(access(p, F_OK), 0, "%s removed", gone[i]);
	}
}
