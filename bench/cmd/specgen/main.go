// Command specgen writes a synthetic spec set for the generator benchmark,
// so the same specs can be fed to reftaskgen by hand:
//
//	go run ./cmd/specgen -n 1000 -dir /tmp/specs1000
//	go run github.com/reftask/reftask/cmd/reftaskgen -specs /tmp/specs1000 -out /tmp/out/reftasks_gen.go
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/reftask/reftask/bench/internal/specgen"
)

func main() {
	n := flag.Int("n", 1000, "number of specs")
	dir := flag.String("dir", "specs", "folder to write them into")
	flag.Parse()
	if err := specgen.Write(*dir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d specs to %s\n", *n, *dir)
}
