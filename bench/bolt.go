package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Bolt message signatures the proxy tells apart (Bolt 5 protocol).
const (
	boltRun    = 0x10
	boltBegin  = 0x11
	boltCommit = 0x12
)

// BoltCounts are what the clients of a BoltProxy asked of Neo4j.
//
// A round trip is one wait of the client for the server: the client sends one or more complete
// Bolt messages (pipelined in one flush or not) and then waits for the answer. The proxy counts
// one each time bytes come from the server after complete client messages went the other way since
// the server last answered — and the client's stream had reached a message boundary (a large flush
// arriving in several reads is one round trip). The version handshake of a new connection is not
// counted; the messages that follow it (HELLO, LOGON) are. Runs counts RUN messages, that is
// Cypher statements; Transactions counts BEGIN messages (explicit transactions).
type BoltCounts struct {
	Connections  int64 `json:"connections"`
	Messages     int64 `json:"messages"`
	Runs         int64 `json:"runs"`
	Transactions int64 `json:"transactions"`
	Commits      int64 `json:"commits"`
	RoundTrips   int64 `json:"roundTrips"`
}

// Sub returns c minus an earlier reading o.
func (c BoltCounts) Sub(o BoltCounts) BoltCounts {
	return BoltCounts{Connections: c.Connections - o.Connections, Messages: c.Messages - o.Messages,
		Runs: c.Runs - o.Runs, Transactions: c.Transactions - o.Transactions, Commits: c.Commits - o.Commits,
		RoundTrips: c.RoundTrips - o.RoundTrips}
}

// BoltProxy is a TCP proxy between Bolt clients and one Neo4j server that counts the clients'
// messages and round trips (see BoltCounts). It forwards bytes unchanged; clients reach it with a
// bolt:// URI (a neo4j:// URI would have the routing table send them past it), without TLS.
type BoltProxy struct {
	ln     net.Listener
	target string

	connections, messages, runs, begins, commits, roundTrips atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewBoltProxy listens on a free port of 127.0.0.1 and forwards every connection to target
// (host:port).
func NewBoltProxy(target string) (*BoltProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bolt proxy: %w", err)
	}
	p := &BoltProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// URI is the bolt:// URI clients use to go through the proxy.
func (p *BoltProxy) URI() string { return "bolt://" + p.ln.Addr().String() }

// Counts returns the counts so far.
func (p *BoltProxy) Counts() BoltCounts {
	return BoltCounts{Connections: p.connections.Load(), Messages: p.messages.Load(), Runs: p.runs.Load(),
		Transactions: p.begins.Load(), Commits: p.commits.Load(), RoundTrips: p.roundTrips.Load()}
}

// Close stops listening, closes every proxied connection and waits for their goroutines.
func (p *BoltProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *BoltProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *BoltProxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *BoltProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(client)
		}()
	}
}

// serve proxies one connection: the handshake first, in step, then both directions at once.
func (p *BoltProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	if !p.track(client) || !p.track(server) {
		return
	}
	defer p.untrack(client)
	defer p.untrack(server)
	if err := handshake(client, server); err != nil {
		return
	}
	p.connections.Add(1)

	var waiting atomic.Bool // a complete client message went to the server since it last answered
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m messageScanner
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				// The client waits once it has sent whole messages and stopped mid-way through none
				// (a large flush may come in several reads). Marked before forwarding: the answer
				// cannot come earlier.
				if m.scan(buf[:n], p.count) > 0 && m.atBoundary() {
					waiting.Store(true)
				}
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		server.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			if waiting.CompareAndSwap(true, false) {
				p.roundTrips.Add(1)
			}
			if _, werr := client.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	client.Close()
	<-done
}

// count records one complete client message with signature sig.
func (p *BoltProxy) count(sig byte) {
	p.messages.Add(1)
	switch sig {
	case boltRun:
		p.runs.Add(1)
	case boltBegin:
		p.begins.Add(1)
	case boltCommit:
		p.commits.Add(1)
	}
}

