package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

import "unsafe"

// unsafeBytes views s as bytes without copying; callers only read them.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
