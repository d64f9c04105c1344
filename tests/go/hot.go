// The Go workload of tests/go/go.sh: the main goroutine spends its CPU in
// hotA and hotB (about 55 and 45 %) under main.worker for SECONDS seconds while the program records its own
// runtime/pprof CPU profile into PROFILE: the reference cproftop's profile
// of the same seconds is compared with. It writes its pid to PIDFILE.
//
//	hot PROFILE PIDFILE SECONDS
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var sink int

//go:noinline
func hotA(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

//go:noinline
func hotB(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s ^= i * 31 % 11
	}
	return s
}

//go:noinline
func worker(d time.Duration) int {
	end := time.Now().Add(d)
	s := 0
	for time.Now().Before(end) {
		s += hotA(300000)
		s += hotA(300000)
		s += hotB(400000)
	}
	return s
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: hot PROFILE PIDFILE SECONDS")
		os.Exit(2)
	}
	secs, err := strconv.ParseFloat(os.Args[3], 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.WriteFile(os.Args[2], []byte(strconv.Itoa(os.Getpid())), 0o644)
	// 500 Hz rather than 100: enough samples for a 5-point comparison
	// (StartCPUProfile then warns that the rate is already set).
	runtime.SetCPUProfileRate(500)
	pprof.StartCPUProfile(f)
	sink = worker(time.Duration(secs * float64(time.Second)))
	pprof.StopCPUProfile()
	f.Close()
}