// handshake forwards the Bolt version negotiation: the client's magic and four proposals, the
// server's choice and, when the server chose manifest negotiation (0x000001FF, Bolt 5.7+), the
// server's offer and the client's confirmation. Each side's part reaches the other in one write,
// as it was sent: neo4j-driver for JavaScript reads the server's choice and offer from one
// packet, and failed to start ("offset out of range") when they came in four.
func handshake(client, server net.Conn) error {
	if err := forward(server, client, 20); err != nil {
		return err
	}
	offer := make([]byte, 4)
	if _, err := io.ReadFull(server, offer); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(offer) != 0x000001FF {
		_, err := client.Write(offer)
		return err
	}
	// Manifest v1: server sends a varint count, that many 4-byte versions and a varint capability
	// mask; the client answers with a 4-byte version and a varint capability mask.
	count, raw, err := readVarint(server)
	if err != nil {
		return err
	}
	offer = append(offer, raw...)
	versions := make([]byte, int(count)*4)
	if _, err := io.ReadFull(server, versions); err != nil {
		return err
	}
	offer = append(offer, versions...)
	if _, raw, err = readVarint(server); err != nil {
		return err
	}
	if _, err := client.Write(append(offer, raw...)); err != nil {
		return err
	}
	answer := make([]byte, 4)
	if _, err := io.ReadFull(client, answer); err != nil {
		return err
	}
	if _, raw, err = readVarint(client); err != nil {
		return err
	}
	_, err = server.Write(append(answer, raw...))
	return err
}

// forward copies exactly n bytes from src to dst.
func forward(dst io.Writer, src io.Reader, n int) error {
	_, err := io.CopyN(dst, src, int64(n))
	return err
}

// readVarint reads a base-128 varint (least significant group first) and returns it with its bytes.
func readVarint(r io.Reader) (uint64, []byte, error) {
	var (
		v   uint64
		raw []byte
		b   [1]byte
	)
	for shift := 0; ; shift += 7 {
		if shift > 63 {
			return 0, raw, errors.New("bolt handshake: varint too long")
		}
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, raw, err
		}
		raw = append(raw, b[0])
		v |= uint64(b[0]&0x7f) << shift
		if b[0]&0x80 == 0 {
			return v, raw, nil
		}
	}
}

// messageScanner follows the chunked Bolt message stream of one direction: each chunk is a 2-byte
// big-endian size and that many bytes; a chunk of size 0 ends a message (or, between messages, is
// a keep-alive NOOP). The first two bytes of a message are a struct marker and the signature.
type messageScanner struct {
	header    [2]byte
	headerLen int // bytes of the chunk header read so far
	remaining int // bytes of the current chunk still to come
	msgLen    int // bytes of the current message so far
	sig       byte
}

// atBoundary reports whether the stream is between messages.
func (m *messageScanner) atBoundary() bool {
	return m.headerLen == 0 && m.remaining == 0 && m.msgLen == 0
}

// scan consumes b, calls message with the signature of every message that ends in it, and
// returns how many ended.
func (m *messageScanner) scan(b []byte, message func(sig byte)) int {
	ended := 0
	for len(b) > 0 {
		if m.remaining > 0 {
			n := min(m.remaining, len(b))
			if m.msgLen < 2 && m.msgLen+n >= 2 {
				m.sig = b[1-m.msgLen]
			}
			m.msgLen += n
			m.remaining -= n
			b = b[n:]
			continue
		}
		m.header[m.headerLen] = b[0]
		m.headerLen++
		b = b[1:]
		if m.headerLen < 2 {
			continue
		}
		m.headerLen = 0
		size := int(binary.BigEndian.Uint16(m.header[:]))
		if size > 0 {
			m.remaining = size
			continue
		}
		if m.msgLen > 0 { // end of a message; an empty one is a NOOP
			message(m.sig)
			ended++
		}
		m.msgLen = 0
	}
	return ended
}
