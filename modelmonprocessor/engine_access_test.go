package modelmonprocessor

import (
	"cmp"
	"slices"
)

// modelsLen is the number of models the engine tracks.
func (e *engine) modelsLen() int { return int(e.nModels.Load()) }

// allModels lists the models of every shard in creation order.
func (e *engine) allModels() []*model {
	var all []*model
	for _, s := range e.shards {
		s.mu.Lock()
		all = append(all, s.order...)
		s.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b *model) int { return cmp.Compare(a.seq, b.seq) })
	return all
}
