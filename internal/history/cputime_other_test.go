//go:build !unix

package history_test

import "time"

// cpuTime is not read here: the benchmarks report 0 processor seconds.
func cpuTime() time.Duration { return 0 }
