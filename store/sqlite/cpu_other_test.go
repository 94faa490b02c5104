//go:build !unix

package sqlite_test

import "time"

// cpuTime is not measured here: the benchmark reports no processor-time rate.
func cpuTime() time.Duration { return 0 }
