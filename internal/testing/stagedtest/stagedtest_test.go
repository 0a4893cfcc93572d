package stagedtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		comment  string
		sections map[string]string
	}{
		{"comment only", "size: 4\n", "size: 4\n", map[string]string{}},
		{"sections", "for: 1m\n-- in --\na\nb\n-- out --\nc\n", "for: 1m\n", map[string]string{"in": "a\nb\n", "out": "c\n"}},
		{"not a marker", "-- in\n--x--\n", "-- in\n--x--\n", map[string]string{}},
		{"crlf markers", "-- in --\r\na\r\n", "", map[string]string{"in": "a\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := Parse(tt.in)
			assert.Equal(t, tt.comment, c)
			assert.Equal(t, tt.sections, s)
		})
	}
}

func TestNormalise(t *testing.T) {
	assert.Equal(t, "a\n b", Normalise("\n a  \n b\t\r\n\n"[1:]))
}

func TestStagesInNumericOrder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"0", "1", "2", "10"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n+".test"), []byte("-- in --\n"+n+"\n"), 0o600))
	}
	st := Stages(t, dir)
	require.Len(t, st, 3, "10.test is not reached without 3..9")
	for i, s := range st {
		assert.Equal(t, filepath.Join(dir, []string{"0", "1", "2"}[i]+".test"), s.Path)
	}
	assert.Equal(t, "2\n", st[2].Sections["in"])
}
