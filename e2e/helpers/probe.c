/* Security probe for the runtime e2e tests (built static: plain libc only).
 * Tries what a confined container must not be able to do and prints one
 * line per attempt: "probe NAME: allowed" or "probe NAME: denied (errno text)".
 * Nothing it does harms the host when allowed: the sysrq trigger is only
 * opened, kcore only read for 4 bytes, the tmpfs and namespaces are its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, int ok, int err) {
        if (ok) printf("probe %s: allowed\n", name);
        else printf("probe %s: denied (%s)\n", name, strerror(err));
        fflush(stdout);
}

int main(void) {
        int r;
        /* become uid 0 */
        r = setuid(0);
        report("setuid0", r == 0 && getuid() == 0, errno);
        /* mount a tmpfs */
        mkdir("/tmp/probe-mnt", 0700);
        r = mount("tmpfs", "/tmp/probe-mnt", "tmpfs", 0, "size=1m");
        report("mount", r == 0, errno);
        if (r == 0) umount2("/tmp/probe-mnt", MNT_DETACH);
        /* new namespaces, in a child so the probe itself is unchanged */
        pid_t c = fork();
        if (c == 0) _exit(unshare(CLONE_NEWNS | CLONE_NEWUTS) == 0 ? 0 : errno);
        int st = 0;
        waitpid(c, &st, 0);
        report("unshare", WIFEXITED(st) && WEXITSTATUS(st) == 0, WEXITSTATUS(st));
        /* kernel keyring */
        long k = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        report("keyctl", k >= 0, errno);
        /* ptrace a child */
        c = fork();
        if (c == 0) {
                pause();
                _exit(0);
        }
        r = (int)ptrace(PTRACE_ATTACH, c, 0, 0);
        int perr = errno;
        kill(c, SIGKILL);
        waitpid(c, &st, 0);
        report("ptrace", r == 0, perr);
        /* the sysrq trigger: opened for writing, never written */
        int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
        report("sysrq-trigger", fd >= 0, errno);
        if (fd >= 0) close(fd);
        /* kernel memory */
        fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
        char buf[4];
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        int kerr = fd < 0 ? errno : n == 0 ? EPERM : errno;
        report("kcore", n == 4, kerr);
        if (fd >= 0) close(fd);
        /* raw socket */
        fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
        report("raw-socket", fd >= 0, errno);
        if (fd >= 0) close(fd);
        /* write to a read-only /proc/sys */
        fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
        report("proc-sys-write", fd >= 0, errno);
        if (fd >= 0) close(fd);
        return 0;
}
