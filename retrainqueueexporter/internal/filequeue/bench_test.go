package filequeue

import (
	"testing"

	"github.com/google/uuid"
)

// BenchmarkPut measures one durable job write (write, fsync, rename, dir fsync).
func BenchmarkPut(b *testing.B) {
	q, err := Open(b.TempDir(), b.N+1)
	if err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 2048)
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := q.Put(ids[i], t0, body); err != nil {
			b.Fatal(err)
		}
	}
}
