package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// gatewayConfigFromManifest returns the collector config the gateway
// StatefulSet mounts, as deploy/kubernetes ships it.
func gatewayConfigFromManifest(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "kubernetes", "gateway-config.yaml"))
	require.NoError(t, err)
	var cm struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cm))
	require.Equal(t, "ConfigMap", cm.Kind)
	cfg, ok := cm.Data["config.yaml"]
	require.True(t, ok, "the ConfigMap has a config.yaml")
	return cfg
}

// validateConfig runs `otelcol-modelmon validate` with the environment the
// gateway pods give the collector.
func validateConfig(t *testing.T, cfg string) ([]byte, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	cmd := exec.Command(distroPath, "validate", "--config", path)
	cmd.Env = append(cmd.Environ(),
		"POD_NAME=otelcol-modelmon-0", "POD_IP=127.0.0.1", "REDIS_PASSWORD=example-secret-value",
		"MODELMON_ALERTMANAGER_URL=http://127.0.0.1:9093")
	return cmd.CombinedOutput()
}

// TestKubernetesGatewayConfigValidates checks the gateway config of
// deploy/kubernetes with the distro itself, redis_storage included; a
// misspelt redis_storage key must fail the same check.
func TestKubernetesGatewayConfigValidates(t *testing.T) {
	cfg := gatewayConfigFromManifest(t)
	out, err := validateConfig(t, cfg)
	require.NoError(t, err, "%s", out)

	bad := strings.Replace(cfg, "read_timeout: 1s", "read_timeuot: 1s", 1)
	require.NotEqual(t, cfg, bad)
	out, err = validateConfig(t, bad)
	require.Error(t, err, "a misspelt redis_storage key passes validation")
	require.Contains(t, string(out), "read_timeuot")
}
