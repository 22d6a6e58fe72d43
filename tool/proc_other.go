//go:build !linux

package tool

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts a command in its own process group.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func lockThread() (unlock func()) { return func() {} }

// startWaiter reaps cmd when it exits. Without waitid's WNOWAIT the group
// is killed just after the leader is reaped: a window in which its pid
// could in theory be reused.
func startWaiter(cmd *exec.Cmd) (exited <-chan struct{}, reap func() error) {
	ch := make(chan struct{})
	var err error
	go func() {
		err = cmd.Wait()
		close(ch)
	}()
	return ch, func() error { <-ch; return err }
}
