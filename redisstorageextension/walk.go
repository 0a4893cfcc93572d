package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// scanCount is the page size asked of SCAN: large enough that a walk over a
// few hundred thousand keys takes hundreds of round trips, not millions;
// small enough that one page never stalls the server.
const scanCount = 1000

// Walk calls fn for every key of the client, read with SCAN and MGET page by
// page. A walk is not a snapshot: a key written during it may or may not be
// seen, as with SCAN itself; keys present for the whole walk are seen once.
// The operations fn returns are applied in one transaction at the end, or
// not at all when fn or Redis fails.
func (c *client) Walk(ctx context.Context, fn storage.WalkFunc) error {
	var (
		ops    []*storage.Operation
		cursor uint64
		seen   = map[string]struct{}{}
		match  = globEscape(c.prefix) + "*"
	)
	for {
		keys, next, err := c.rdb.Scan(ctx, cursor, match, scanCount).Result()
		if err != nil {
			return c.failed(ctx, opWalk, err)
		}
		// SCAN may return a key twice across pages.
		fresh := keys[:0]
		for _, k := range keys {
			if _, ok := seen[k]; !ok {
				seen[k] = struct{}{}
				fresh = append(fresh, k)
			}
		}
		stop, err := c.walkPage(ctx, fresh, fn, &ops)
		if err != nil {
			return err
		}
		cursor = next
		if stop || cursor == 0 {
			break
		}
	}
	if len(ops) == 0 {
		return nil
	}
	return c.Batch(ctx, ops...)
}

// walkPage reads the values of keys and hands them to fn; stop reports that
// fn asked to end the walk.
func (c *client) walkPage(ctx context.Context, keys []string, fn storage.WalkFunc, ops *[]*storage.Operation) (stop bool, err error) {
	if len(keys) == 0 {
		return false, nil
	}
	vals, err := c.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return false, c.failed(ctx, opWalk, err)
	}
	for i, k := range keys {
		s, ok := vals[i].(string)
		if !ok {
			// Deleted or expired since the scan.
			continue
		}
		more, err := fn(k[len(c.prefix):], []byte(s))
		if errors.Is(err, storage.SkipAll) {
			*ops = append(*ops, more...)
			return true, nil
		}
		if err != nil {
			return false, err
		}
		*ops = append(*ops, more...)
	}
	return false, nil
}
