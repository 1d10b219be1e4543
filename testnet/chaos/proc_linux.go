package chaos

import "syscall"

// childAttr makes a node process die with the suite (a test binary killed
// by its timeout runs no deferred cleanup).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
