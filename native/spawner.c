/*
 * queuectl-spawner: starts a worker's job commands (`/bin/sh -c COMMAND`) for it.
 *
 * A Node process spends ~2 ms of CPU per child in spawn() (the ChildProcess object, its streams,
 * the fork of a large address space); this small process does it with posix_spawn (a vfork-like
 * clone on Linux) and forwards the output as raw frames. The worker keeps everything else: the
 * timers, the signals it sends to a job's process group, the output caps, the marks.
 *
 * Frames, both ways, on the process's stdin (requests) and stdout (events): a 12-byte header in
 * host byte order (type, stream, 2 unused bytes, u32 run id, u32 payload length), then the payload.
 *   worker -> spawner  'R' run: "COMMAND\0DIR\0NAME=value\0..." (the directory to run in, empty for
 *                          this one's; variables added to this environment)
 *                      'D' drop: stop reading the run's pipes (whoever holds them outlived it)
 *   spawner -> worker  'S' started: u32 pid (the leader of the run's new session and group)
 *                      'E' not started: the reason
 *                      'O' output: stream 1 or 2, the bytes as read
 *                      'C' closed: that stream reached its end
 *                      'X' exited: i32 exit code, or signal when stream has bit 1; bit 2: its
 *                          process group still has processes
 * When stdin ends (the worker is gone), the runs still going get SIGTERM, SIGKILL after a grace;
 * the process exits once they are gone. SIGINT and SIGTERM are ignored: the worker decides.
 */
#define _GNU_SOURCE /* POSIX_SPAWN_SETSID in glibc */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HEADER 12
#define READ_CHUNK 65536
#define MAX_REQUEST (64u * 1024 * 1024)
#define KILL_GRACE_MS 2000

struct run {
    uint32_t id;
    pid_t pid;   /* the shell, leader of the run's process group */
    int reaped;  /* the shell exited */
    int fd[2];   /* stdout, stderr; -1 once closed */
};

static struct run *runs;
static size_t run_count, run_cap;
static int sigchld_pipe[2];
static char chunk[READ_CHUNK];
/* The worker closed its end (or cannot be written to): the runs are stopped, nothing is sent. */
static int worker_gone;
static long kill_at;

static void die(const char *what) {
    fprintf(stderr, "queuectl-spawner: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void on_sigchld(int sig) {
    (void)sig;
    int saved = errno;
    ssize_t ignored = write(sigchld_pipe[1], "c", 1);
    (void)ignored;
    errno = saved;
}

static void lose_worker(void);

/* Frames wait here and go out together once per turn of the loop: fewer writes, fewer wake-ups. */
static unsigned char out[2 * READ_CHUNK];
static size_t out_len;

/* Writes what waits; the worker reads continuously, so a full pipe only slows this down. */
static void flush(void) {
    size_t done = 0;
    while (done < out_len && !worker_gone) {
        ssize_t n = write(1, out + done, out_len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            lose_worker();
            break;
        }
        done += (size_t)n;
    }
    out_len = 0;
}

static void send_frame(char type, uint8_t stream, uint32_t id, const void *payload, uint32_t len) {
    if (worker_gone) return;
    if (sizeof out - out_len < HEADER + len) flush();
    unsigned char *header = out + out_len;
    memset(header, 0, HEADER);
    header[0] = (unsigned char)type;
    header[1] = stream;
    memcpy(header + 4, &id, 4);
    memcpy(header + 8, &len, 4);
    if (len > 0) memcpy(header + HEADER, payload, len);
    out_len += HEADER + len;
}

/* pipe2(O_CLOEXEC) where there is none (macOS): this process has one thread, so no fork races it. */
static int cloexec_pipe(int fd[2], int nonblock) {
    if (pipe(fd) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fcntl(fd[i], F_SETFD, FD_CLOEXEC) != 0) return -1;
        if (nonblock && fcntl(fd[i], F_SETFL, O_NONBLOCK) != 0) return -1;
    }
    return 0;
}

static struct run *find_run(uint32_t id) {
    for (size_t i = 0; i < run_count; i++)
        if (runs[i].id == id) return &runs[i];
    return NULL;
}

