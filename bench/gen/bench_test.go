package gen_test

import (
	"testing"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/bench/gen"
)

func BenchmarkGenerateSF01(b *testing.B) {
	for b.Loop() {
		rels := 0
		_ = gen.Generate(gen.Config{Scale: 0.1, Seed: 1}, 2000, func(cs *sarhad.ChangeSet) error { rels += len(cs.Link); return nil })
		b.ReportMetric(float64(rels), "rels")
	}
}
