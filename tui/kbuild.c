/* The kernel builds the Kernels pane asks for (VIEW_BUILD_KERNEL, VIEW_FETCH_KERNEL,
 * VIEW_CANCEL_BUILD): the source directory or version is read on the command line, the
 * engine builds on a thread of its own (engine_kernel_build_async) and its EV_KERNEL_BUILD
 * events go back to the panes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernels.h"
#include "tui/app.h"

/* Every pane that follows builds gets ev; returns the first such pane, -1 none. */
static int tell_panes(struct app *a, const struct engine_event *ev)
{
	int says = -1;
	for (int i = 0; i < view_count; i++)
		if (a->views[i].ops->kernel_build) {
			a->views[i].ops->kernel_build(&a->views[i], ev);
			says = says < 0 ? i : says;
		}
	return says;
}

void app_kernel_build(struct app *a, bool fetch)
{
	char in[4096], path[4096], what[4200], err[4096] = "";
	const char *prompt = fetch ? "kernel.org version to build (6.14.2, 6.14, 6.15-rc3): " :
				     "kernel source directory to build: ";
	if (!cmdline_read(prompt, in, sizeof(in))) {
		app_status(a, true, "no %s given; nothing is built", fetch ? "version" : "directory");
		return;
	}
	const char *home = getenv("HOME");
	if (!fetch && !strncmp(in, "~/", 2) && home)
		snprintf(path, sizeof(path), "%s/%s", home, in + 2);
	else
		snprintf(path, sizeof(path), "%s", in);
	struct kbuild_opts o = { .progress_fd = -1 };
	if (fetch) {
		o.version = path;
		snprintf(what, sizeof(what), "fetching %s from kernel.org and building it", path);
	} else {
		o.source_dir = path;
		snprintf(what, sizeof(what), "building the kernel in %s", path);
	}
	int rc = -ENODEV;
	if (!a->eng)
		snprintf(err, sizeof(err), "the engine could not start, so no kernel builds here; use "
			 "`ktstr kernel build %s%s`", fetch ? "" : "--source ", path);
	else
		rc = engine_kernel_build_async(a->eng, &o, err, sizeof(err));
	/* Started: the panes hear "building WHAT" first; refused: only the end. */
	struct engine_event ev = { .type = EV_KERNEL_BUILD, .rc = rc ? rc : 1, .text = rc ? err : what };
	tell_panes(a, &ev);
	if (!rc)
		app_status(a, false, "%s (x in the Kernels pane cancels)", what);
}

void app_kernel_build_cancel(struct app *a)
{
	if (a->eng && engine_kernel_build_cancel(a->eng))
		app_status(a, false, "cancelling the kernel build...");
	else
		app_status(a, true, "no kernel build is running");
}

void app_kernel_build_event(struct app *a, const struct engine_event *ev)
{
	int says = tell_panes(a, ev);
	if (ev->rc == 1 || says == a->active)
		return;  /* progress stays in the pane; the pane shows the end in full */
	if (!ev->rc)
		app_status(a, false, "built kernel %s", ev->key ? ev->key : "");
	else if (says >= 0)
		app_status(a, true, "the kernel build %s; the %s pane (%c) says why",
			   ev->rc == -ECANCELED ? "was cancelled" : "failed", view_all[says]->title, view_key(says));
	else
		app_status(a, true, "the kernel build failed: %s", ev->text ? ev->text : "");
}