static void close_stream(struct run *run, int stream) {
    if (run->fd[stream] < 0) return;
    close(run->fd[stream]);
    run->fd[stream] = -1;
}

/* Forgets the runs that exited and whose pipes are closed. */
static void sweep(void) {
    size_t kept = 0;
    for (size_t i = 0; i < run_count; i++)
        if (!runs[i].reaped || runs[i].fd[0] >= 0 || runs[i].fd[1] >= 0) runs[kept++] = runs[i];
    run_count = kept;
}

/* Builds the environment of a run: this one, with `extra` (NAME=value\0..., `len` bytes) on top. */
static char **run_environ(char *extra, size_t len) {
    size_t base = 0, added = 0;
    while (environ[base]) base++;
    for (size_t at = 0; at < len; at += strlen(extra + at) + 1) added++;
    char **env = malloc((base + added + 1) * sizeof *env);
    if (!env) die("out of memory");
    size_t n = 0;
    for (size_t i = 0; i < base; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t name = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int replaced = 0;
        for (size_t at = 0; at < len && !replaced; at += strlen(extra + at) + 1)
            replaced = strncmp(extra + at, environ[i], name) == 0;
        if (!replaced) env[n++] = environ[i];
    }
    for (size_t at = 0; at < len; at += strlen(extra + at) + 1) env[n++] = extra + at;
    env[n] = NULL;
    return env;
}

static void start_run(uint32_t id, char *payload, uint32_t len) {
    char *command = payload;
    size_t command_len = strnlen(payload, len);
    size_t dir_at = command_len + 1;
    if (command_len == len || strnlen(payload + dir_at, len - dir_at) == len - dir_at) {
        send_frame('E', 0, id, "malformed request", 17);
        return;
    }
    const char *dir = payload + dir_at;
    size_t env_at = dir_at + strlen(dir) + 1;
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    if (cloexec_pipe(out, 0) != 0 || cloexec_pipe(err, 0) != 0) {
        const char *why = strerror(errno);
        for (int i = 0; i < 2; i++) {
            if (out[i] >= 0) close(out[i]);
            if (err[i] >= 0) close(err[i]);
        }
        send_frame('E', 0, id, why, (uint32_t)strlen(why));
        return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    /* A directory that cannot be entered fails the spawn with chdir's errno. */
    if (dir[0] != '\0') posix_spawn_file_actions_addchdir_np(&actions, dir);
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
    flags |= POSIX_SPAWN_SETSID; /* its own session and process group, as Node's `detached` */
#else
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
#endif
    posix_spawnattr_setflags(&attr, flags);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    char *argv[] = {"/bin/sh", "-c", command, NULL};
    char **env = run_environ(payload + env_at, len - env_at);
    pid_t pid;
    int failed = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, env);
    free(env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(err[1]);
    if (failed) {
        close(out[0]);
        close(err[0]);
        const char *why = strerror(failed);
        send_frame('E', 0, id, why, (uint32_t)strlen(why));
        return;
    }
    if (run_count == run_cap) {
        run_cap = run_cap ? run_cap * 2 : 16;
        runs = realloc(runs, run_cap * sizeof *runs);
        if (!runs) die("out of memory");
    }
    runs[run_count++] = (struct run){id, pid, 0, {out[0], err[0]}};
    uint32_t wire_pid = (uint32_t)pid;
    send_frame('S', 0, id, &wire_pid, 4);
}

static void reap(void) {
    char drain[64];
    while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < run_count; i++) {
            if (runs[i].pid != pid || runs[i].reaped) continue;
            int32_t value = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
            /* Whether the shell left processes in its group: the worker then stops them. */
            uint8_t left = kill(-pid, 0) == 0 ? 2 : 0;
            send_frame('X', (uint8_t)((WIFSIGNALED(status) ? 1 : 0) | left), runs[i].id, &value, 4);
            runs[i].reaped = 1;
        }
    }
}

static void read_output(struct run *run, int stream) {
    ssize_t n = read(run->fd[stream], chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n > 0) {
        send_frame('O', (uint8_t)(stream + 1), run->id, chunk, (uint32_t)n);
        return;
    }
    close_stream(run, stream);
    send_frame('C', (uint8_t)(stream + 1), run->id, NULL, 0);
}

