package bench

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Cell is the measurement of one system answering one question at one concurrency.
type Cell struct {
	System      string `json:"system"`
	Query       string `json:"query"`
	Concurrency int    `json:"concurrency"`
	// Requests measured (after the warm-up), and how many of them failed: a transport error, an
	// HTTP status other than 200, a response with errors or without data.
	Requests   int    `json:"requests"`
	Errors     int    `json:"errors"`
	FirstError string `json:"firstError,omitempty"`
	// Latency percentiles of the successful requests (nearest rank), and their mean.
	P50  time.Duration `json:"p50Ns"`
	P95  time.Duration `json:"p95Ns"`
	P99  time.Duration `json:"p99Ns"`
	Mean time.Duration `json:"meanNs"`
	// Throughput: successful requests per second of the measured time.
	Throughput float64       `json:"throughput"`
	Elapsed    time.Duration `json:"elapsedNs"`
	// Bolt traffic of the measured requests (nil for a system that does not use Neo4j), in all
	// and per request.
	Bolt           *BoltCounts `json:"bolt,omitempty"`
	RoundTripsPer  float64     `json:"boltRoundTripsPerRequest"`
	StatementsPer  float64     `json:"cypherStatementsPerRequest"`
	PeakRSSBytes   int64       `json:"peakRssBytes,omitempty"` // server processes only
	AllRequestsErr bool        `json:"allRequestsFailed,omitempty"`
}

// cellPlan says how much load a cell gets.
type cellPlan struct {
	concurrency int
	warmup      int           // requests before measuring
	warmupFor   time.Duration // and the least time they take
	requests    int           // measured requests; 0: measure for duration
	duration    time.Duration // measured time when requests is 0
	atLeast     time.Duration // the least time requests take (more are sent until it has passed)
	timeout     time.Duration // of one request
}

// rssInterval is how often the RSS of a server is read during a cell.
const rssInterval = 50 * time.Millisecond

// runCell warms sys up on question q, then measures it: plan.concurrency workers send requests
// back to back, request i with params[i mod len(params)], until plan.requests were sent or
// plan.duration has passed.
func runCell(ctx context.Context, sys system, q string, params []Params, plan cellPlan) Cell {
	c := Cell{System: sys.name(), Query: q, Concurrency: plan.concurrency}
	if plan.warmup > 0 {
		drive(ctx, sys, q, params, cellPlan{concurrency: plan.concurrency, requests: plan.warmup, atLeast: plan.warmupFor,
			timeout: plan.timeout})
	}
	var before BoltCounts
	if p := sys.bolt(); p != nil {
		before = p.Counts()
	}
	rss := sampleRSS(sys.pid(), rssInterval)
	start := time.Now()
	lat, errs, first := drive(ctx, sys, q, params, plan)
	c.Elapsed = time.Since(start)
	c.PeakRSSBytes = rss.finish()
	if p := sys.bolt(); p != nil {
		d := p.Counts().Sub(before)
		c.Bolt = &d
	}

	c.Requests, c.Errors, c.FirstError = len(lat)+errs, errs, first
	c.AllRequestsErr = c.Requests > 0 && errs == c.Requests
	if c.Bolt != nil && c.Requests > 0 {
		c.RoundTripsPer = float64(c.Bolt.RoundTrips) / float64(c.Requests)
		c.StatementsPer = float64(c.Bolt.Runs) / float64(c.Requests)
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		c.P50, c.P95, c.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		c.Mean = sum / time.Duration(len(lat))
		c.Throughput = float64(len(lat)) / c.Elapsed.Seconds()
	}
	return c
}

// drive runs the requests of a plan and returns the latencies of the successful ones, the number
// of failed ones and the first failure.
func drive(ctx context.Context, sys system, q string, params []Params, plan cellPlan) (lat []time.Duration, errs int, first string) {
	var (
		next     atomic.Int64
		failed   atomic.Int64
		mu       sync.Mutex
		wg       sync.WaitGroup
		deadline = time.Now().Add(plan.duration)
		least    = time.Now().Add(plan.atLeast)
	)
	perWorker := make([][]time.Duration, plan.concurrency)
	for w := range plan.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if plan.requests > 0 && i >= plan.requests && !time.Now().Before(least) || plan.requests == 0 && time.Now().After(deadline) {
					return
				}
				rctx, cancel := context.WithTimeout(ctx, plan.timeout)
				t0 := time.Now()
				_, err := sys.do(rctx, q, params[i%len(params)], false)
				d := time.Since(t0)
				cancel()
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if first == "" {
						first = err.Error()
					}
					mu.Unlock()
					continue
				}
				perWorker[w] = append(perWorker[w], d)
			}
		}()
	}
	wg.Wait()
	for _, l := range perWorker {
		lat = append(lat, l...)
	}
	return lat, int(failed.Load()), first
}

// percentile returns the p-th percentile of sorted durations, by nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	return sorted[max(rank, 1)-1]
}
