// gopprof: the reference for bench/http.sh -- a Go program serving its own
// net/http/pprof on 127.0.0.1:PORT (argv[1]) while one goroutine spins, so
// /debug/pprof/profile?seconds=N latency can be compared side by side with
// cproftop --http serving a C program.
package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

var sink uint64

func spin() {
	for i := uint64(0); ; i++ {
		sink += i * i
	}
}

func main() {
	go spin()
	http.ListenAndServe("127.0.0.1:"+os.Args[1], nil)
}