/* Requests read so far; handled as whole frames arrive. */
static unsigned char *request;
static size_t request_len, request_cap;

/* Reads what the worker sent; returns 0 once it is gone. */
static int read_requests(void) {
    if (request_cap - request_len < READ_CHUNK) {
        request_cap = request_cap ? request_cap * 2 : 4 * READ_CHUNK;
        if (request_cap > MAX_REQUEST + READ_CHUNK) {
            errno = EMSGSIZE;
            die("request too large");
        }
        request = realloc(request, request_cap);
        if (!request) die("out of memory");
    }
    ssize_t n = read(0, request + request_len, request_cap - request_len);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return 0;
    request_len += (size_t)n;
    size_t at = 0;
    while (request_len - at >= HEADER) {
        uint32_t id, len;
        memcpy(&id, request + at + 4, 4);
        memcpy(&len, request + at + 8, 4);
        if (request_len - at - HEADER < len) break;
        char type = (char)request[at];
        char *payload = (char *)request + at + HEADER;
        if (type == 'R') {
            start_run(id, payload, len);
        } else if (type == 'D') {
            struct run *run = find_run(id);
            if (run) {
                close_stream(run, 0);
                close_stream(run, 1);
            }
        }
        at += HEADER + len;
    }
    memmove(request, request + at, request_len - at);
    request_len -= at;
    return 1;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Signals the process group of every run (a shell that exited may have left its group behind). */
static void signal_all(int sig) {
    for (size_t i = 0; i < run_count; i++) kill(-runs[i].pid, sig);
}

static void lose_worker(void) {
    if (worker_gone) return;
    worker_gone = 1;
    signal_all(SIGTERM);
    kill_at = now_ms() + KILL_GRACE_MS;
}

/* After the grace: KILL what is left; pipes still held by a process that left its group are let go. */
static void kill_leftovers(void) {
    signal_all(SIGKILL);
    for (size_t i = 0; i < run_count; i++) {
        if (!runs[i].reaped) continue;
        close_stream(&runs[i], 0);
        close_stream(&runs[i], 1);
    }
    kill_at = now_ms() + KILL_GRACE_MS;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    if (cloexec_pipe(sigchld_pipe, 1) != 0) die("pipe");
    struct sigaction chld = {0};
    chld.sa_handler = on_sigchld;
    chld.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&chld.sa_mask);
    if (sigaction(SIGCHLD, &chld, NULL) != 0) die("sigaction");

    struct pollfd *fds = NULL;
    size_t fds_cap = 0;
    struct {
        uint32_t id;
        int stream;
    } *owner = NULL;
    for (;;) {
        sweep();
        if (worker_gone && run_count == 0) return 0;
        size_t want = 2 + 2 * run_count;
        if (want > fds_cap) {
            fds_cap = want * 2;
            fds = realloc(fds, fds_cap * sizeof *fds);
            owner = realloc(owner, fds_cap * sizeof *owner);
            if (!fds || !owner) die("out of memory");
        }
        size_t n = 0;
        fds[n++] = (struct pollfd){sigchld_pipe[0], POLLIN, 0};
        fds[n++] = (struct pollfd){worker_gone ? -1 : 0, POLLIN, 0};
        for (size_t i = 0; i < run_count; i++) {
            for (int s = 0; s < 2; s++) {
                if (runs[i].fd[s] < 0) continue;
                owner[n].id = runs[i].id;
                owner[n].stream = s;
                fds[n++] = (struct pollfd){runs[i].fd[s], POLLIN, 0};
            }
        }
        flush();
        int timeout = -1;
        if (worker_gone) {
            long left = kill_at - now_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        int ready = poll(fds, n, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (worker_gone && now_ms() >= kill_at) kill_leftovers();
        if (fds[0].revents) reap();
        if (fds[1].revents && !read_requests()) lose_worker();
        for (size_t i = 2; i < n; i++) {
            if (!fds[i].revents) continue;
            struct run *run = find_run(owner[i].id);
            if (run && run->fd[owner[i].stream] == fds[i].fd) read_output(run, owner[i].stream);
        }
    }
}
