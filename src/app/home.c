/* home.c: find the folder with the project's Lua files, labs, quizzes and
 * datasets. A binary in the build tree uses the source tree, so that edits
 * to lua/ take effect without `make install`; an installed one uses
 * $(pkgdatadir); LLMLAB_HOME overrides both. */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app.h"

static char home[PATH_MAX];

static int exe_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    if (!realpath(exe, out)) return -1;
    (void)n;
    return 0;
}

const char *app_home(void)
{
    if (home[0]) return home;
    const char *env = getenv("LLMLAB_HOME");
    if (env && *env) {
        snprintf(home, sizeof home, "%s", env);
        return home;
    }
    char dir[PATH_MAX], build[PATH_MAX];
    if (exe_dir(dir, sizeof dir) == 0 && realpath(LLMLAB_BUILDDIR, build) && strcmp(dir, build) == 0) {
        snprintf(home, sizeof home, "%s", LLMLAB_SRCDIR);
        return home;
    }
    snprintf(home, sizeof home, "%s", LLMLAB_PKGDATADIR);
    return home;
}
