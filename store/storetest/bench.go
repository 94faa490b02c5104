package storetest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sarhad/sarhad"
)

// BenchmarkAudit appends audit entries through sarhad.Service.Audit — the path every GraphQL
// operation takes — from 1 and from 8 concurrent requests, and reports entries per second. s must
// be open; the benchmark does not close it.
func BenchmarkAudit(b *testing.B, s sarhad.Store) {
	svc := &sarhad.Service{Store: s, Now: time.Now, Rand: rand.Reader}
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprint("concurrency=", conc), func(b *testing.B) {
			ctx := sarhad.NewContext(b.Context(), &sarhad.Viewer{Subject: "bench", Roles: []sarhad.Role{sarhad.RoleInvestigator},
				Country: "PAK", Org: "FIA"})
			work := make(chan struct{})
			errs := make(chan error, conc)
			var wg sync.WaitGroup
			start := time.Now()
			for range conc {
				wg.Go(func() {
					for range work {
						e := &sarhad.AuditEntry{Subject: "bench", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK",
							Org: "FIA", OperationName: "CaseById", OperationType: "query", QueryHash: "h", Variables: "{}",
							SensitiveIDs: []string{"per_1"}, Outcome: sarhad.AuditOK}
						if err := svc.Audit(ctx, e); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			var failed error
			for failed == nil && b.Loop() {
				select {
				case work <- struct{}{}:
				case failed = <-errs: // a worker stopped: the others may all have, so stop sending
				}
			}
			close(work)
			wg.Wait()
			if failed == nil {
				select {
				case failed = <-errs:
				default:
				}
			}
			if failed != nil {
				b.Fatal(failed)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
		})
	}
}
