package tool

import (
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts a command in its own process group and kills it when
// frugal dies (bwrap then takes its whole PID namespace down with it).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// lockThread pins the calling goroutine to its OS thread while a command
// runs: Linux sends Pdeathsig when the thread that forked the child exits,
// not the process, and a pinned thread cannot exit under it.
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}

// startWaiter reports when cmd's process has exited while leaving it
// unreaped (waitid WNOWAIT), so that its process group can be killed
// before its pid is released; reap then collects its status.
func startWaiter(cmd *exec.Cmd) (exited <-chan struct{}, reap func() error) {
	ch := make(chan struct{})
	pid := cmd.Process.Pid
	go func() {
		defer close(ch)
		var info unix.Siginfo
		for {
			if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != unix.EINTR {
				return
			}
		}
	}()
	return ch, cmd.Wait
}
