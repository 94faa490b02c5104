package neo4j_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/sarhad/sarhad"
	neo4jstore "github.com/sarhad/sarhad/store/neo4j"
)

// cuttingProxy forwards TCP connections to a Bolt server. Once armed with a budget, it forwards
// that many more bytes from the server, on whichever connection they come, and then closes that
// connection in the middle of what it was sending: a connection lost while an answer streams in.
type cuttingProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	budget int64 // bytes from the server still to forward before the cut; 0: not armed
	every  int64 // when above 0, the budget again after every cut: every answer is cut
	served int64 // bytes from the server forwarded in all
	cuts   int
	conns  []net.Conn
}

func startCuttingProxy(t *testing.T, target string) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{ln: ln, target: target}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cuttingProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go func() { io.Copy(server, client); server.Close() }()
		go p.fromServer(server, client)
	}
}

// fromServer copies what the server sends to the client, cutting both when the budget runs out.
func (p *cuttingProxy) fromServer(server, client net.Conn) {
	defer client.Close()
	defer server.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			p.mu.Lock()
			send, cut := int64(n), false
			if p.budget > 0 && send >= p.budget {
				send, cut, p.budget = p.budget, true, p.every
				p.cuts++
			} else if p.budget > 0 {
				p.budget -= send
			}
			p.served += send
			p.mu.Unlock()
			if _, werr := client.Write(buf[:send]); werr != nil || cut {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// arm cuts the connection that brings the next budget bytes, and with every set, each one after.
func (p *cuttingProxy) arm(budget int64, every bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budget, p.every = budget, 0
	if every {
		p.every = budget
	}
}

func (p *cuttingProxy) stats() (served int64, cuts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.served, p.cuts
}

func (p *cuttingProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// A read whose connection is lost while its answer streams in is run again, and its caller gets
// the whole answer once: what the first attempt had handed over is dropped (readEach's start),
// neither kept beside the second attempt's records nor lost.
func TestReadLosingItsConnectionMidStreamAnswersOnce(t *testing.T) {
	needNeo4j(t)
	emptyDatabase(t)
	u, err := url.Parse(neo4jEnv.Config.URI)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startCuttingProxy(t, u.Host)
	cfg := neo4jEnv.Config
	cfg.URI = "bolt://" + proxy.ln.Addr().String() // bolt: the driver dials the proxy, not a routing table's address
	s, err := neo4jstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := sarhad.NewContext(context.Background(), sarhad.SystemViewer())

	// A hub tied to n persons who share a name: a search and the hub's relationships each
	// answer with n records.
	const n = 1500
	hub := fiaPerson("stream hub", "Hub Of The Stream")
	cs := &sarhad.ChangeSet{Put: []sarhad.Entity{hub}}
	for i := range n {
		p := fiaPerson(fmt.Sprint("streamed ", i), fmt.Sprintf("Streamed Qasim %d", i))
		cs.Put = append(cs.Put, p)
		cs.Link = append(cs.Link, &sarhad.Relationship{Meta: sarhad.Meta{ID: sarhad.StableID("", fmt.Sprint("stream tie ", i)),
			CreatedAt: clock, UpdatedAt: clock, Handling: hub.Handling}, Type: sarhad.RelAssociateOf, From: hub.ID, To: p.ID})
	}
	if _, err := s.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}

	reads := []struct {
		name string
		read func() ([]string, error)
	}{
		{"name search", func() ([]string, error) {
			es, err := s.MatchNames(ctx, sarhad.NameQuery{Groups: sarhad.QueryTerms("streamed qasim"), Limit: -1})
			ids := make([]string, len(es))
			for i, e := range es {
				ids[i] = e.EntityMeta().ID
			}
			return ids, err
		}},
		{"relationships", func() ([]string, error) {
			rels, err := s.Relationships(ctx, sarhad.RelationshipQuery{Anchors: []string{hub.ID}, Direction: sarhad.DirOut})
			ids := make([]string, len(rels))
			for i, r := range rels {
				ids[i] = r.ID
			}
			return ids, err
		}},
	}
	for _, rd := range reads {
		t.Run(rd.name, func(t *testing.T) {
			before, _ := proxy.stats()
			want, err := rd.read()
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != n {
				t.Fatalf("without a cut: %d records, want %d", len(want), n)
			}
			size, cutsBefore := proxy.stats()
			size -= before

			// Cut the connection when half the answer has arrived.
			proxy.arm(size/2, false)
			got, err := rd.read()
			if err != nil {
				t.Fatalf("with a cut: %v", err)
			}
			if _, cuts := proxy.stats(); cuts != cutsBefore+1 {
				t.Fatalf("the proxy cut %d connections during the read, want 1", cuts-cutsBefore)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("with a cut: %d records (%d distinct), want the %d of the read without one",
					len(got), len(slices.Compact(slices.Sorted(slices.Values(got)))), len(want))
			}

			// A connection lost on every attempt: a bounded number of attempts, then UNAVAILABLE
			// (the caller may retry later), not an internal error.
			_, cutsBefore = proxy.stats()
			proxy.arm(size/2, true)
			got, err = rd.read()
			proxy.arm(0, false)
			_, cuts := proxy.stats()
			if code := sarhad.ErrorCode(err); code != sarhad.EUNAVAILABLE {
				t.Fatalf("cut on every attempt: %d records, error %v (code %q), want %s", len(got), err, code, sarhad.EUNAVAILABLE)
			}
			if cuts-cutsBefore != 3 { // the store's maxAttempts
				t.Fatalf("cut on every attempt: %d attempts, want 3", cuts-cutsBefore)
			}
		})
	}
}
