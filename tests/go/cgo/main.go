// The cgo workload of tests/go/go.sh: main.worker alternates between C
// (cspin, on the thread's g0 stack, reached through runtime.asmcgocall)
// and Go (goWork) for SECONDS seconds (argv[1]).
package main

/*
#include <stdint.h>
static uint64_t cspin(uint64_t n) {
	uint64_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += i * i % 7;
	return s;
}
*/
import "C"

import (
	"os"
	"strconv"
	"time"
)

var sink uint64

//go:noinline
func goWork(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 5
	}
	return s
}

//go:noinline
func worker(d time.Duration) uint64 {
	end := time.Now().Add(d)
	var s uint64
	for time.Now().Before(end) {
		s += uint64(C.cspin(3000000))
		s += uint64(goWork(3000000))
	}
	return s
}

func main() {
	secs, _ := strconv.ParseFloat(os.Args[1], 64)
	sink = worker(time.Duration(secs * float64(time.Second)))
}
