// Package configfuzz holds the helpers the components' config fuzz tests
// share: decoding fuzzed YAML onto a default config the way the collector
// does, seeding a fuzz target from a config test file, and checking that a
// message quotes none of a config's secrets. Only tests import it.
package configfuzz

import (
	"os"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"
)

// Unmarshal decodes raw onto cfg, a component's default config, as the
// collector's YAML provider and confmap would; it is false when they refuse
// it.
func Unmarshal[T any](raw []byte, cfg T) bool {
	r, err := confmap.NewRetrievedFromYAML(raw)
	if err != nil {
		return false
	}
	conf, err := r.AsConf()
	if err != nil {
		return false
	}
	return conf.Unmarshal(cfg) == nil
}

// AddSeeds adds every component block of the config test file at path as a
// seed of f.
func AddSeeds(f *testing.F, path string) {
	f.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var blocks map[string]any
	if err := yaml.Unmarshal(raw, &blocks); err != nil {
		f.Fatal(err)
	}
	for _, b := range blocks {
		out, err := yaml.Marshal(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
}

// RequireNoSecret fails t when text quotes a secret. Short secrets are
// skipped: they can occur in an error message by chance ("format" is a word
// in it).
func RequireNoSecret(t testing.TB, text string, secrets []configopaque.String) {
	t.Helper()
	for _, s := range secrets {
		if len(s) >= 16 && strings.Contains(text, string(s)) {
			t.Fatalf("error quotes a secret: %s", text)
		}
	}
}
