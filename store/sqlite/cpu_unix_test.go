//go:build unix

package sqlite_test

import (
	"syscall"
	"time"
)

// cpuTime is the processor time the process has used, user and system, so that a benchmark can
// report a rate that does not depend on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
