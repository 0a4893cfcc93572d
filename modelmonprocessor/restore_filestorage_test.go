package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// TestRestoreWithFileStorage runs the processor through its factory, in a
// metrics and a logs pipeline, on a real file_storage directory across a
// restart: the alert fired before it resolves after it, once, with its
// original start.
func TestRestoreWithFileStorage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := rules(below("r", "accuracy", "last", 0.9))
	id := component.MustNewID("file_storage")
	cfg.Storage = &id

	run := func(line string) []string {
		f := filestorage.NewFactory()
		fcfg := f.CreateDefaultConfig().(*filestorage.Config)
		fcfg.Directory, fcfg.Compaction.Directory = dir, dir
		ext, err := f.Create(ctx, extensiontest.NewNopSettings(f.Type()), fcfg)
		require.NoError(t, err)
		host := storageHost{id: ext}
		require.NoError(t, ext.Start(ctx, host))

		set := processortest.NewNopSettings(metadata.Type)
		logs := new(consumertest.LogsSink)
		pf := NewFactory()
		mp, err := pf.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		lp, err := pf.CreateLogs(ctx, set, cfg, logs)
		require.NoError(t, err)
		require.NoError(t, lp.Start(ctx, host))
		require.NoError(t, mp.Start(ctx, host))
		require.NoError(t, mp.ConsumeMetrics(ctx, buildBatch(t, []string{line}, time.Now())))
		require.NoError(t, mp.Shutdown(ctx))
		require.NoError(t, lp.Shutdown(ctx))
		require.NoError(t, ext.Shutdown(ctx))
		var out []string
		for _, v := range violations(logs) {
			out = append(out, string(v.State)+" "+v.ModelID()+" "+v.StartedAt.Format(time.RFC3339Nano))
		}
		return out
	}
	fired := run("model.accuracy 0.5 model.name=a model.version=1")
	require.Len(t, fired, 1)
	started := fired[0][len("firing a:1 "):]
	assert.Equal(t, []string{"resolved a:1 " + started}, run("model.accuracy 0.97 model.name=a model.version=1"))
	assert.Empty(t, run("model.accuracy 0.97 model.name=a model.version=1"), "nothing left to restore")
}
