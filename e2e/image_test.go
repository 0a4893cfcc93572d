package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The paths and the user of the image that the README and the deploy
// manifests promise.
const (
	imageConfig = "/etc/otelcol-modelmon/config.yaml"
	imageState  = "/var/lib/otelcol-modelmon"
	imageUID    = "10001"
	imageGID    = "10001"
)

// TestContainerConfig stages the image's build context and checks its config,
// the container variant of otelcol-config.yaml: it validates, every listener
// is reachable from outside the container and exposed, state goes to the volume.
func TestContainerConfig(t *testing.T) {
	dir := t.TempDir()
	stage := exec.Command(filepath.Join(repoRoot, "scripts", "image.sh"), "stage", dir)
	stage.Env = append(os.Environ(), "DISTRO="+distroPath)
	out, err := stage.CombinedOutput()
	require.NoError(t, err, "%s", out)

	cfg := filepath.Join(dir, "config.yaml")
	out, err = exec.Command(distroPath, "validate", "--config", cfg).CombinedOutput()
	require.NoError(t, err, "%s", out)

	b, err := os.ReadFile(cfg)
	require.NoError(t, err)
	// Comments may speak of anything; the settings are what the image runs.
	text := regexp.MustCompile(`(?m)^\s*#.*\n`).ReplaceAllString(string(b), "")
	assert.NotRegexp(t, `(?m)^\s*(endpoint|host): *(127\.0\.0\.1|localhost)`, text,
		"a listener on loopback is unreachable from outside the container")
	assert.Contains(t, text, "${env:MODELMON_VAR:-"+imageState+"}")
	assert.NotContains(t, text, "./var", "state outside the volume")

	var listened []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:endpoint: 0\.0\.0\.0:|port: )(\d+)$`).FindAllStringSubmatch(text, -1) {
		listened = append(listened, m[1])
	}
	sort.Strings(listened)
	assert.Equal(t, listened, exposedPorts(t), "Containerfile EXPOSE against the config's listeners")
}

// TestContainerImage builds the image with `make image` and runs the distro in
// it: --version, components and validate of the default config, as uid 10001.
func TestContainerImage(t *testing.T) {
	script := filepath.Join(repoRoot, "scripts", "image.sh")
	var stderr bytes.Buffer
	which := exec.Command(script, "builder")
	which.Stderr = &stderr
	out, err := which.Output()
	if err != nil {
		msg := "no container builder: " + strings.TrimSpace(stderr.String())
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (in CI this fails)")
	}
	tool := strings.TrimSpace(string(out))
	image := "otelcol-modelmon-e2e:" + strconv.Itoa(os.Getpid())
	env := append(os.Environ(), "IMAGE="+image)

	build := exec.Command("make", "--no-print-directory", "-C", repoRoot, "image", "IMAGE="+image)
	start := time.Now()
	out, err = build.CombinedOutput()
	require.NoError(t, err, "make image:\n%s", out)
	t.Logf("make image with %s: %s", tool, time.Since(start).Round(100*time.Millisecond))
	t.Cleanup(func() {
		rm := exec.Command(script, "remove")
		rm.Env = env
		if out, err := rm.CombinedOutput(); err != nil {
			t.Logf("remove %s: %v %s", image, err, out)
		}
	})

	inImage := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(script, append([]string{"run"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s in the image:\n%s", args, out)
		return string(out)
	}
	t.Run("version", func(t *testing.T) {
		want := "otelcol-modelmon version " + manifestVersion(t) + "+" + checkoutCommit(t)
		assert.Equal(t, want, strings.TrimSpace(inImage("--version")))
	})
	t.Run("components", func(t *testing.T) {
		listed := inImage("components")
		for _, name := range []string{"modelmon", "alert_webhook", "retrain_queue", "file_storage"} {
			assert.Contains(t, listed, "- name: "+name+"\n")
		}
	})
	t.Run("validate", func(t *testing.T) {
		inImage("validate", "--config", imageConfig)
	})
	t.Run("metadata", func(t *testing.T) {
		cmd := exec.Command(script, "inspect")
		cmd.Env = env
		out, err := cmd.Output()
		require.NoError(t, err)
		c := imageSpec(t, tool, out)
		assert.Equal(t, imageUID+":"+imageGID, c.User)
		assert.Equal(t, []string{"/otelcol-modelmon"}, c.Entrypoint)
		assert.Equal(t, []string{"--config", imageConfig}, c.Cmd)
		assert.Contains(t, c.Volumes, imageState)
		var ports []string
		for p := range c.ExposedPorts {
			ports = append(ports, strings.TrimSuffix(p, "/tcp"))
		}
		sort.Strings(ports)
		assert.Equal(t, exposedPorts(t), ports)
	})
	if tool == "buildah" {
		t.Run("files", func(t *testing.T) { checkImageFiles(t, image) })
		t.Run("state writable", func(t *testing.T) { checkStateWritable(t, script, env) })
	}
}

// stateConfig keeps modelmon's firing alerts in file_storage on the image's
// volume, whose directory the extension creates at start. It listens on no
// port: buildah's chroot isolation shares the host's network.
const stateConfig = `yaml:{extensions: {file_storage: {directory: ` + imageState + `/storage, create_directory: true}},
  receivers: {nop: {}}, processors: {modelmon: {storage: file_storage}}, exporters: {debug: {}},
  service: {extensions: [file_storage], telemetry: {metrics: {level: none}}, pipelines: {
    metrics: {receivers: [nop], processors: [modelmon], exporters: [debug]},
    logs: {receivers: [nop], processors: [modelmon], exporters: [debug]}}}}`

// checkStateWritable starts the collector in the image, as the image's user,
// with storage on the state volume, and stops it once it is ready. buildah
// runs it as a child of this test, so one process group holds everything.
func checkStateWritable(t *testing.T, script string, env []string) {
	var out bytes.Buffer
	var mu sync.Mutex
	cmd := exec.Command(script, "run", "--config", stateConfig)
	cmd.Env = env
	w := lockedWriter{w: &out, mu: &mu}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	// done closes when the process has exited; how it exited is read from
	// its output, not from Wait.
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	// The condition below runs on Eventually's goroutine.
	var exited atomic.Bool
	t.Cleanup(func() {
		if exited.Load() {
			return
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	text := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	require.Eventually(t, func() bool {
		select {
		case <-done:
			exited.Store(true)
			return true
		default:
		}
		return strings.Contains(text(), "Everything is ready")
	}, 60*time.Second, 100*time.Millisecond, "collector in the image did not start")
	require.False(t, exited.Load(), "collector in the image exited:\n%s", text())
}

// lockedWriter lets the test read a command's output while it runs.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// imageConfigSpec is the part of the OCI image config the test checks.
type imageConfigSpec struct {
	User         string
	Entrypoint   []string
	Cmd          []string
	Volumes      map[string]struct{}
	ExposedPorts map[string]struct{}
}

// imageSpec reads the image config from the tool's inspect output: buildah
// gives one object with the OCI config, podman and docker a list.
func imageSpec(t *testing.T, tool string, inspect []byte) imageConfigSpec {
	t.Helper()
	if tool == "buildah" {
		var v struct {
			OCIv1 struct {
				Config imageConfigSpec `json:"config"`
			}
		}
		require.NoError(t, json.Unmarshal(inspect, &v))
		return v.OCIv1.Config
	}
	var v []struct{ Config imageConfigSpec }
	require.NoError(t, json.Unmarshal(inspect, &v))
	require.Len(t, v, 1)
	return v[0].Config
}

// checkImageFiles mounts a container of the image and checks what an empty
// base cannot fix at run time: the state directory belongs to the user that
// writes to it (and its parents to root), and the CA bundle is there.
func checkImageFiles(t *testing.T, image string) {
	driver := os.Getenv("STORAGE_DRIVER")
	if driver == "" {
		driver = "vfs" // scripts/image.sh's default
	}
	buildah := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("buildah", append([]string{"--storage-driver", driver}, args...)...).Output()
		require.NoError(t, err, "buildah %v", args)
		return strings.TrimSpace(string(out))
	}
	ctr := buildah("from", image)
	t.Cleanup(func() { _ = exec.Command("buildah", "--storage-driver", driver, "rm", ctr).Run() })
	root := buildah("mount", ctr)
	t.Cleanup(func() { _ = exec.Command("buildah", "--storage-driver", driver, "umount", ctr).Run() })

	stat := func(path string) (string, os.FileInfo) {
		st, err := os.Stat(filepath.Join(root, path))
		require.NoError(t, err)
		sys := st.Sys().(*syscall.Stat_t)
		return strconv.Itoa(int(sys.Uid)) + ":" + strconv.Itoa(int(sys.Gid)), st
	}
	owner, st := stat(imageState)
	assert.True(t, st.IsDir())
	assert.Equal(t, imageUID+":"+imageGID, owner, "state directory owner")
	owner, _ = stat("/var/lib")
	assert.Equal(t, "0:0", owner, "/var/lib owner")
	_, st = stat("/etc/ssl/certs/ca-certificates.crt")
	assert.Positive(t, st.Size(), "CA bundle")
	_, st = stat(imageConfig)
	assert.Positive(t, st.Size(), "default config")
}

// exposedPorts returns the Containerfile's EXPOSE ports, sorted.
func exposedPorts(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Containerfile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^EXPOSE (.+)$`).FindSubmatch(b)
	require.NotNil(t, m, "Containerfile exposes no port")
	ports := strings.Fields(string(m[1]))
	sort.Strings(ports)
	return ports
}
