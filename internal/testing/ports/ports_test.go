package ports

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFreeNeverRepeatsAndBinds(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := Free(t)
		assert.False(t, seen[p])
		seen[p] = true
		assert.GreaterOrEqual(t, p, low)
		assert.Less(t, p, high)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		require.NoError(t, err)
		_ = l.Close()
	}
}
