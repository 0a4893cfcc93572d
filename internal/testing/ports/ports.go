// Package ports hands tests loopback TCP ports for servers they start.
package ports // import "github.com/visutility/otelcol-modelmon/internal/testing/ports"

import (
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
)

// Ports handed out lie below Linux's ephemeral range (32768–60999 by
// default): a server is often started well after its port is chosen
// (mid-test, or on the same port after a restart), and in between any
// outgoing connection on the machine could take an ephemeral port as its own.
const (
	low  = 20000
	high = 32000
)

var (
	mu sync.Mutex
	// given keeps a port from being handed out twice in one process.
	given = map[int]bool{}
)

// Free returns a loopback TCP port that was free a moment ago and that no
// other test of this process was given.
func Free(t testing.TB) int {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for range 1000 {
		p := low + rand.IntN(high-low)
		if given[p] {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		_ = l.Close()
		given[p] = true
		return p
	}
	t.Fatal("no free loopback port below the ephemeral range")
	return 0
}
